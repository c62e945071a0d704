import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AdminUser } from "../components/adminUser";
import { EnforcementCheck, EnforcementCheckArgs, summaryOf } from "../components/enforcementCheck";
import { MfaRole } from "../components/mfaRole";
import { mfaEnforcementPolicy, mfaTrustPolicy } from "../components/policies";
import { argvOf, parseFlags } from "../checks/command";
import { early, inBackground } from "./early";
import { inputsOf, MockAws, parseUrn, promiseOf, registrationOf, settle, useMocks } from "./mocks";

const ROOT = path.resolve(__dirname, "..");

/** The user, the role and the check, as index.ts declares them. */
function stack(
    mocks: MockAws,
    names: { policy?: string; role?: string } = {},
    extra: Partial<EnforcementCheckArgs> = {},
) {
    const admin = new AdminUser("a", { userName: "k3s-admin", policyName: names.policy ?? "p", hardened: true });
    const role = new MfaRole("a", {
        roleName: names.role ?? "k3s-admin-mfa",
        userArns: [admin.knownUserArn],
        users: [admin.user],
        roleTrust: "user",
        mfaMaxAgeSeconds: 900,
    });
    const check = new EnforcementCheck("a", { admin, role, mfaMaxAgeSeconds: 900, ...extra });
    return { admin, role, check, inputs: () => inputsOf(mocks, check.check) };
}

/**
 * What pulumi-command v1.2.1's `run` (provider/pkg/provider/local/commandOutputs.go) executes: argv
 * `[...interpreter, create]` through Go's exec.CommandContext, no shell, with `environment` appended to the provider's
 * own environment.
 */
function asRun(inputs: Record<string, unknown>): { argv: string[]; env: Record<string, string> } {
    return {
        argv: [...(inputs["interpreter"] as string[]), inputs["create"] as string],
        env: inputs["environment"] as Record<string, string>,
    };
}

/** The environment as the run began: the process below may start while other files' tests change process.env. */
const ENV = { ...process.env };

/**
 * The check as pulumi-command runs it, with the values a component declared under the mocks (a space and quotes
 * included). The component is declared before the first test (or in the test, when only some files run); the
 * process, which loads ts-node and the SDK for about a second, then runs while other files' tests do
 * (tests/early.ts). An STS endpoint that refuses at once: exit 1 (a check failure) rather than 2 (bad arguments)
 * shows the flags arrived intact; no request leaves the machine.
 */
const refusedCheck = early(
    ({ argv, env }) =>
        new Promise<{ code: number; stderr: string }>((resolve) => {
            const local = {
                ...env,
                AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9",
                // The refusal is certain: the SDK's own retries would only add their back-off to the test.
                AWS_MAX_ATTEMPTS: "1",
                AWS_REGION: "us-east-1",
                AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
                AWS_SECRET_ACCESS_KEY: "secret",
                AWS_PROFILE: "",
            };
            inBackground(
                execFile(argv[0]!, argv.slice(1), { cwd: ROOT, env: { ...ENV, ...local } }, (err, _stdout, stderr) =>
                    resolve({ code: err ? Number(err.code) : 0, stderr }),
                ),
            );
        }),
    () => undefined,
    async () => {
        try {
            return asRun(await stack(useMocks(), { policy: `p "q" r`, role: "it's a role" }).inputs());
        } finally {
            await settle(); // nothing of this component may reach the next test's mocks, even when it failed
        }
    },
);

describe("EnforcementCheck (the proof inside pulumi up)", () => {
    it("runs the check script with node directly: no shell, so no quoting on any OS", async () => {
        const { argv } = asRun(await stack(useMocks()).inputs());
        assert.deepEqual(argv, ["node", "-r", "ts-node/register/transpile-only", "checks/main.ts"]);
    });

    it("hands the script exactly the values it was given, a space and quotes included", async () => {
        const s = stack(useMocks(), { policy: `p "q" r`, role: "it's a role" });
        const { argv, env } = asRun(await s.inputs());
        // node consumes `-r ts-node/register/transpile-only` and the script path; the script sees no arguments.
        const flags = parseFlags(argvOf(argv.slice(4), env));
        assert.deepEqual(
            { ...flags },
            {
                help: false,
                userArn: "arn:aws:iam::123456789012:user/k3s-admin",
                policyName: `p "q" r`,
                roleArn: "arn:aws:iam::123456789012:role/it's a role",
                mfaMaxAgeSeconds: 900,
                maxWaitSeconds: 60,
                // Issue #20's defaults: one device expected, an open enrolment window reported, not failed.
                maxMfaDevices: 1,
                failOnEnrolmentWindow: false,
                region: undefined,
                profile: undefined,
            },
        );
    });

    it("reaches the script through a real process started without a shell, which parses every value", async () => {
        const run = await refusedCheck();
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /^check-enforcement: .*ECONNREFUSED.*\n$/);
    });

    it("allows as many MFA devices per admin as it is told (a backup device), and one by default", async () => {
        const s = stack(useMocks(), {}, { maxMfaDevices: 2 });
        const { argv, env } = asRun(await s.inputs());
        assert.equal(parseFlags(argvOf(argv.slice(4), env)).maxMfaDevices, 2);
    });

    it("runs after the user, its policies and the role, and again when any of them or the trust policy changes", async () => {
        const mocks = useMocks();
        const s = stack(mocks);
        const inputs = await s.inputs();
        const trust = mfaTrustPolicy({
            principalArn: "arn:aws:iam::123456789012:user/k3s-admin",
            mfaMaxAgeSeconds: 900,
        });
        assert.deepEqual(inputs["triggers"], [
            "arn:aws:iam::123456789012:user/k3s-admin",
            "p",
            JSON.stringify(mfaEnforcementPolicy({ hardened: true })),
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::123456789012:role/k3s-admin-mfa",
            trust,
        ]);
        const deps = registrationOf(mocks, "command:local:Command").dependencies;
        for (const r of [s.admin.user, s.admin.mfaPolicy, s.admin.adminAttachment, s.role.role]) {
            assert.ok(deps.includes(await promiseOf(r.urn)), await promiseOf(r.urn));
        }
    });

    it("passes the provider's settings in the environment, and a secret one stays secret", async () => {
        const mocks = useMocks();
        const s = stack(
            mocks,
            {},
            { awsSettings: { region: "eu-west-1", secretKey: pulumi.secret("wJalr"), accessKey: "AKID" } },
        );
        await s.inputs();
        // Sent to the engine as a secret envelope, so the state and the preview show it as [secret].
        const sent = registrationOf(mocks, "command:local:Command").object["environment"] as Record<string, unknown>;
        assert.equal(sent[pulumi.runtime.specialSigKey], pulumi.runtime.specialSecretSig);
        assert.deepEqual(
            { ...(sent["value"] as Record<string, string>), CHECK_ENFORCEMENT_ARGS: undefined },
            {
                AWS_REGION: "eu-west-1",
                AWS_ACCESS_KEY_ID: "AKID",
                AWS_SECRET_ACCESS_KEY: "wJalr",
                AWS_PROFILE: "",
                AWS_SESSION_TOKEN: "",
                CHECK_ENFORCEMENT_ARGS: undefined,
            },
        );
    });

    it("stops the program at declaration when a setting cannot be carried over, naming it", () => {
        assert.throws(
            () => stack(useMocks(), {}, { awsSettings: { httpsProxy: "http://proxy:3128" } }),
            (e: Error) =>
                pulumi.ResourceError.isInstance(e) &&
                /^aws:httpsProxy .*pulumi config set verifyEnforcement false`$/.test(e.message),
        );
    });

    it("is the command's parent, and exposes the command's output as its summary", async () => {
        const { check } = stack(useMocks());
        assert.equal(parseUrn(await promiseOf(check.check.urn)).parentType, "k3s-admin-mfa:iam:EnforcementCheck");
        assert.equal(await promiseOf(check.summary), "not run under mocks");
    });

    it("survives an update whose command state has no stdout (a refresh with @pulumi/command 4.5.0 kept only inputs)", async () => {
        const mocks = useMocks();
        // The engine hands the SDK the state as stored; after that refresh it is the inputs alone, and the SDK
        // resolves the missing `stdout` as a known undefined outside a preview (sdk/nodejs/runtime/resource.ts).
        const asCreated = mocks.newResource.bind(mocks);
        mocks.newResource = (args) => {
            const result = asCreated(args);
            return args.type === "command:local:Command" ? { ...result, state: { ...args.inputs } } : result;
        };
        const { check } = stack(mocks);
        const urn = await promiseOf(check.check.urn);
        assert.equal(await promiseOf(check.check.stdout), undefined);
        assert.equal(await promiseOf(check.summary), summaryOf(undefined, urn));
        assert.match(await promiseOf(check.summary), /pulumi state delete '[^']*::a-simulate'/);
    });
});
