import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IAMClient, ListMFADevicesCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { parse as parseIni } from "ini";
import { main } from "../scripts/mfa-session";

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const SERIAL = "arn:aws:iam::123456789012:mfa/k3s-admin";
const EXPIRES = new Date("2026-11-24T05:00:00Z");

/** A credentials file with other profiles and comments, which every run must keep exactly. */
const BEFORE = [
    "# my AWS keys",
    "[default]",
    "aws_access_key_id = AKIADEFAULT",
    "aws_secret_access_key = default-secret",
    "",
    "[k3s-admin]",
    "; the seed's long-term keys",
    "aws_access_key_id = AKIAK3SADMIN",
    "aws_secret_access_key = k3s-secret",
    "",
].join("\n");

interface World {
    home: string;
    file: string;
    env: NodeJS.ProcessEnv;
    run: (
        argv: string[],
        prompt?: (q: string) => Promise<string>,
    ) => Promise<{ code: number; out: string[]; err: string[] }>;
}

function world(): World {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "mfa-session-"));
    fs.mkdirSync(path.join(home, ".aws"));
    const file = path.join(home, ".aws", "credentials");
    fs.writeFileSync(file, BEFORE, { mode: 0o600 });
    const env = { HOME: home };
    return {
        home,
        file,
        env,
        run: async (argv, prompt) => {
            const out: string[] = [];
            const err: string[] = [];
            const clients = () => ({
                sts: new STSClient({ region: "us-east-1" }),
                iam: new IAMClient({ region: "us-east-1" }),
            });
            const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, env, clients, prompt);
            return { code, out, err };
        },
    };
}

const SESSION = {
    AccessKeyId: "ASIASESSION",
    SecretAccessKey: "session-secret",
    SessionToken: "session-token",
    Expiration: EXPIRES,
};

function awsAnswers(): void {
    iam.on(ListMFADevicesCommand).resolves({
        MFADevices: [{ UserName: "k3s-admin", SerialNumber: SERIAL, EnableDate: new Date() }],
    });
    sts.on(GetSessionTokenCommand).resolves({ Credentials: SESSION });
    sts.on(AssumeRoleCommand).resolves({ Credentials: SESSION, AssumedRoleUser: { Arn: "x", AssumedRoleId: "y" } });
    sts.on(GetCallerIdentityCommand).resolves({
        Account: "123456789012",
        Arn: "arn:aws:iam::123456789012:user/k3s-admin",
        UserId: "AIDA",
    });
}

function awsError(name: string, message: string, extra: object = {}): Error {
    return Object.assign(new Error(message), { name, ...extra });
}

const ini = (text: string) => JSON.parse(JSON.stringify(parseIni(text))) as Record<string, Record<string, string>>;

describe("mfa-session", () => {
    beforeEach(() => {
        sts.reset();
        iam.reset();
        awsAnswers();
    });

    it("user mode: finds the device, gets a session token and writes <profile>-session, keeping everything else", async () => {
        const w = world();
        const r = await w.run(["--profile", "k3s-admin", "--token-code", "123456"]);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.deepEqual(sts.commandCalls(GetSessionTokenCommand)[0]!.args[0].input, {
            SerialNumber: SERIAL,
            TokenCode: "123456",
            DurationSeconds: 43200,
        });
        const after = fs.readFileSync(w.file, "utf8");
        assert.ok(after.startsWith(BEFORE), "the existing profiles and comments are kept byte for byte");
        assert.deepEqual(ini(after)["k3s-admin-session"], {
            aws_access_key_id: "ASIASESSION",
            aws_secret_access_key: "session-secret",
            aws_session_token: "session-token",
        });
        assert.match(after, /# MFA session via mfa-session; expires 2026-11-24T05:00:00.000Z/);
        assert.equal(fs.statSync(w.file).mode & 0o777, 0o600);
        assert.deepEqual(r.out, []);
        assert.match(
            r.err[0]!,
            /^mfa-session: wrote profile k3s-admin-session to .*credentials; it expires 2026-11-24T05:00:00.000Z/,
        );
        assert.ok(!r.err.join("").includes("session-secret"), "no secret in the log");
    });

    it("replaces its own earlier session on the next run instead of adding a second one", async () => {
        const w = world();
        await w.run(["--profile", "k3s-admin", "--token-code", "123456"]);
        sts.on(GetSessionTokenCommand).resolves({ Credentials: { ...SESSION, AccessKeyId: "ASIANEWER" } });
        await w.run(["--profile", "k3s-admin", "--token-code", "654321"]);
        const after = fs.readFileSync(w.file, "utf8");
        assert.equal(after.match(/\[k3s-admin-session\]/g)?.length, 1);
        assert.equal(ini(after)["k3s-admin-session"]!["aws_access_key_id"], "ASIANEWER");
        assert.ok(after.startsWith(BEFORE));
    });

    it("role mode: assumes --role-arn with the MFA serial and code, for an hour by default", async () => {
        const w = world();
        const role = "arn:aws:iam::123456789012:role/k3s-admin-mfa";
        const r = await w.run(["--profile", "k3s-admin", "--role-arn", role, "--token-code", "123456"]);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.deepEqual(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input, {
            RoleArn: role,
            RoleSessionName: "k3s-admin",
            SerialNumber: SERIAL,
            TokenCode: "123456",
            DurationSeconds: 3600,
        });
        assert.equal(
            ini(fs.readFileSync(w.file, "utf8"))["k3s-admin-role-session"]!["aws_session_token"],
            "session-token",
        );
    });

    it("role mode with --stack: assumes the stack's role in the keys' own account", async () => {
        const w = world();
        const r = await w.run([
            "--profile",
            "k3s-admin",
            "--stack",
            "dev",
            "--token-code",
            "123456",
            "--serial-number",
            SERIAL,
        ]);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.equal(
            sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleArn,
            "arn:aws:iam::123456789012:role/k3s-admin-mfa",
        );
        assert.equal(iam.commandCalls(ListMFADevicesCommand).length, 0, "a given serial is not looked up");
    });

    it("--print-env prints export lines for eval and writes no file", async () => {
        const w = world();
        const r = await w.run(["--profile", "k3s-admin", "--token-code", "123456", "--print-env"]);
        assert.equal(r.code, 0);
        assert.deepEqual(r.out[0]!.split("\n"), [
            "export AWS_ACCESS_KEY_ID=ASIASESSION",
            "export AWS_SECRET_ACCESS_KEY=session-secret",
            "export AWS_SESSION_TOKEN=session-token",
            "export AWS_CREDENTIAL_EXPIRATION=2026-11-24T05:00:00.000Z",
        ]);
        assert.equal(fs.readFileSync(w.file, "utf8"), BEFORE);
    });

    it("asks for the code when none is given", async () => {
        const w = world();
        const questions: string[] = [];
        const r = await w.run(["--profile", "k3s-admin"], async (q) => {
            questions.push(q);
            return "246810\n";
        });
        assert.equal(r.code, 0);
        assert.deepEqual(questions, [`MFA code for ${SERIAL}: `]);
        assert.equal(sts.commandCalls(GetSessionTokenCommand)[0]!.args[0].input.TokenCode, "246810");
    });

    describe("refuses before calling AWS", () => {
        for (const [what, argv, message] of [
            ["a code that is not 6 digits", ["--token-code", "12345"], /--token-code must be 6 digits/],
            [
                "a session shorter than 15 minutes",
                ["--token-code", "123456", "--duration-seconds", "899"],
                /from 900 to 129600/,
            ],
            [
                "a session token longer than 36 hours",
                ["--token-code", "123456", "--duration-seconds", "129601"],
                /from 900 to 129600/,
            ],
            [
                "a stack-role session longer than the role's hour",
                ["--stack", "dev", "--token-code", "123456", "--duration-seconds", "3601"],
                /from 900 to 3600/,
            ],
            [
                "both --role-arn and --stack",
                ["--stack", "dev", "--role-arn", "arn:aws:iam::123456789012:role/x"],
                /--role-arn or --stack, not both/,
            ],
            [
                "overwriting the long-term keys",
                ["--token-code", "123456", "--session-profile", "k3s-admin"],
                /must differ from --profile/,
            ],
        ] as const) {
            it(what, async () => {
                const w = world();
                const r = await w.run(["--profile", "k3s-admin", ...argv]);
                assert.equal(r.code, 1);
                assert.equal(r.err.length, 1);
                assert.match(r.err[0]!, message);
                assert.equal(
                    sts.commandCalls(GetSessionTokenCommand).length + sts.commandCalls(AssumeRoleCommand).length,
                    0,
                );
                assert.equal(fs.readFileSync(w.file, "utf8"), BEFORE);
            });
        }

        it("a code typed at the prompt that is not 6 digits", async () => {
            const w = world();
            const r = await w.run(["--profile", "k3s-admin"], async () => "12 34 56");
            assert.equal(r.code, 1);
            assert.match(r.err[0]!, /the MFA code must be 6 digits/);
            assert.equal(sts.commandCalls(GetSessionTokenCommand).length, 0);
        });
    });

    describe("fails with one clear line and leaves the credentials file byte for byte unchanged", () => {
        const cases: [string, () => void, string[], RegExp][] = [
            [
                "a wrong or reused code",
                () =>
                    sts
                        .on(GetSessionTokenCommand)
                        .rejects(
                            awsError(
                                "AccessDenied",
                                "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                            ),
                        ),
                [],
                /^mfa-session: the MFA code was wrong or has already been used: wait for the next code and try again$/,
            ],
            [
                "no MFA device enrolled",
                () => iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] }),
                [],
                /^mfa-session: no MFA device is enrolled for the keys of profile `k3s-admin`: enrol one first/,
            ],
            [
                "an unknown source profile",
                () => undefined,
                ["--profile", "nobody"],
                /^mfa-session: AWS profile `nobody` is not in .*credentials or .*config/,
            ],
            [
                "expired keys",
                () =>
                    sts
                        .on(GetSessionTokenCommand)
                        .rejects(awsError("ExpiredToken", "The security token included in the request is expired")),
                [],
                /^mfa-session: the keys of profile `k3s-admin` are invalid or expired \(ExpiredToken\)/,
            ],
            [
                "invalid keys",
                () =>
                    iam
                        .on(ListMFADevicesCommand)
                        .rejects(
                            awsError("InvalidClientTokenId", "The security token included in the request is invalid."),
                        ),
                [],
                /^mfa-session: the keys of profile `k3s-admin` are invalid or expired \(InvalidClientTokenId\)/,
            ],
            [
                "no network",
                () =>
                    iam
                        .on(ListMFADevicesCommand)
                        .rejects(awsError("Error", "getaddrinfo ENOTFOUND iam.amazonaws.com", { code: "ENOTFOUND" })),
                [],
                /^mfa-session: cannot reach AWS \(ENOTFOUND\): check the network and try again$/,
            ],
            [
                "a role the keys may not assume",
                () =>
                    sts
                        .on(AssumeRoleCommand)
                        .rejects(
                            awsError(
                                "AccessDenied",
                                "User: arn:aws:iam::123456789012:user/k3s-admin is not authorized to perform: sts:AssumeRole",
                            ),
                        ),
                ["--role-arn", "arn:aws:iam::123456789012:role/other"],
                /^mfa-session: not allowed to assume arn:aws:iam::123456789012:role\/other: User: .* is not authorized/,
            ],
        ];
        for (const [what, arrange, argv, message] of cases) {
            it(what, async () => {
                arrange();
                const w = world();
                const r = await w.run(["--profile", "k3s-admin", "--token-code", "123456", ...argv]);
                assert.equal(r.code, 1);
                assert.equal(r.err.length, 1);
                assert.match(r.err[0]!, message);
                assert.ok(!r.err[0]!.includes("\n"));
                assert.equal(fs.readFileSync(w.file, "utf8"), BEFORE);
                assert.deepEqual(
                    fs.readdirSync(path.dirname(w.file)),
                    ["credentials"],
                    "no temporary file left behind",
                );
            });
        }
    });

    describe("command line", () => {
        it("prints --help", async () => {
            const r = await world().run(["--help"]);
            assert.equal(r.code, 0);
            assert.match(
                r.out[0]!,
                /^usage: mfa-session \[--profile NAME\] \[--serial-number ARN\] \[--token-code CODE\]/,
            );
        });
        it("exits 2 for an unknown flag or a duration that is not a number", async () => {
            const w = world();
            for (const argv of [
                ["--mfa", "x"],
                ["--duration-seconds", "1h"],
            ]) {
                const r = await w.run(argv);
                assert.equal(r.code, 2);
                assert.match(r.err[0]!, /^mfa-session: .*\(see --help\)$/);
            }
        });
    });
});
