// npm test's entry (npm test, test:one, test:watch; dev/test/run.mjs and docs/testing.md say what they do): the
// Node.js guard, then the runner. An ES module's static imports are all linked before any of its code runs, so a
// guard inside the runner came too late: on Node 20, node:fs has no globSync, and the run died with a SyntaxError and
// a stack trace (issue 19, item 10). The runner is imported here only once the guard has passed.
import "../nodeGuard.cjs";

await import("./run.mjs");
