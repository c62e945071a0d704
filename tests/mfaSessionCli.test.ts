import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { PassThrough } from "node:stream";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { terminalPrompt } from "../cli/command";
import { awsAnswers, awsCalls, BEFORE, removeWorlds, sessionCalls, sts, world } from "./mfaSessionWorld";

/** The command line as the README documents it: exit 2 for any bad argument, 130 for Ctrl+C, one line each. */
describe("mfa-session command line", () => {
    beforeEach(awsAnswers);
    afterEach(removeWorlds);

    it("prints --help, with the exit statuses", async () => {
        const r = await world().run(["--help"]);
        assert.equal(r.code, 0);
        assert.match(r.out[0]!, /^usage: mfa-session \[--profile NAME\] \[--serial-number ARN\] \[--token-code CODE\]/);
        assert.match(r.out[0]!, /Exit status: 0 done; 1 failed .*; 2 bad command line;\s+130 interrupted/);
    });

    describe("exits 2 with one line, before reading a file or calling AWS, for", () => {
        const role = ["--role-arn", "arn:aws:iam::123456789012:role/x"];
        for (const [what, argv, message] of [
            ["an unknown flag", ["--mfa", "x"], /^unknown option --mfa/],
            ["a flag without its value", ["--profile"], /^--profile needs a value/],
            ["a stray argument", ["k3s-admin"], /^unexpected argument k3s-admin/],
            ["a duration that is not a number", ["--duration-seconds", "1h"], /whole number of seconds, got "1h"/],
            [
                "a negative duration (util.parseArgs's own message is three lines)",
                ["--duration-seconds", "-5"],
                /^--duration-seconds needs a value; write one that starts with "-" as --duration-seconds=VALUE/,
            ],
            ["a negative duration written with =", ["--duration-seconds=-5"], /whole number of seconds, got "-5"/],
            ["a code that is not 6 digits", ["--token-code", "12345"], /^--token-code must be 6 digits/],
            ["a session shorter than 15 minutes", ["--duration-seconds", "60"], /from 900 to 3600 here, got 60/],
            // Issue 20 §1: a user session older than userMfaMaxAgeSeconds stops acting as admin; none is issued.
            [
                "a user session past userMfaMaxAgeSeconds",
                ["--duration-seconds", "3601"],
                /from 900 to 3600 here, got 3601/,
            ],
            ["a session token longer than 36 hours", ["--duration-seconds", "129600"], /from 900 to 3600/],
            [
                "a stack-role session longer than the role's hour",
                ["--stack", "dev", "--duration-seconds", "3601"],
                /from 900 to 3600/,
            ],
            ["both --role-arn and --stack", ["--stack", "dev", ...role], /--role-arn or --stack, not both/],
            ["a role ARN that is not one", ["--role-arn", "k3s-admin-mfa"], /--role-arn must be an IAM role ARN/],
            ["a stack name that is a path", ["--stack", "../dev"], /--stack must be a stack name/],
            ["a serial number that is not one", ["--serial-number", "123"], /--serial-number must be an MFA device/],
            ["overwriting the long-term keys", ["--session-profile", "k3s-admin"], /must differ from --profile/],
            ["a session profile that breaks the file", ["--session-profile", "x]\n[y"], /without \[ \] or line/],
            ["a session name AWS refuses", [...role, "--role-session-name", "a"], /2 to 64 letters/],
            ["a session name in user mode", ["--role-session-name", "ab"], /needs --role-arn or --stack/],
            ["a region that is not one", ["--region", "eu west 1"], /--region must be an AWS region/],
        ] as const) {
            it(what, async () => {
                const w = world();
                const r = await w.run(["--profile", "k3s-admin", ...argv], { prompt: async () => "123456" });
                assert.equal(r.code, 2, r.err.join("\n"));
                assert.equal(r.err.length, 1);
                assert.match(r.err[0]!, /^mfa-session: .* \(see --help\)$/);
                assert.match(r.err[0]!.replace(/^mfa-session: /, ""), message);
                assert.equal(awsCalls(), 0);
                assert.deepEqual(r.asked, []);
                assert.equal(fs.readFileSync(w.file, "utf8"), BEFORE);
            });
        }
    });

    describe("Ctrl+C and Ctrl+D at the code prompt (a real readline on a stand-in terminal)", () => {
        /** Answers the question with `keys`, typed on a terminal readline (node:readline's _ttyWrite handles them). */
        function typing(keys: string) {
            const input = new PassThrough();
            const ask = terminalPrompt(input, new PassThrough(), true);
            return (q: string) => {
                const answer = ask(q);
                setImmediate(() => input.write(keys));
                return answer;
            };
        }

        it("Ctrl+C: one line, exit 130, no session asked for, nothing written", async () => {
            const w = world();
            const r = await w.run(["--profile", "k3s-admin"], { prompt: typing("\u0003") });
            assert.equal(r.code, 130);
            assert.deepEqual(r.err, [
                "mfa-session: interrupted at the MFA prompt (Ctrl+C); no session was requested, nothing was written",
            ]);
            assert.equal(sessionCalls(), 0);
            assert.equal(fs.readFileSync(w.file, "utf8"), BEFORE);
        });

        it("Ctrl+D: one line, exit 1", async () => {
            const r = await world().run(["--profile", "k3s-admin"], { prompt: typing("\u0004") });
            assert.equal(r.code, 1);
            assert.deepEqual(r.err, [
                "mfa-session: no MFA code entered (Ctrl+D); no session was requested, nothing was written",
            ]);
        });

        it("a code typed and Enter still works", async () => {
            const r = await world().run(["--profile", "k3s-admin"], { prompt: typing("135790\r") });
            assert.equal(r.code, 0, r.err.join("\n"));
        });
    });

    describe("progress (issue #9 part 5: it sat silent for 25 s against a slow STS)", () => {
        it("on a terminal, says what it waits for before each AWS call, on stderr", async () => {
            const role = "arn:aws:iam::123456789012:role/k3s-admin-mfa";
            const r = await world().run(["--profile", "k3s-admin", "--role-arn", role, "--token-code", "123456"], {
                tty: true,
            });
            assert.equal(r.code, 0);
            assert.deepEqual(r.err.slice(0, -1), [
                "mfa-session: looking up the identity of profile k3s-admin…",
                "mfa-session: finding the MFA device of profile k3s-admin…",
                `mfa-session: asking STS (us-east-1) for a session of ${role}…`,
            ]);
            assert.deepEqual(r.out, []);
        });

        it("says nothing extra when stderr is not a terminal (CI, a log file)", async () => {
            const r = await world().run(["--profile", "k3s-admin", "--token-code", "123456"], { tty: false });
            assert.equal(r.err.length, 1);
        });
    });

    describe("RoleSessionName: the caller's own user name (the stack's trust requires it; issue #12)", () => {
        const assume = (profile: string, ...more: string[]) => [
            ...["--profile", profile, "--role-arn", "arn:aws:iam::123456789012:role/k3s-admin-mfa"],
            ...["--token-code", "123456", ...more],
        ];
        const sessionName = () => sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleSessionName;

        for (const profile of ["a", "team/admin", "k3s-admin"]) {
            it(`profile ${JSON.stringify(profile)} of user k3s-admin assumes the role as k3s-admin`, async () => {
                const w = world();
                fs.appendFileSync(w.file, `[${profile}]\naws_access_key_id = AKIA\naws_secret_access_key = s\n`);
                const r = await w.run(assume(profile));
                assert.equal(r.code, 0, r.err.join("\n"));
                assert.equal(sessionName(), "k3s-admin");
            });
        }

        it("falls back to a valid name made from the profile when the keys are not an IAM user's", async () => {
            const w = world();
            sts.on(GetCallerIdentityCommand).resolves({
                Account: "123456789012",
                Arn: "arn:aws:sts::123456789012:assumed-role/ops/x",
            });
            fs.appendFileSync(w.file, `[a]\naws_access_key_id = AKIA\naws_secret_access_key = s\n`);
            assert.equal((await w.run(assume("a"))).code, 0);
            assert.equal(sessionName(), "a-mfa-session");
        });

        it("keeps an explicit --role-session-name for another role", async () => {
            const r = await world().run(assume("k3s-admin", "--role-session-name", "ops-audit"));
            assert.equal(r.code, 0, r.err.join("\n"));
            assert.equal(sessionName(), "ops-audit");
        });
    });
});
