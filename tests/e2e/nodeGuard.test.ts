import * as assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Issue 19, item 10: `npm test` and every script refuse a Node.js older than engines.node with one line. Each
 * script of package.json is run as `npm run` runs it (@npmcli/run-script: `sh -c <script>` in the project, with
 * node_modules/.bin first on PATH and npm_lifecycle_event set), with an older Node.js first on PATH, so `node` in
 * the script is that one.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    engines: { node: string };
    scripts: Record<string, string>;
};
const REQUIRED = Number(/\d+/.exec(pkg.engines.node)![0]);

/** A Node.js older than engines.node on this machine (CI's own node is 20, .ci/run brings 22), or undefined. */
function olderNode(): { bin: string; version: string } | undefined {
    const dirs = [...(process.env["PATH"] ?? "").split(path.delimiter), "/usr/bin", "/usr/local/bin"];
    for (const dir of dirs) {
        const bin = path.join(dir, "node");
        if (!dir || !fs.existsSync(bin)) continue;
        let version: string;
        try {
            version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
        } catch {
            continue;
        }
        if (Number(/^v(\d+)/.exec(version)?.[1]) < REQUIRED) return { bin, version };
    }
    return undefined;
}

function runScript(name: string, node: string): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve, reject) => {
        const env = {
            ...process.env,
            PATH: [path.join(ROOT, "node_modules", ".bin"), path.dirname(node), process.env["PATH"]].join(
                path.delimiter,
            ),
            npm_lifecycle_event: name,
        };
        const child = spawn("sh", ["-c", pkg.scripts[name]!], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, out, err }));
    });
}

describe("the Node.js guard (dev/nodeGuard.cjs)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const guard = require("../../dev/nodeGuard.cjs") as {
        problem(version: string, required: number): string | undefined;
        requiredMajor(): number;
    };

    it("asks for package.json's engines.node, and names the version it found", () => {
        assert.equal(guard.requiredMajor(), REQUIRED);
        assert.equal(
            guard.problem("20.20.2", 22),
            'needs Node.js 22 or newer, this is v20.20.2 (see README, "Prerequisites")',
        );
        assert.equal(guard.problem("v18.0.0", 22)?.includes("this is v18.0.0"), true);
        assert.equal(guard.problem("22.0.0", 22), undefined);
        assert.equal(guard.problem("24.1.0", 22), undefined);
    });

    it("lets every script start on this Node.js, silently", () => {
        const r = execFileSync(process.execPath, [path.join(ROOT, "dev", "nodeGuard.cjs")], { encoding: "utf8" });
        assert.equal(r, "");
    });

    it("stops npm test and every other script on an older Node.js: exit 1, one line, no stack trace", async function () {
        const old = olderNode();
        if (old === undefined) {
            // Nothing older than engines.node is installed here, so there is nothing to start the scripts with. CI's
            // machine has one (its own Node 20): there a missing one is a broken test, not a reason to skip.
            assert.ok(!process.env["CI"], "CI: no Node.js older than engines.node found to prove the guard with");
            this.skip();
        }
        this.timeout(60_000);
        const names = Object.keys(pkg.scripts).sort();
        assert.ok(names.includes("test") && names.includes("plan") && names.includes("lint"));
        const runs = await Promise.all(names.map((n) => runScript(n, old.bin)));
        const found = names.map((n, i) => [n, runs[i]!.code, runs[i]!.out, runs[i]!.err]);
        const expected = names.map((n) => {
            const command = n === "test" ? "npm test" : `npm run ${n}`;
            const line = `${command}: needs Node.js ${REQUIRED} or newer, this is ${old.version} (see README, "Prerequisites")\n`;
            return [n, 1, "", line];
        });
        assert.deepEqual(found, expected);
    });

    it("stops the test runner run by hand too, before its imports (node dev/test/main.mjs)", function () {
        const old = olderNode();
        if (old === undefined) {
            assert.ok(!process.env["CI"], "CI: no Node.js older than engines.node found to prove the guard with");
            this.skip();
        }
        const env = { ...process.env };
        delete env["npm_lifecycle_event"];
        let r: { status: number | null; stderr: string };
        try {
            execFileSync(old.bin, ["dev/test/main.mjs"], { cwd: ROOT, env, encoding: "utf8", stdio: "pipe" });
            r = { status: 0, stderr: "" };
        } catch (err) {
            r = err as { status: number | null; stderr: string };
        }
        assert.deepEqual(
            [r.status, r.stderr],
            [
                1,
                `dev/test/main.mjs: needs Node.js ${REQUIRED} or newer, this is ${old.version} (see README, "Prerequisites")\n`,
            ],
        );
    });
});
