import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { handoverFiles, SCRIPTS } from "../../handover/person";
import { CODES } from "../awsStandIn";
import { early } from "../early";
import { credentialsOf, run, startPersonWorld, type PersonWorld } from "../personWorld";
import { boolInsteadOfBoolIfExists } from "../standIn/world";

/**
 * What mfa-session and prove-mfa guarantee, held by the hand-over's scripts run with the Debian AWS CLI against the
 * stand-in: the credentials file byte-identical on failure, links kept, read-only files left alone, the exit
 * statuses, one-line errors, no secret printed, the session cap, and prove-door's negative control (Bool for
 * BoolIfExists lets long-term keys through, and the script says so and fails).
 */

const OTHER = "# mine\n[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other-secret\n\n";

interface Case {
    readonly home: string;
    readonly dir: string;
}

function place(w: PersonWorld, root: string, name: string): Case {
    const home = path.join(root, name);
    const dir = path.join(home, "handover");
    fs.mkdirSync(path.join(home, ".aws"), { recursive: true });
    fs.writeFileSync(path.join(home, ".aws/credentials"), OTHER + credentialsOf(w), { mode: 0o600 });
    fs.mkdirSync(dir);
    for (const [file, text] of Object.entries(handoverFiles(w.args))) fs.writeFileSync(path.join(dir, file), text);
    return { home, dir };
}

const sh = (w: PersonWorld, c: Case, script: string, args: string[], input = "") =>
    run(["sh", path.join(c.dir, script), ...args], w.env(c.home), input);

const ran = early(
    async () => {
        const w = await startPersonWorld();
        try {
            const root = path.join(w.shared, "cases");
            const r: Record<string, { code: number; out: string; err: string; before?: string; after?: string }> = {};
            const file = (c: Case) => path.join(c.home, ".aws/credentials");
            const read = (c: Case) => fs.readFileSync(file(c), "utf8");

            let c = place(w, root, "help");
            for (const s of SCRIPTS.filter((n) => n !== "ini.sh")) r[`help ${s}`] = await sh(w, c, s, ["--help"]);
            r["too long"] = await sh(w, c, "session.sh", ["--duration-seconds", "3601", "--token-code", CODES[0]!]);
            r["bad flag"] = await sh(w, c, "prove-door.sh", ["--tokencode", "1"]);
            r["no terminal"] = await sh(w, c, "session.sh", []);

            c = place(w, root, "readonly");
            fs.chmodSync(file(c), 0o400);
            const before = read(c);
            r["read-only"] = { ...(await sh(w, c, "session.sh", ["--token-code", CODES[0]!])), before, after: read(c) };
            const logged = w.standIn.log.length;

            // Three cases, each in a HOME of its own and with its own code, run at once (each is mostly an AWS CLI run).
            const wrong = place(w, root, "wrong-code");
            const link = place(w, root, "link");
            fs.renameSync(file(link), path.join(link.home, "real-credentials"));
            fs.symlinkSync("../real-credentials", file(link));
            const env = place(w, root, "print-env");
            const [wrongRun, linkRun, envRun] = await Promise.all([
                sh(w, wrong, "session.sh", ["--token-code", "000000"]),
                sh(w, link, "session.sh", ["--token-code", CODES[1]!]),
                sh(w, env, "session.sh", ["--print-env", "--token-code", CODES[2]!]),
            ]);
            r["wrong code"] = { ...wrongRun, before: OTHER + credentialsOf(w), after: read(wrong) };
            r["link"] = {
                ...linkRun,
                before: fs.lstatSync(file(link)).isSymbolicLink() ? "still a link" : "replaced",
                after: fs.readFileSync(path.join(link.home, "real-credentials"), "utf8"),
            };
            r["print-env"] = { ...envRun, after: read(env) };

            w.standIn.use({ userPolicy: boolInsteadOfBoolIfExists });
            c = place(w, root, "bool");
            r["bool"] = await sh(w, c, "prove-door.sh", ["--token-code", CODES[3]!]);
            return { r, logged, secrets: w.standIn.world.account, w };
        } finally {
            await w.close();
        }
    },
    () => undefined,
);

describe("the hand-over's scripts keep what mfa-session and prove-mfa guarantee", function () {
    let t: Awaited<ReturnType<typeof ran>>;
    before(async function () {
        this.timeout(600_000); // about 10 AWS CLI runs, a second of CPU each
        t = await ran();
    });

    it("every script answers --help with its usage and exit statuses, on stdout, exit 0", () => {
        const commands = SCRIPTS.filter((n) => n !== "ini.sh");
        assert.equal(commands.length, 3);
        for (const s of commands) {
            const h = t.r[`help ${s}`]!;
            assert.equal(h.code, 0, h.err);
            assert.match(h.out, new RegExp(`^usage: sh ${s.replace(".", "\\.")}`));
            assert.match(h.out, /Exit status: 0 /);
        }
    });

    it("caps the user session at the stack's userMfaMaxAgeSeconds, with exit 2 before AWS is asked", () => {
        assert.equal(t.r["too long"]!.code, 2);
        assert.equal(
            t.r["too long"]!.err,
            "session.sh: --duration-seconds must be from 900 to 3600 (the stack's userMfaMaxAgeSeconds), got 3601\n",
        );
        assert.equal(t.r["bad flag"]!.code, 2);
        assert.equal(t.r["bad flag"]!.err, "prove-door.sh: unknown argument --tokencode (see --help)\n");
        assert.equal(t.r["no terminal"]!.code, 1);
        assert.equal(t.r["no terminal"]!.err, "session.sh: no --token-code given and no terminal to ask for it\n");
    });

    it("leaves a read-only credentials file alone, byte for byte, before any code is spent", () => {
        const x = t.r["read-only"]!;
        assert.equal(x.code, 1);
        assert.match(
            x.err,
            /^session\.sh: \S+credentials is read-only, so it is left alone: make it writable \(chmod u\+w\) or use --print-env\n$/,
        );
        assert.equal(x.after, x.before);
        assert.equal(t.logged, 0, "no request reached AWS");
    });

    it("a refused code fails in one line naming the fix, and the file is byte-identical", () => {
        const x = t.r["wrong code"]!;
        assert.equal(x.code, 1);
        assert.equal(
            x.err,
            "session.sh: AWS refused the code (wrong, or already used): wait for the next one and run again\n",
        );
        assert.equal(x.after, x.before);
    });

    it("writes through a link, keeps the other profiles, and prints no secret", () => {
        const x = t.r["link"]!;
        assert.equal(x.code, 0, x.err);
        assert.equal(x.before, "still a link");
        assert.ok(x.after!.startsWith(OTHER), "the other profile and comment are kept");
        assert.match(
            x.after!,
            /\n\[k3s-admin-session\]\n# MFA session via session\.sh; expires \S+\naws_access_key_id = ASIA\w+\naws_secret_access_key = \S+\naws_session_token = \S+\nregion = us-east-1\n$/,
        );
        const secret = /aws_secret_access_key = (\S+)\naws_session_token = (\S+)\nregion/.exec(x.after!)!;
        for (const s of [secret[1]!, secret[2]!])
            assert.ok(!x.out.includes(s) && !x.err.includes(s), "no secret printed");
        assert.equal(x.out, "");
    });

    it("--print-env prints export lines and writes nothing", () => {
        const x = t.r["print-env"]!;
        assert.equal(x.code, 0, x.err);
        assert.deepEqual(
            x.out.split("\n").map((l) => l.split("=")[0]),
            [
                "export AWS_ACCESS_KEY_ID",
                "export AWS_SECRET_ACCESS_KEY",
                "export AWS_SESSION_TOKEN",
                "export AWS_CREDENTIAL_EXPIRATION",
                "",
            ],
        );
        assert.equal(x.after, OTHER + credentialsOf(t.w));
    });

    it("negative control: with Bool for BoolIfExists, prove-door.sh reports step 1 not holding and exits 1", () => {
        const x = t.r["bool"]!;
        assert.equal(x.code, 1, x.out + x.err);
        assert.match(
            x.out.split("\n")[0]!,
            /^step 1: .* DryRunOperation \(would have succeeded\): long-term keys alone can launch EC2: .*\[DID NOT HOLD\]$/,
        );
        assert.doesNotMatch(x.err, /the door holds/);
    });
});
