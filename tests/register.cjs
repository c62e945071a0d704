// Loaded first by mocha (.mocharc.json): ts-node, transpile-only (npm test type-checks separately, side by side), and
// two speed-ups that change no test's outcome. Measured in issue #14: about a third of mocha's CPU time.
"use strict";
// Once per process: mocha's --watch loads this file again on every re-run, and ts-node must not register twice.
const installed = Symbol.for("k3s-admin-mfa.tests.register");
if (!process[installed]) {
    process[installed] = true;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS file, loaded before any TypeScript
    require("ts-node").register({ transpileOnly: true });

    // 1. @pulumi/pulumi captures a stack for its own bookkeeping on every promise it wraps (debuggablePromise) and, with
    //    an unlimited depth, for every resource it registers (Resource.callsites, the source position sent to the engine,
    //    which the mocks ignore). Through ts-node's source maps each one cost a clone and a lookup per frame: seconds per
    //    run. Those two are left unmapped (positions in the transpiled JavaScript); every other stack, a failing test's
    //    included, is still mapped to the TypeScript source.
    const mapped = Error.prepareStackTrace;
    if (typeof mapped === "function") {
        const pulumiInternal = new Set(["debuggablePromise", "callsites"]);
        Error.prepareStackTrace = function prepareStackTrace(error, frames) {
            const top = frames[0];
            if (
                top &&
                pulumiInternal.has(top.getFunctionName()) &&
                /[\\/]@pulumi[\\/]pulumi[\\/]/.test(top.getFileName() ?? "")
            ) {
                return `${error}\n    at ${frames.join("\n    at ")}`;
            }
            return mapped.call(this, error, frames);
        };
    }

    // 2. runProgram (tests/mocks.ts) forgets the program's modules and requires index.ts again for every config, and
    //    ts-node transpiles each file again every time. Transpile each distinct source text once.
    const service = process[Symbol.for("ts-node.register.instance")];
    if (service && typeof service.compile === "function") {
        const compile = service.compile.bind(service);
        const transpiled = new Map();
        service.compile = (code, fileName, lineOffset) => {
            const key = `${fileName}\0${lineOffset ?? 0}\0${code}`;
            let out = transpiled.get(key);
            if (out === undefined) transpiled.set(key, (out = compile(code, fileName, lineOffset)));
            return out;
        };
    }
}
