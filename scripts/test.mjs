// npm test: the type-check of the whole project (root and policy/) and the mocha suite, side by side on two cores.
// Their outputs are kept apart: mocha streams as it runs, the type-check's is printed after it. The exit status is
// non-zero when either fails. Plain JavaScript, so it starts without ts-node.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

// @pulumi/pulumi and the AWS SDK need package.json's engines.node: on an older Node.js, dozens of tests would fail
// for reasons that have nothing to do with the project, after pages of SDK warnings. Say it in one line instead.
const minMajor = Number(/\d+/.exec(require("../package.json").engines.node)[0]);
if (Number(process.versions.node.split(".")[0]) < minMajor) {
    console.error(
        `npm test: needs Node.js ${minMajor} or newer, this is v${process.versions.node} (see README, "Prerequisites")`,
    );
    process.exit(1);
}
const tsc = require.resolve("typescript/bin/tsc");
const mocha = require.resolve("mocha/bin/mocha.js");

function run(args, { capture }) {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, args, { stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
        let output = "";
        if (capture) {
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
        }
        child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
    });
}

async function typecheck() {
    const started = Date.now();
    for (const project of [".", "policy"]) {
        const r = await run([tsc, "--noEmit", "-p", project], { capture: true });
        if (r.code !== 0) return { ...r, project };
    }
    return { code: 0, output: "", seconds: (Date.now() - started) / 1000 };
}

const [types, tests] = await Promise.all([typecheck(), run([mocha, ...process.argv.slice(2)], { capture: false })]);
if (types.code !== 0) {
    process.stderr.write(`\ntype-check failed (tsc -p ${types.project}):\n${types.output}`);
} else {
    console.log(`type-check passed (tsc -p . and -p policy, ${types.seconds.toFixed(1)} s)`);
}
process.exitCode = types.code !== 0 || tests.code !== 0 ? 1 : 0;
