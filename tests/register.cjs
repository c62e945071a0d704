// Loaded first by mocha (.mocharc.json): ts-node, transpile-only (npm test type-checks separately, side by side), and
// three speed-ups that change no test's outcome, each behind its own switch (set it to 0 to run without it; the
// figures, measured alternated, are in docs/testing.md):
//   TEST_SHORT_STACKS=0    format @pulumi/pulumi's bookkeeping stacks as ts-node would (mapped, full depth)
//   TEST_TRANSPILE_CACHE=0 transpile every file again on every run, as ts-node does (no cache on disk or in memory)
//   TEST_COLLATOR_CACHE=0  leave String.prototype.localeCompare alone
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file, loaded before any TypeScript */
// Once per process: mocha's --watch loads this file again on every re-run, and ts-node must not register twice.
const installed = Symbol.for("k3s-admin-mfa.tests.register");
if (!process[installed]) {
    // The switches on in this process, by name (tests/e2e/register.test.ts reads them).
    const speedUps = [];
    process[installed] = speedUps;
    const on = (name) => process.env[name] !== "0";
    require("ts-node").register({ transpileOnly: true });

    // 1. @pulumi/pulumi captures a stack for its own bookkeeping on every promise it wraps (debuggablePromise: the
    //    trace is only printed if the promise leaks) and, with an unlimited depth, for every resource it registers
    //    (Resource.callsites: its first frames give the source position sent to the engine, which the mocks ignore).
    //    Formatting them, through ts-node's source maps, cost seconds per run. So a promise's trace keeps the 3 frames
    //    that created it, a resource's its first 16, and neither is mapped (positions in the transpiled JavaScript);
    //    every other stack, a failing test's included, is mapped to the TypeScript source.
    const mapped = Error.prepareStackTrace;
    if (on("TEST_SHORT_STACKS") && typeof mapped === "function") {
        const unmapped = (error, frames) => `${error}\n    at ${frames.join("\n    at ")}`;
        const fromPulumi = (frame) => /[\\/]@pulumi[\\/]pulumi[\\/]/.test(frame.getFileName() ?? "");
        Error.prepareStackTrace = function prepareStackTrace(error, frames) {
            const top = frames[0];
            if (top?.getFunctionName() === "debuggablePromise" && fromPulumi(top))
                return unmapped(error, frames.slice(0, 4));
            if (top?.getFunctionName() === "callsites" && fromPulumi(top)) return unmapped(error, frames.slice(0, 16));
            return mapped.call(this, error, frames);
        };
        speedUps.push("TEST_SHORT_STACKS");
    }

    // 2. Transpile each distinct source text once, and keep the output on disk for the next run. runProgram
    //    (tests/mocks.ts) forgets the program's modules and requires index.ts again for every config, and a run after
    //    a small change has the same source in all but one file. The key is the whole input of the transpilation:
    //    ts-node's and TypeScript's versions, ts-node's options, the compiler options, the file's path and its text.
    //    Under node_modules/.cache/k3s-test (TEST_CACHE=0: in memory only).
    const service = process[Symbol.for("ts-node.register.instance")];
    if (on("TEST_TRANSPILE_CACHE") && service && typeof service.compile === "function") {
        const fs = require("node:fs");
        const path = require("node:path");
        const { createHash } = require("node:crypto");
        let dir =
            process.env.TEST_CACHE === "0"
                ? undefined
                : path.join(__dirname, "..", "node_modules", ".cache", "k3s-test", "transpiled");
        try {
            if (dir) fs.mkdirSync(dir, { recursive: true });
        } catch {
            dir = undefined; // a read-only node_modules: transpile as ts-node does, in memory
        }
        const salt = JSON.stringify([
            require("ts-node/package.json").version,
            service.ts.version,
            service.options,
            service.config.options,
        ]);
        // ts-node ends every output with its inline source map: a file without one was not written whole.
        const complete = (out) => out.includes("\n//# sourceMappingURL=data:application/json");
        const compile = service.compile.bind(service);
        const transpiled = new Map();
        // A file read from disk never went through ts-node, whose stack-trace mapping looks outputs up in its own
        // memory: hand it ours too, so a failing test's stack still points into the TypeScript source. A file
        // transpiled again (changed under --watch) is ts-node's again.
        const fromDisk = new Map();
        require(require.resolve("@cspotcode/source-map-support", { paths: [require.resolve("ts-node")] })).install({
            retrieveFile: (file) => fromDisk.get(path.normalize(file)) ?? null,
        });
        const read = (file) => {
            try {
                const out = fs.readFileSync(file, "utf8");
                return complete(out) ? out : undefined;
            } catch {
                return undefined; // not transpiled before
            }
        };
        const write = (file, out) => {
            // Written whole, then renamed: a process reading the same key sees all of it or nothing.
            const tmp = `${file}.${process.pid}.tmp`;
            try {
                fs.writeFileSync(tmp, out);
                fs.renameSync(tmp, file);
            } catch {
                fs.rmSync(tmp, { force: true }); // a full disk costs the next run the transpilation, nothing more
            }
        };
        service.compile = (code, fileName, lineOffset) => {
            const key = createHash("sha256")
                .update(`${salt}\0${fileName}\0${lineOffset ?? 0}\0${code}`)
                .digest("hex");
            let out = transpiled.get(key);
            if (out !== undefined) return out;
            const file = dir && path.join(dir, `${key}.js`);
            out = file && read(file);
            if (out !== undefined) {
                fromDisk.set(path.normalize(fileName), out);
            } else {
                out = compile(code, fileName, lineOffset);
                fromDisk.delete(path.normalize(fileName));
                if (file) write(file, out);
            }
            transpiled.set(key, out);
            return out;
        };
        speedUps.push("TEST_TRANSPILE_CACHE");
    }

    // 3. The IAM evaluation library compares ARN characters and names with localeCompare(…, undefined, { sensitivity:
    //    "accent" }). With options, V8 builds a new ICU collator on every call: ~2 s of the suite's CPU. The language
    //    defines that call as: both strings converted, then Intl.Collator(locales, options) constructed and compared
    //    with (ECMA-402, String.prototype.localeCompare). So, in that order, one collator per distinct set of plain
    //    options gives the same answers; any other call (locale lists, options with getters, inherited or hidden
    //    keys, values other than strings, booleans and finite numbers) goes to the built-in.
    if (on("TEST_COLLATOR_CACHE")) {
        installCollatorCache();
        speedUps.push("TEST_COLLATOR_CACHE");
    }
}

function installCollatorCache() {
    const builtIn = String.prototype.localeCompare;
    const collators = new Map();
    const plain = (v) =>
        v === undefined || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && isFinite(v));
    const plainOptions = (options) => {
        if (options === null || typeof options !== "object" || Object.getPrototypeOf(options) !== Object.prototype)
            return undefined;
        const names = Object.getOwnPropertyNames(options);
        if (Object.getOwnPropertySymbols(options).length > 0) return undefined;
        const snapshot = {};
        for (const name of names) {
            const d = Object.getOwnPropertyDescriptor(options, name);
            if (!d.enumerable || !("value" in d) || !plain(d.value)) return undefined;
            snapshot[name] = d.value;
        }
        return snapshot;
    };
    Object.defineProperty(String.prototype, "localeCompare", {
        ...Object.getOwnPropertyDescriptor(String.prototype, "localeCompare"),
        // One declared parameter, as the built-in's `length` says.
        value: function localeCompare(that) {
            const [, locales, options] = arguments;
            const snapshot = locales === undefined || typeof locales === "string" ? plainOptions(options) : undefined;
            if (this === null || this === undefined || snapshot === undefined) {
                return builtIn.call(this, that, locales, options);
            }
            const [s, t] = [`${this}`, `${that}`];
            const key = JSON.stringify([locales, Object.entries(snapshot).map(([k, v]) => [k, typeof v, String(v)])]);
            let collator = collators.get(key);
            if (!collator) collators.set(key, (collator = new Intl.Collator(locales, snapshot)));
            return collator.compare(s, t);
        },
    });
}
