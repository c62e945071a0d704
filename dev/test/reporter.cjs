// mocha's spec reporter, then the slowest tests and hooks of the run (npm test names it with --reporter).
// SLOWEST=N lists N of them (0: none).
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file that mocha loads by path */
const path = require("node:path");
const Mocha = require("mocha");

const { EVENT_TEST_END, EVENT_HOOK_END, EVENT_RUN_END } = Mocha.Runner.constants;
const LIMIT = Number(process.env.SLOWEST ?? 10);

class SpecAndSlowest extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        const timed = [];
        const byFile = new Map();
        const add = (kind, r) => {
            if (typeof r.duration !== "number") return;
            const file = r.file ? path.relative(process.cwd(), r.file) : "(root hooks)";
            byFile.set(file, (byFile.get(file) ?? 0) + r.duration);
            if (kind === "hook" && r.duration < 10) return;
            timed.push({ kind, title: r.fullTitle(), file, ms: r.duration });
        };
        runner.on(EVENT_TEST_END, (t) => add("test", t));
        runner.on(EVENT_HOOK_END, (h) => add("hook", h));
        runner.once(EVENT_RUN_END, () => {
            if (LIMIT <= 0 || timed.length === 0) return;
            const top = [...timed].sort((a, b) => b.ms - a.ms).slice(0, LIMIT);
            const tests = timed.filter((t) => t.kind === "test").length;
            const total = timed.reduce((s, t) => s + t.ms, 0);
            console.log(`  slowest of ${tests} tests and their hooks (${(total / 1000).toFixed(1)} s in all):`);
            for (const t of top) {
                const label =
                    t.kind === "hook" ? t.title.replace(/"(before|after) (all|each)" hook/, "[$1 $2 hook]") : t.title;
                console.log(`  ${String(t.ms).padStart(7)} ms  ${t.file}  ${label}`);
            }
            const files = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, Math.min(LIMIT, 5));
            console.log(`  slowest files: ${files.map(([f, ms]) => `${f} ${(ms / 1000).toFixed(1)} s`).join(", ")}\n`);
        });
    }
}

module.exports = SpecAndSlowest;
