import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commitWrite, planWrite } from "../commands/safeWrite";

/** Writing a person's file on real files in a temporary folder, removed after each test. */
describe("safe writes (commands/safeWrite.ts)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "safe-write-")));
    });
    afterEach(() => {
        fs.chmodSync(dir, 0o700);
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const p = (...parts: string[]) => path.join(dir, ...parts);
    const refusal = (file: string) => {
        try {
            planWrite(file, "use --print-env");
        } catch (err) {
            return (err as Error).message;
        }
        return "planned";
    };

    it("replaces a file atomically, mode 0600, reading it at write time", () => {
        fs.writeFileSync(p("f"), "old\n", { mode: 0o644 });
        const plan = planWrite(p("f"));
        fs.writeFileSync(p("f"), "changed meanwhile\n");
        commitWrite(plan, (text) => `${text}new\n`);
        assert.equal(fs.readFileSync(p("f"), "utf8"), "changed meanwhile\nnew\n");
        assert.equal(fs.statSync(p("f")).mode & 0o777, 0o600);
        assert.deepEqual(fs.readdirSync(dir), ["f"]);
    });

    it("follows a chain of relative links to the end, and writes there, keeping every link", () => {
        fs.mkdirSync(p("a", "b"), { recursive: true });
        fs.writeFileSync(p("a", "b", "real"), "x\n");
        fs.symlinkSync("b/real", p("a", "link2"));
        fs.symlinkSync("a/link2", p("link1"));
        const plan = planWrite(p("link1"));
        assert.equal(plan.target, p("a", "b", "real"));
        commitWrite(plan, () => "y\n");
        assert.equal(fs.readlinkSync(p("link1")), "a/link2");
        assert.equal(fs.readlinkSync(p("a", "link2")), "b/real");
        assert.equal(fs.readFileSync(p("link1"), "utf8"), "y\n");
    });

    it("creates the missing target of a dangling link, as `aws configure set` does", () => {
        fs.symlinkSync("dotfiles/credentials", p("credentials"));
        commitWrite(planWrite(p("credentials")), () => "[s]\n");
        assert.ok(fs.lstatSync(p("credentials")).isSymbolicLink());
        assert.equal(fs.readFileSync(p("dotfiles", "credentials"), "utf8"), "[s]\n");
    });

    it("refuses a file with no write bit, whoever runs it (root ignores mode bits; the owner's intent does not)", () => {
        for (const mode of [0o400, 0o444, 0o440]) {
            fs.writeFileSync(p("ro"), "x");
            fs.chmodSync(p("ro"), mode);
            assert.match(
                refusal(p("ro")),
                /ro is read-only \(mode 0[0-7]{3}\), so it is left alone: `chmod u\+w .*ro` to allow the write, or use --print-env/,
            );
            fs.rmSync(p("ro"));
        }
    });

    it("refuses a loop of links, a folder, and a device", () => {
        fs.symlinkSync("b", p("a"));
        fs.symlinkSync("a", p("b"));
        assert.match(refusal(p("a")), /a is a loop of symbolic links/);
        assert.match(refusal(dir), /is a folder, not a file/);
        assert.match(refusal("/dev/null"), /\/dev\/null is not a regular file/);
    });

    it("names the link and its target when the target's folder is read-only", () => {
        fs.mkdirSync(p("locked"));
        fs.writeFileSync(p("locked", "real"), "x");
        fs.symlinkSync("locked/real", p("link"));
        fs.chmodSync(p("locked"), 0o555);
        assert.match(
            refusal(p("link")),
            /^the folder .*\/locked is read-only \(mode 0555\), and the write needs it \(a new real is renamed over the old one\): `chmod u\+w .*\/locked`, or use --print-env$/,
        );
        fs.chmodSync(p("locked"), 0o700);
    });
});
