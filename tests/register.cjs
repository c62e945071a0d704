// Loaded first by mocha (.mocharc.json): ts-node, transpile-only (npm test type-checks separately, side by side), and
// three speed-ups that change no test's outcome. Measured in issue #14: about half of mocha's CPU time.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file, loaded before any TypeScript */
// Once per process: mocha's --watch loads this file again on every re-run, and ts-node must not register twice.
const installed = Symbol.for("k3s-admin-mfa.tests.register");
if (!process[installed]) {
    process[installed] = true;
    require("ts-node").register({ transpileOnly: true });

    // 1. @pulumi/pulumi captures a stack for its own bookkeeping on every promise it wraps (debuggablePromise: the
    //    trace is only printed if the promise leaks) and, with an unlimited depth, for every resource it registers
    //    (Resource.callsites: its first frames give the source position sent to the engine, which the mocks ignore).
    //    Formatting them, through ts-node's source maps, cost seconds per run. So a promise's trace keeps the 3 frames
    //    that created it, a resource's its first 16, and neither is mapped (positions in the transpiled JavaScript);
    //    every other stack, a failing test's included, is mapped to the TypeScript source.
    const mapped = Error.prepareStackTrace;
    if (typeof mapped === "function") {
        const unmapped = (error, frames) => `${error}\n    at ${frames.join("\n    at ")}`;
        const fromPulumi = (frame) => /[\\/]@pulumi[\\/]pulumi[\\/]/.test(frame.getFileName() ?? "");
        Error.prepareStackTrace = function prepareStackTrace(error, frames) {
            const top = frames[0];
            if (top?.getFunctionName() === "debuggablePromise" && fromPulumi(top))
                return unmapped(error, frames.slice(0, 4));
            if (top?.getFunctionName() === "callsites" && fromPulumi(top)) return unmapped(error, frames.slice(0, 16));
            return mapped.call(this, error, frames);
        };
    }

    // 2. Transpile each distinct source text once, and keep the output on disk for the next run. runProgram
    //    (tests/mocks.ts) forgets the program's modules and requires index.ts again for every config; each mocha
    //    worker of a parallel run loads the same modules; and a run after a small change has the same source in all
    //    but one file. The key is the whole input of the transpilation: TypeScript's version, the compiler options,
    //    the file's path and its text. Under node_modules/.cache/k3s-test (TEST_CACHE=0: in memory only).
    const service = process[Symbol.for("ts-node.register.instance")];
    if (service && typeof service.compile === "function") {
        const fs = require("node:fs");
        const path = require("node:path");
        const { createHash } = require("node:crypto");
        const dir =
            process.env.TEST_CACHE === "0"
                ? undefined
                : path.join(__dirname, "..", "node_modules", ".cache", "k3s-test", "transpiled");
        if (dir) fs.mkdirSync(dir, { recursive: true });
        const salt = JSON.stringify([service.ts.version, service.config.options]);
        const compile = service.compile.bind(service);
        const transpiled = new Map();
        // A file read from disk never went through ts-node, whose stack-trace mapping looks outputs up in its own
        // memory: hand it ours too, so a failing test's stack still points into the TypeScript source.
        const fromDisk = new Map();
        require(require.resolve("@cspotcode/source-map-support", { paths: [require.resolve("ts-node")] })).install({
            retrieveFile: (file) => fromDisk.get(path.normalize(file)) ?? null,
        });
        service.compile = (code, fileName, lineOffset) => {
            const key = createHash("sha256")
                .update(`${salt}\0${fileName}\0${lineOffset ?? 0}\0${code}`)
                .digest("hex");
            let out = transpiled.get(key);
            if (out !== undefined) return out;
            const file = dir && path.join(dir, `${key}.js`);
            try {
                if (file) {
                    out = fs.readFileSync(file, "utf8");
                    fromDisk.set(path.normalize(fileName), out);
                }
            } catch {
                // Not transpiled before.
            }
            if (out === undefined) {
                out = compile(code, fileName, lineOffset);
                if (file) {
                    // Written whole, then renamed: a parallel worker reading the same key sees all of it or nothing.
                    const tmp = `${file}.${process.pid}.tmp`;
                    fs.writeFileSync(tmp, out);
                    fs.renameSync(tmp, file);
                }
            }
            transpiled.set(key, out);
            return out;
        };
    }

    // 3. The IAM evaluation library compares ARN characters and names with localeCompare(…, undefined, { sensitivity:
    //    "accent" }). With options, V8 builds a new ICU collator on every call: ~2 s of the suite's CPU. The language
    //    defines that call as constructing Intl.Collator(locales, options) and comparing with it (ECMA-402,
    //    String.prototype.localeCompare), so one collator per distinct pair of plain arguments gives the same answers.
    const builtIn = String.prototype.localeCompare;
    const collators = new Map();
    const plain = (v) => v === undefined || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
    const cacheable = (locales, options) =>
        (locales === undefined || typeof locales === "string") &&
        options !== null &&
        typeof options === "object" &&
        Object.getPrototypeOf(options) === Object.prototype &&
        Object.values(options).every(plain);
    Object.defineProperty(String.prototype, "localeCompare", {
        ...Object.getOwnPropertyDescriptor(String.prototype, "localeCompare"),
        // One declared parameter, as the built-in's `length` says.
        value: function localeCompare(that) {
            const [, locales, options] = arguments;
            if (this === null || this === undefined || !cacheable(locales, options)) {
                return builtIn.call(this, that, locales, options);
            }
            const key = JSON.stringify([locales, options]);
            let collator = collators.get(key);
            if (!collator) collators.set(key, (collator = new Intl.Collator(locales, options)));
            return collator.compare(String(this), String(that));
        },
    });
}
