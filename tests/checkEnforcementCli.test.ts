import * as assert from "node:assert/strict";
import { AccessDeniedException, ValidatePolicyCommand } from "@aws-sdk/client-accessanalyzer";
import {
    GetRoleCommand,
    GetUserPolicyCommand,
    ListAccessKeysCommand,
    ListMFADevicesCommand,
    SimulatePrincipalPolicyCommand,
    SimulatePrincipalPolicyCommandInput,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, AssumeRoleCommandInput, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { mfaEnforcementPolicy, mfaTrustPolicy } from "../components/policies";
import { assumeRoleChain, awsClients, ClientSettings, Credentials, parseAssumeRoles } from "../cli/awsSession";
import { ARGS_ENV, main, MakeClients } from "../checks/command";
import { stsMock } from "./iamAccount";

const USER_ARN = "arn:aws:iam::123456789012:user/k3s-admin";
const ROLE_ARN = "arn:aws:iam::123456789012:role/k3s-admin-mfa";
const FLAGS = [
    ...["--user-arn", USER_ARN, "--policy-name", "k3s-admin-ui-cli-with-mfa", "--role-arn", ROLE_ARN],
    ...["--mfa-max-age-seconds", "3600", "--max-wait-seconds", "0"],
];

function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

/** A deployed, enforced account answering by command, for the end-to-end path through `main`. */
function enforcedAccount(
    accountId = "123456789012",
    validate: () => Promise<unknown> = async () => ({ findings: [] }),
    credentials: { activeKeys: number; devices: number } = { activeKeys: 0, devices: 0 },
) {
    const send = async (cmd: object): Promise<unknown> => {
        if (cmd instanceof ValidatePolicyCommand) return validate();
        if (cmd instanceof GetCallerIdentityCommand) return { Account: accountId };
        if (cmd instanceof GetUserPolicyCommand)
            return { PolicyDocument: encodeURIComponent(JSON.stringify(mfaEnforcementPolicy())) };
        if (cmd instanceof ListAccessKeysCommand)
            return {
                AccessKeyMetadata: Array.from({ length: credentials.activeKeys }, (_, i) => ({
                    AccessKeyId: `AKIA${i}`,
                    Status: "Active",
                })),
            };
        if (cmd instanceof ListMFADevicesCommand)
            return {
                MFADevices: Array.from({ length: credentials.devices }, (_, i) => ({
                    SerialNumber: `arn:aws:iam::123456789012:mfa/k3s-admin-${i}`,
                })),
            };
        if (cmd instanceof GetRoleCommand) {
            const trust = mfaTrustPolicy({ principalArn: USER_ARN, mfaMaxAgeSeconds: 3600 });
            return { Role: { AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)) } };
        }
        if (cmd instanceof SimulatePrincipalPolicyCommand) {
            const input = cmd.input as SimulatePrincipalPolicyCommandInput;
            const mfa = (input.ContextEntries ?? []).length > 0;
            return {
                EvaluationResults: (input.ActionNames ?? []).map((a) =>
                    mfa || a === "sts:GetSessionToken"
                        ? { EvalActionName: a, EvalDecision: "allowed" }
                        : {
                              EvalActionName: a,
                              EvalDecision: "explicitDeny",
                              MatchedStatements: [
                                  { SourcePolicyId: "k3s-admin-ui-cli-with-mfa", SourcePolicyType: "user" },
                              ],
                          },
                ),
            };
        }
        throw new Error(`unexpected ${cmd.constructor.name}`);
    };
    return { iam: { send }, sts: { send }, accessAnalyzer: { send } } as unknown as Awaited<ReturnType<MakeClients>>;
}

describe("check-enforcement command line", () => {
    it("prints --help and exits 0", async () => {
        const c = capture();
        assert.equal(await main(["--help"], c.io, {}), 0);
        assert.match(c.out.join("\n"), /^usage: check-enforcement --user-arn ARN --policy-name NAME --role-arn ARN/);
    });

    it("exits 2 with one line on stderr for missing, unknown or malformed flags", async () => {
        const c = capture();
        assert.equal(await main(["--user-arn", USER_ARN], c.io, {}), 2);
        assert.equal(await main(["--user", "x"], c.io, {}), 2);
        assert.equal(await main([...FLAGS.slice(0, 6), "--mfa-max-age-seconds", "soon"], c.io, {}), 2);
        assert.equal(await main([], c.io, { [ARGS_ENV]: "--user-arn x" }), 2);
        // util.parseArgs's own message for a value starting with "-" runs to three lines.
        assert.equal(await main([...FLAGS, "--max-wait-seconds", "-5"], c.io, {}), 2);
        assert.equal(c.err.length, 5);
        assert.ok(c.err.every((l) => l.startsWith("check-enforcement: ") && !l.includes("\n")));
    });

    it("reads its flags from CHECK_ENFORCEMENT_ARGS when none are given, and hands the settings to the clients", async () => {
        const c = capture();
        let seen: ClientSettings | undefined;
        const env = {
            [ARGS_ENV]: JSON.stringify([...FLAGS, "--region", "eu-west-1", "--profile", "admin"]),
            CHECK_ENFORCEMENT_STS_REGION: "eu-central-1",
            CHECK_ENFORCEMENT_ASSUME_ROLES: JSON.stringify([{ roleArn: "arn:aws:iam::123456789012:role/deploy" }]),
        };
        const code = await main([], c.io, env, async (s) => {
            seen = s;
            return enforcedAccount();
        });
        assert.equal(code, 0, c.err.join("\n"));
        assert.match(c.out[0]!, /^enforcement verified for arn:aws:iam::123456789012:user\/k3s-admin: /);
        assert.deepEqual(seen, {
            region: "eu-west-1",
            profile: "admin",
            stsRegion: "eu-central-1",
            assumeRoles: [{ roleArn: "arn:aws:iam::123456789012:role/deploy" }],
        });
    });

    it("exits 1 on an open enrolment window only with --fail-on-enrolment-window (the drift run's flag)", async () => {
        const open = async () => enforcedAccount(undefined, undefined, { activeKeys: 1, devices: 0 });
        const c = capture();
        assert.equal(await main(FLAGS, c.io, {}, open), 0);
        assert.match(c.out.join("\n"), /\nENROLMENT WINDOW OPEN: k3s-admin has 1 active access key/);
        assert.equal(await main([...FLAGS, "--fail-on-enrolment-window"], c.io, {}, open), 1);
        assert.equal(c.err.length, 1);
        assert.match(c.err[0]!, /^check-enforcement: ENROLMENT WINDOW OPEN: k3s-admin has 1 active access key/);
    });

    it("exits 1 on a second MFA device unless --max-mfa-devices allows it, and 2 for a count IAM cannot hold", async () => {
        const two = async () => enforcedAccount(undefined, undefined, { activeKeys: 1, devices: 2 });
        const c = capture();
        assert.equal(await main(FLAGS, c.io, {}, two), 1);
        assert.match(c.err[0]!, /^check-enforcement: SECOND MFA DEVICE: k3s-admin has 2 MFA devices/);
        assert.equal(await main([...FLAGS, "--max-mfa-devices", "2"], c.io, {}, two), 0);
        for (const bad of ["0", "9", "two"])
            assert.equal(await main([...FLAGS, "--max-mfa-devices", bad], c.io, {}, two), 2, bad);
        assert.match(c.err.at(-1)!, /--max-mfa-devices must be an integer from 1 to 8/);
    });

    it("exits 1 with one line on stderr, and never prints a credential it holds", async () => {
        const c = capture();
        const env = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG" };
        const leaky: MakeClients = async () => {
            throw Object.assign(new Error("key AKIAIOSFODNN7EXAMPLE\nwith wJalrXUtnFEMI/K7MDENG refused"), {
                name: "X",
            });
        };
        assert.equal(await main(FLAGS, c.io, env, leaky), 1);
        assert.deepEqual(c.err, ["check-enforcement: key [secret] with [secret] refused"]);
        assert.equal(await main(FLAGS, c.io, {}, async () => enforcedAccount("999999999999")), 1);
        assert.match(c.err[1]!, /^check-enforcement: the check's AWS credentials reach account 999999999999/);
    });

    it("exits 1 with one line naming access-analyzer:ValidatePolicy when the deployer may not validate", async () => {
        const c = capture();
        const denied = async () => {
            throw new AccessDeniedException({
                message: "User is not authorized to perform: access-analyzer:ValidatePolicy",
                $metadata: {},
            });
        };
        assert.equal(await main(FLAGS, c.io, {}, async () => enforcedAccount(undefined, denied)), 1);
        assert.deepEqual(c.err, [
            "check-enforcement: the deployer may not call access-analyzer:ValidatePolicy (AccessDenied), which validates " +
                "the stored policies: grant it, or turn the check off with `pulumi config set verifyEnforcement false`",
        ]);
    });

    it("documents the extra permission in --help", async () => {
        const c = capture();
        assert.equal(await main(["--help"], c.io, {}), 0);
        assert.match(c.out.join("\n"), /iam:ListMFADevices and access-analyzer:ValidatePolicy/);
    });
});

describe("check-enforcement's Access Analyzer client", () => {
    afterEach(() => stsMock.reset());

    it("gets the IAM client's region, profile and role-chain credentials", async () => {
        // The real function and real clients; only the role chain's AssumeRole is answered in place of STS.
        stsMock.on(AssumeRoleCommand).resolves({
            Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: "s1", SessionToken: "t1", Expiration: new Date(0) },
        });
        const role = "arn:aws:iam::123456789012:role/deploy";
        const clients = await awsClients({ region: "eu-west-1", profile: "admin", assumeRoles: [{ roleArn: role }] });
        type Configured = {
            config: { region: () => Promise<string>; profile?: string; credentials: () => Promise<Credentials> };
        };
        const [iam, aa] = [clients.iam, clients.accessAnalyzer] as unknown as Configured[];
        assert.equal(await aa!.config.region(), await iam!.config.region());
        assert.equal(await aa!.config.region(), "eu-west-1");
        assert.equal(aa!.config.profile, "admin");
        assert.equal(aa!.config.profile, iam!.config.profile);
        assert.equal((await aa!.config.credentials()).accessKeyId, "ASIA1");
        assert.equal((await iam!.config.credentials()).accessKeyId, "ASIA1");
    });
});

describe("check-enforcement's way to the provider's account (aws:assumeRoles)", () => {
    it("assumes each role with the credentials of the one before, as the provider does", async () => {
        const calls: [AssumeRoleCommandInput, Credentials | undefined][] = [];
        const stsWith = (credentials: Credentials | undefined) => ({
            send: async (cmd: AssumeRoleCommand) => {
                calls.push([cmd.input, credentials]);
                const n = calls.length;
                return {
                    Credentials: {
                        AccessKeyId: `ASIA${n}`,
                        SecretAccessKey: `s${n}`,
                        SessionToken: `t${n}`,
                        Expiration: new Date(0),
                    },
                };
            },
        });
        const roles = parseAssumeRoles(
            JSON.stringify([
                { roleArn: "arn:aws:iam::111111111111:role/hub", externalId: "x-1", tags: { team: "k3s" } },
                { roleArn: "arn:aws:iam::123456789012:role/deploy", sessionName: "ci" },
            ]),
        );
        const last = await assumeRoleChain(roles, stsWith as never);
        assert.deepEqual(
            calls.map(([input, creds]) => [
                input.RoleArn,
                input.RoleSessionName,
                input.ExternalId,
                input.Tags,
                creds?.accessKeyId,
            ]),
            [
                [
                    "arn:aws:iam::111111111111:role/hub",
                    "k3s-admin-mfa-check",
                    "x-1",
                    [{ Key: "team", Value: "k3s" }],
                    undefined,
                ],
                ["arn:aws:iam::123456789012:role/deploy", "ci", undefined, undefined, "ASIA1"],
            ],
        );
        assert.equal(last?.accessKeyId, "ASIA2");
    });

    it("rejects a malformed aws:assumeRoles naming the setting, not its contents", () => {
        assert.deepEqual(parseAssumeRoles(undefined), []);
        assert.throws(
            () => parseAssumeRoles('[{"externalId":"secret-id"}]'),
            (e: Error) => /aws:assumeRoles/.test(e.message) && !e.message.includes("secret-id"),
        );
    });
});

describe("check-enforcement: messages that name the fix, and signs of life", () => {
    const failing = (error: Error) =>
        (async () => ({
            iam: { send: async () => Promise.reject(error) },
            sts: { send: async () => Promise.reject(error) },
        })) as unknown as MakeClients;
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });

    it("says what to set when no credentials are found, with and without a profile", async () => {
        const none = named("CredentialsProviderError", "Could not load credentials from any providers");
        let c = capture();
        assert.equal(await main(FLAGS, c.io, {}, failing(none), { tty: false }), 1);
        assert.deepEqual(c.err, [
            "check-enforcement: no AWS credentials found: pass --profile, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (under pulumi up: aws:profile, or aws:accessKey and aws:secretKey)",
        ]);
        const missing = named(
            "CredentialsProviderError",
            "Could not resolve credentials using profile: [nope] in configuration/credentials file(s).",
        );
        c = capture();
        assert.equal(await main([...FLAGS, "--profile", "nope"], c.io, {}, failing(missing), { tty: false }), 1);
        assert.match(
            c.err[0]!,
            /^check-enforcement: profile `nope` gave no credentials: check it exists .*aws configure list --profile nope/,
        );
    });

    it("says where to name a region when the SDK finds none", async () => {
        const c = capture();
        assert.equal(await main(FLAGS, c.io, {}, failing(named("Error", "Region is missing")), { tty: false }), 1);
        assert.deepEqual(c.err, [
            "check-enforcement: no AWS region: pass --region, set AWS_REGION, or put `region = …` in the profile (under pulumi up: aws:region)",
        ]);
    });

    it("reports each retry on stderr when stderr is a terminal, and stays quiet otherwise", async () => {
        const throttled = named("Throttling", "Rate exceeded");
        // --max-wait-seconds 2: one retry after a one-second wait, on a real clock (the sleep itself is skipped).
        const flags = FLAGS.map((f) => (f === "0" ? "2" : f));
        for (const tty of [true, false]) {
            const c = capture();
            assert.equal(await main(flags, c.io, {}, failing(throttled), { tty, sleep: async () => {} }), 1);
            const retries = c.err.filter((l) => / asking again in /.test(l));
            if (!tty) assert.deepEqual(retries, []);
            else
                assert.equal(
                    retries[0],
                    "check-enforcement: try 1 (0 s of at most 2 s): IAM answered Throttling; IAM may still be catching up, asking again in 1 s",
                );
            assert.match(c.err.at(-1)!, /^check-enforcement: enforcement check failed after \d tries/);
        }
    });
});
