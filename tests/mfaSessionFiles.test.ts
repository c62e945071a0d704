import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { awsAnswers, awsCalls, BEFORE, ini, removeWorlds, sessionCalls, snapshot, world } from "./mfaSessionWorld";

/**
 * Issue #9: mfa-session must respect the files it writes. Real files in a temporary HOME; every refusal happens
 * before AWS is called or a code is asked for, and leaves every file, mode and link exactly as it was.
 */
describe("mfa-session and the files it writes", () => {
    beforeEach(awsAnswers);
    afterEach(removeWorlds);

    const ARGV = ["--profile", "k3s-admin"];
    const code = async () => "123456";

    /** Runs, then checks the refusal: exit 1, one line matching `message`, no AWS call, no question, no change. */
    async function refuses(w: ReturnType<typeof world>, message: RegExp, argv: string[] = ARGV): Promise<void> {
        const before = snapshot(w.home);
        const r = await w.run(argv, { prompt: code });
        assert.equal(r.code, 1, r.err.join("\n"));
        assert.equal(r.err.length, 1);
        assert.match(r.err[0]!, message);
        assert.equal(awsCalls(), 0, "AWS is not called");
        assert.deepEqual(r.asked, [], "no code is asked for, so none is spent");
        assert.deepEqual(snapshot(w.home), before, "every file, mode and link is as it was");
    }

    it("refuses a read-only credentials file (0400), naming it and the fix, even when run as root", async () => {
        const w = world();
        fs.chmodSync(w.file, 0o400);
        await refuses(
            w,
            /^mfa-session: .*\/\.aws\/credentials is read-only \(mode 0400\), so it is left alone: `chmod u\+w .*\/\.aws\/credentials` to allow the write, or use --print-env$/,
        );
        assert.equal(fs.statSync(w.file).mode & 0o777, 0o400);
    });

    it("--print-env still works with a read-only credentials file", async () => {
        const w = world();
        fs.chmodSync(w.file, 0o400);
        const r = await w.run([...ARGV, "--print-env"], { prompt: code });
        assert.equal(r.code, 0, r.err.join("\n"));
    });

    it("writes through a symlinked credentials file to its target, and keeps the link", async () => {
        const w = world();
        const dotfiles = path.join(w.home, "dotfiles", "aws");
        fs.mkdirSync(dotfiles, { recursive: true });
        fs.renameSync(w.file, path.join(dotfiles, "credentials"));
        fs.symlinkSync("../dotfiles/aws/credentials", w.file);
        const r = await w.run(ARGV, { prompt: code });
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.ok(fs.lstatSync(w.file).isSymbolicLink(), "still a link");
        assert.equal(fs.readlinkSync(w.file), "../dotfiles/aws/credentials");
        const target = fs.readFileSync(path.join(dotfiles, "credentials"), "utf8");
        assert.ok(target.startsWith(BEFORE));
        assert.equal(ini(target)["k3s-admin-session"]!["aws_session_token"], "session-token");
        assert.equal(fs.statSync(path.join(dotfiles, "credentials")).mode & 0o777, 0o600);
        assert.deepEqual(fs.readdirSync(dotfiles), ["credentials"], "no temporary file left in the target's folder");
        assert.deepEqual(fs.readdirSync(path.dirname(w.file)), ["credentials"]);
        assert.match(r.err[0]!, /to .*\/\.aws\/credentials \(a link to .*\/dotfiles\/aws\/credentials\)/);
    });

    it("refuses a link whose target is read-only, naming the target", async () => {
        const w = world();
        const real = path.join(w.home, "credentials.real");
        fs.renameSync(w.file, real);
        fs.chmodSync(real, 0o444);
        fs.symlinkSync(real, w.file);
        await refuses(
            w,
            /credentials \(a link to .*credentials\.real\) is read-only \(mode 0444\).*chmod u\+w .*credentials\.real/,
        );
    });

    it("creates a missing ~/.aws (0700) and the file (0600) when it can", async () => {
        const w = world();
        fs.rmSync(path.dirname(w.file), { recursive: true });
        const config = path.join(w.home, "config");
        fs.writeFileSync(config, "[profile k3s-admin]\naws_access_key_id = AKIA\naws_secret_access_key = s\n");
        w.env["AWS_CONFIG_FILE"] = config;
        const r = await w.run(ARGV, { prompt: code });
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.equal(fs.statSync(path.dirname(w.file)).mode & 0o777, 0o700);
        assert.equal(fs.statSync(w.file).mode & 0o777, 0o600);
        assert.deepEqual(Object.keys(ini(fs.readFileSync(w.file, "utf8"))), ["k3s-admin-session"]);
    });

    it("refuses when the file's folder cannot be created: a file is in the way", async () => {
        const w = world();
        fs.writeFileSync(path.join(w.home, "blocker"), "not a folder");
        w.env["AWS_SHARED_CREDENTIALS_FILE"] = path.join(w.home, "blocker", "aws", "credentials");
        w.env["AWS_CONFIG_FILE"] = w.file; // the long-term keys, as a config file may hold them
        await refuses(w, /^mfa-session: cannot create .*\/blocker\/aws: .*\/blocker is a file, not a folder$/);
    });

    it("refuses when the file's folder cannot be created: its parent is read-only (0500)", async () => {
        const w = world();
        const locked = path.join(w.home, "locked");
        fs.mkdirSync(locked, { mode: 0o500 });
        w.env["AWS_SHARED_CREDENTIALS_FILE"] = path.join(locked, "aws", "credentials");
        w.env["AWS_CONFIG_FILE"] = w.file;
        await refuses(
            w,
            /^mfa-session: the folder .*\/locked is read-only \(mode 0500\), and the write needs it to create .*\/locked\/aws: `chmod u\+w .*\/locked`, or use --print-env$/,
        );
    });

    it("refuses a read-only ~/.aws folder: the new file is renamed over the old one there", async () => {
        const w = world();
        fs.chmodSync(path.dirname(w.file), 0o500);
        await refuses(
            w,
            /^mfa-session: the folder .*\/\.aws is read-only \(mode 0500\), and the write needs it \(a new credentials is renamed over the old one\)/,
        );
    });

    it("refuses a credentials path that is a folder", async () => {
        const w = world();
        w.env["AWS_SHARED_CREDENTIALS_FILE"] = path.join(w.home, ".aws");
        w.env["AWS_CONFIG_FILE"] = w.file;
        await refuses(w, /^mfa-session: .*\/\.aws is a folder, not a file: move it away, or use --print-env$/);
    });

    it("when the write still fails after STS answered, names the credentials file, not a temporary file", async () => {
        const w = world();
        const before = fs.readFileSync(w.file, "utf8");
        // Something changes between the checks and the write: the file becomes a folder while the code is typed.
        const r = await w.run(ARGV, {
            prompt: async () => {
                fs.rmSync(w.file);
                fs.mkdirSync(w.file);
                fs.writeFileSync(path.join(w.file, "kept"), before);
                return "123456";
            },
        });
        assert.equal(r.code, 1);
        assert.equal(sessionCalls(), 1);
        assert.deepEqual(r.err, [
            `mfa-session: could not write ${w.file}: illegal operation on a directory (EISDIR); it was left as it was`,
        ]);
        assert.deepEqual(fs.readdirSync(path.dirname(w.file)), ["credentials"], "no temporary file left behind");
    });

    it("keeps the owner of someone else's file when root writes it (sudo must not take it over)", async function () {
        if (process.getuid?.() !== 0) this.skip();
        const w = world();
        fs.chownSync(w.file, 4242, 4343);
        const r = await w.run(ARGV, { prompt: code });
        assert.equal(r.code, 0, r.err.join("\n"));
        const st = fs.statSync(w.file);
        assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [4242, 4343, 0o600]);
    });
});
