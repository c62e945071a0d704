// npm test: the type-check of the whole project (root and policy/) and the mocha suite, side by side on two cores.
// Their outputs are kept apart: mocha streams as it runs, the type-check's is printed after it. The exit status is
// non-zero when either fails. Plain JavaScript, so it starts without ts-node. Started by dev/test/main.mjs, once the
// Node.js guard has passed: this file's static imports (node:fs globSync) need Node 22.
//
//   node dev/test/main.mjs                   every test and the type-check (npm test; what CI runs)
//   node dev/test/main.mjs FILE...           the inner loop: only these test files, no type-check (npm run test:one;
//                                            npm run test:e2e runs tests/e2e/ so, the end-to-end tier)
//   node dev/test/main.mjs --watch FILE...   the same, re-run on every change of a .ts file (npm run test:watch)
//   Other arguments starting with - go to mocha (--grep TEXT, --bail, ...).
//
// Every run ends with the slowest tests and hooks (dev/test/reporter.cjs; SLOWEST=N to list N of them, 0 for none).
//
// Where the time went, and what was done about it (docs/testing.md has the figures and the switches):
// - The type-check runs TypeScript 7, the native compiler (the npm alias typescript-7): about 3 s of CPU where tsc
//   5.9 took 15. tsc 5.9, the TypeScript ts-node loads (deploys run it transpile-only, tsconfig.deploy.json), still
//   runs in CI (npm run typecheck, called by .ci/run), so code that only one of the two accepts cannot land.
// - mocha runs in one process. The work its files wait for in other processes starts with the run (tests/early.ts) and
//   runs on the second core meanwhile, at a lower priority, while the files that wait for it run last;
//   tests/register.cjs transpiles each file once (kept on disk) and caches the collators the IAM evaluation library
//   builds; analysis/simulate.ts remembers IAM evaluations asked twice. mocha's parallel mode was measured and dropped:
//   each worker loads the program, the SDK and the IAM data again, which cost more CPU than the second worker won on
//   two cores.
//
// Caches, all under node_modules/.cache/k3s-test (deleted with node_modules; TEST_CACHE=0 runs without them): the
// transpiled test and program files, and Node's compile cache of the JavaScript it loads (typescript, @pulumi/*,
// the AWS SDK). A fresh clone, as in CI, starts without them.
import { spawn } from "node:child_process";
import { globSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// TypeScript 7 (the native compiler, installed as the npm alias typescript-7 next to the 5.9 that ts-node and Pulumi use).
const tsc = path.join(path.dirname(require.resolve("typescript-7/package.json")), "bin", "tsc");
const mocha = require.resolve("mocha/bin/mocha.js");

const useCache = process.env.TEST_CACHE !== "0";
const CACHE = path.join(ROOT, "node_modules", ".cache", "k3s-test");
mkdirSync(CACHE, { recursive: true });

const args = process.argv.slice(2);
const watch = args.includes("--watch");
const files = args.filter((a) => !a.startsWith("-") && /\.[cm]?[jt]s$/.test(a));
const mochaFlags = args.filter((a) => !files.includes(a));
const innerLoop = files.length > 0 || watch;
if (watch && files.length === 0) {
    console.error(
        "npm run test:watch: name the test file(s) to re-run, e.g. npm run test:watch -- tests/config.test.ts",
    );
    process.exit(2);
}

// Children inherit this: Node caches the V8 code of every module it compiles (typescript's 9 MB tsc included).
const env = { ...process.env };
if (useCache && env.NODE_COMPILE_CACHE === undefined) env.NODE_COMPILE_CACHE = path.join(CACHE, "node-compile-cache");

function run(argv, { capture, background = false }) {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(process.execPath, argv, {
            cwd: ROOT,
            env,
            stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
        });
        // The type-check yields the CPU to mocha, whose tests (and the processes they start) decide the wall time;
        // it still finishes in the time mocha leaves idle. Lowering one's own child's priority needs no privilege.
        if (background) {
            try {
                setPriority(child.pid, 10);
            } catch {
                // Not allowed here: both run at the same priority, as before.
            }
        }
        let output = "";
        if (capture) {
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
        }
        child.on("close", (code, signal) =>
            resolve({ code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 }),
        );
    });
}

async function typecheck() {
    const started = Date.now();
    for (const project of [".", "policy"]) {
        // TypeScript 7 dropped moduleResolution "node" (node10), which tsconfig.json keeps for 5.9 and ts-node;
        // "bundler" resolves the same files here (plain relative paths and packages' main or types entries).
        const r = await run([tsc, "--noEmit", "-p", project, "--moduleResolution", "bundler"], {
            capture: true,
            background: true,
        });
        if (r.code !== 0) return { ...r, project };
    }
    return { code: 0, output: "", seconds: (Date.now() - started) / 1000 };
}

const reporter = path.join(ROOT, "dev", "test", "reporter.cjs");
const ownReporter = mochaFlags.some((a) => a === "--reporter" || a === "-R" || a.startsWith("--reporter="));
const reporterFlags = ownReporter ? [] : ["--reporter", reporter];

// mocha adds the spec files on its command line to .mocharc.json's "spec" rather than replacing them: a run that
// names its files (the inner loop, or a whole run in its own order) gets a copy of .mocharc.json naming them.
const rc = JSON.parse(readFileSync(path.join(ROOT, ".mocharc.json"), "utf8"));
function writeConfig(name, spec) {
    const file = path.join(CACHE, name);
    writeFileSync(file, JSON.stringify({ ...rc, spec }, null, 2));
    return ["--config", file];
}
let configFlags = [];
if (innerLoop) {
    configFlags = writeConfig("mocharc.inner-loop.json", files);
    if (watch)
        configFlags.push(
            "--watch-files",
            "*.ts,components/**/*.ts,checks/**/*.ts,cli/**/*.ts,commands/**/*.ts,dev/**/*.ts,handover/**/*.ts,analysis/**/*.ts,policy/**/*.ts,tests/**/*.ts",
        );
}

// A whole run starts the work files wait for in other processes before the first test (tests/early.ts), and runs
// the files that wait for it last, so that the work has the whole run to finish in the background; with --grep or a
// few files, each file starts its own when its turn comes.
if (!innerLoop && mochaFlags.length === 0) {
    env.TEST_EARLY = "1";
    configFlags = writeConfig("mocharc.whole-run.json", waitersLast(rc.spec));
}

/** Every spec file in mocha's order (by name), those that declare early work moved to the end. */
function waitersLast(specs) {
    const all = [...new Set([specs].flat().flatMap((glob) => globSync(glob, { cwd: ROOT })))];
    all.sort((a, b) => a.localeCompare(b, "en")); // as mocha's lookupFiles sorts them
    const waits = (file) => {
        const text = readFileSync(path.join(ROOT, file), "utf8");
        return /from "(\.\.?\/)+early"/.test(text) && /\bearly\(/.test(text);
    };
    return [...all.filter((f) => !waits(f)), ...all.filter(waits)];
}

const started = Date.now();
const mochaRun = run([mocha, ...configFlags, ...reporterFlags, ...mochaFlags], { capture: false });
if (innerLoop) {
    const tests = await mochaRun;
    console.log(
        `(${files.join(" ")}: no type-check; npm test type-checks and runs tests/*.test.ts, npm run test:e2e tests/e2e/)`,
    );
    process.exitCode = tests.code;
} else {
    const [types, tests] = await Promise.all([typecheck(), mochaRun]);
    if (types.code !== 0) {
        process.stderr.write(`\ntype-check failed (TypeScript 7, -p ${types.project}):\n${types.output}`);
    } else {
        console.log(
            `type-check passed (TypeScript 7, -p . and -p policy, ${types.seconds.toFixed(1)} s; ` +
                "CI also runs tsc 5.9, the TypeScript ts-node loads: npm run typecheck)",
        );
    }
    console.log(
        `npm test: ${tests.code === 0 ? "tests passed" : "TESTS FAILED"} (mocha ${tests.seconds.toFixed(1)} s), ` +
            `${types.code === 0 ? "type-check passed" : "TYPE-CHECK FAILED"}; ${((Date.now() - started) / 1000).toFixed(1)} s wall`,
    );
    process.exitCode = types.code !== 0 || tests.code !== 0 ? 1 : 0;
}
