import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Issue 21, item 5: `--help` of every command under 0.3 s. cli/launch.cjs answers a help-only command line from the
 * command's usage.txt, with no TypeScript and no AWS SDK; these tests hold it to the command's own answer, byte for
 * byte, and prove what it does not load (the timing itself is dev/bench/person.sh's).
 */

const ROOT = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

type Io = { out: (l: string) => void; err: (l: string) => void };

/** Each command's help as its own TypeScript prints it in this process: every `io.out` line ends with a newline. */
const IN_PROCESS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
    "check-enforcement": async (argv, io) => (await import("../../checks/command")).main(argv, io, {}),
    "mfa-session": async (argv, io) => (await import("../../commands/mfa-session/command")).main(argv, io, { env: {} }),
    "prove-mfa": async (argv, io) => (await import("../../commands/prove-mfa/command")).main(argv, io, { env: {} }),
    "revoke-sessions-policy": async (argv, io) =>
        (await import("../../commands/revoke-sessions/policy")).main(argv, io),
    "check-dependencies": async (argv, io) => (await import("../../dev/dependencies/command")).main(argv, io),
    plan: async (argv, io) => (await import("../../analysis/plan")).main(argv, io),
};

async function inProcess(name: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await IN_PROCESS[name]!(argv, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`) });
    return { code, out, err };
}

/** Runs a shell command line as `npm run` runs a script (@npmcli/run-script: `sh -c` in the project). */
function sh(line: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn("sh", ["-c", line], {
            cwd: ROOT,
            env: {
                ...process.env,
                PATH: [path.join(ROOT, "node_modules", ".bin"), process.env["PATH"]].join(path.delimiter),
                ...env,
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, out, err }));
    });
}

describe("--help through cli/launch.cjs (issue 21, item 5)", function () {
    this.timeout(60_000);

    it("starts every TypeScript command of package.json, after the Node.js guard", () => {
        const launched = Object.keys(pkg.scripts).filter((s) => pkg.scripts[s]!.includes("cli/launch.cjs"));
        assert.deepEqual(launched.sort(), Object.keys(IN_PROCESS).sort());
        for (const name of launched)
            assert.match(pkg.scripts[name]!, /^node -r \.\/dev\/nodeGuard\.cjs cli\/launch\.cjs [\w/-]+\.ts$/, name);
        // No other script starts a command through ts-node's preload any more.
        for (const [name, script] of Object.entries(pkg.scripts))
            if (/(^|\s)(checks|commands|analysis|dev\/dependencies)\/[\w/-]+\.ts/.test(script))
                assert.ok(launched.includes(name), `${name} bypasses cli/launch.cjs`);
    });

    for (const name of Object.keys(IN_PROCESS)) {
        it(`${name}: what npm runs prints the command's own help, byte for byte, exit 0`, async () => {
            const own = await inProcess(name, ["--help"]);
            assert.equal(own.code, 0);
            assert.match(own.out, /^usage: /);
            for (const flags of ["--help", "-h", "-h --help --"]) {
                const got = await sh(`${pkg.scripts[name]!} ${flags}`, { npm_lifecycle_event: name });
                assert.equal(got.err, "", flags);
                assert.equal(got.out, own.out, flags);
                assert.equal(got.code, 0, flags);
            }
        });
    }

    it("leaves every other command line to the command: --help with another flag is decided as before", async () => {
        const got = await sh(`${pkg.scripts["revoke-sessions-policy"]!} --help --bogus`);
        const own = await inProcess("revoke-sessions-policy", ["--help", "--bogus"]);
        assert.equal(got.code, 2);
        assert.equal(got.err, own.err);
        assert.equal(got.out, "");
        const both = await sh(`${pkg.scripts["revoke-sessions-policy"]!} --help --before 2026-12-02T17:00:00Z`);
        assert.equal(both.code, 0);
        assert.equal(both.out, (await inProcess("revoke-sessions-policy", ["--help"])).out);
    });

    it("ends quietly with exit 0 when the reader of its help has gone (`--help | head -1`), as the command did", async () => {
        for (const flags of [["--help"], ["--help", "--before", "2026-12-02T17:00:00Z"]]) {
            const [node, ...args] = pkg.scripts["revoke-sessions-policy"]!.split(" ");
            const child = spawn(node!, [...args, ...flags], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
            child.stdout.destroy(); // closed before node has even started: its write meets EPIPE
            let err = "";
            child.stderr.on("data", (d) => (err += d));
            const code = await new Promise((resolve) => child.on("close", resolve));
            assert.equal(err, "", flags.join(" "));
            assert.equal(code, 0, flags.join(" "));
        }
    });

    it("check-enforcement answers --help before it reads its environment, as the launcher does", async () => {
        const { main } = await import("../../checks/command");
        let out = "";
        const io = { out: (l: string) => (out += `${l}\n`), err: () => undefined };
        assert.equal(await main(["--help"], io, { CHECK_ENFORCEMENT_ASSUME_ROLES: "not json" }), 0);
        assert.equal(out, (await inProcess("check-enforcement", ["--help"])).out);
    });

    it("runs the entry file's run() with the command line as given", async () => {
        const got = await sh(`${pkg.scripts["revoke-sessions-policy"]!} --before 2026-12-02T17:00:00Z`);
        assert.equal(got.code, 0, got.err);
        assert.match(got.out, /"aws:TokenIssueTime": "2026-12-02T17:00:00Z"/);
    });
});

describe("what cli/launch.cjs loads for --help", function () {
    this.timeout(60_000);
    const recorder = "./tests/fixtures/recordLoads.cjs";

    /** The TypeScript, ts-node and AWS SDK modules the command line loaded (tests/fixtures/recordLoads.cjs). */
    async function loads(name: string, flags: string): Promise<string[]> {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "k3s-launch-")), "loads");
        const script = pkg.scripts[name]!.replace(/^node /, `node -r ${recorder} `);
        const run = await sh(`${script} ${flags}`, { RECORD_LOADS_FILE: file });
        assert.notEqual(run.code, null);
        const text = fs.readFileSync(file, "utf8");
        fs.rmSync(path.dirname(file), { recursive: true });
        return text === "" ? [] : text.split("\n");
    }

    for (const name of Object.keys(IN_PROCESS)) {
        it(`${name} --help loads neither TypeScript, nor ts-node, nor the AWS SDK`, async () => {
            assert.deepEqual(await loads(name, "--help"), []);
        });
    }

    it("sees them when they are loaded: --help with an unknown flag goes through ts-node to the command", async () => {
        const seen = await loads("mfa-session", "--help --bogus");
        for (const heavy of ["typescript", "ts-node", "@aws-sdk/client-sts"]) assert.ok(seen.includes(heavy), heavy);
    });
});
