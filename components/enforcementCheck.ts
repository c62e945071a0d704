import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { awsProviderSettings } from "../config";
import type { AdminUser } from "./adminUser";
import type { MfaRole } from "./mfaRole";

/** Every `aws:` setting of the stack: key without the prefix → the raw string Pulumi stores (JSON for lists). */
export type AwsSettings = Readonly<Record<string, pulumi.Input<string> | undefined>>;

export interface EnforcementCheckArgs {
    /** The user whose MFA enforcement is checked; the check runs after the user and both its policies exist. */
    readonly admin: AdminUser;
    /** The MFA role; the check runs after it and proves its trust policy as IAM stores it. */
    readonly role: MfaRole;
    /** The role's limit on `aws:MultiFactorAuthAge` (config `mfaMaxAgeSeconds`). */
    readonly mfaMaxAgeSeconds: number;
    /** The stack's AWS provider settings, so the check reaches the same account. Default: none (the environment). */
    readonly awsSettings?: AwsSettings;
    /** How long to wait for IAM to catch up before failing the update. Default: 60 s. */
    readonly maxWaitSeconds?: number;
    /** MFA devices the admin may hold before the check fails (config `maxMfaDevices`). Default: 1. */
    readonly maxMfaDevices?: number;
}

/** A provider setting the check cannot honour: it would talk to another account, or with other credentials. */
export class SettingError extends Error {}

const OFF = "turn the check off with `pulumi config set verifyEnforcement false`";
const refused = (key: string, why: string) =>
    new SettingError(`aws:${key} ${why}, so the enforcement check cannot run; ${OFF}`);

function jsonList(key: string, raw: string): unknown[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        parsed = undefined;
    }
    if (!Array.isArray(parsed)) throw refused(key, "is not a JSON list");
    return parsed;
}

/** A list of shared files: the SDK for JavaScript reads one of each kind, from the variable AWS documents. */
const oneFile = (variable: string) => (raw: string, key: string) => {
    const files = jsonList(key, raw).filter((f): f is string => typeof f === "string" && f !== "");
    if (files.length > 1) throw refused(key, "lists more than one file (the check's AWS SDK reads one)");
    return files.length === 1 ? { [variable]: files[0]! } : {};
};

const to = (variable: string) => (raw: string) => ({ [variable]: raw });

type Carry = { env: (raw: string, key: string) => Record<string, string> };

/**
 * Settings that change neither the account nor the credentials the check uses. The two account lists need no
 * copy either: the check compares the account it reaches with the user's, which the provider already held to them.
 */
const IGNORED = new Set(
    (
        "allowedAccountIds forbiddenAccountIds defaultTags ignoreTags tagPolicyCompliance maxRetries retryMode " +
        "tokenBucketRateLimiterCapacity s3UsePathStyle s3UsEast1RegionalEndpoint skipCredentialsValidation " +
        "skipMetadataApiCheck skipRegionValidation skipRequestingAccountId userAgents"
    ).split(" "),
);

/**
 * Each `aws:` setting of @pulumi/aws 7 (config/vars.d.ts): carried over as the environment variable the AWS SDK for
 * JavaScript reads (or one cli/awsSession.ts reads), ignored because it does not change which account or which
 * credentials the check uses, or refused.
 */
const RULES: Readonly<Record<string, Carry | { refuse: string }>> = {
    region: { env: to("AWS_REGION") },
    profile: { env: to("AWS_PROFILE") },
    accessKey: { env: to("AWS_ACCESS_KEY_ID") },
    secretKey: { env: to("AWS_SECRET_ACCESS_KEY") },
    token: { env: to("AWS_SESSION_TOKEN") },
    sharedCredentialsFiles: { env: oneFile("AWS_SHARED_CREDENTIALS_FILE") },
    sharedConfigFiles: { env: oneFile("AWS_CONFIG_FILE") },
    assumeRoles: {
        env: (raw, key) => {
            const ok = jsonList(key, raw).every(
                (r) => typeof (r as { roleArn?: unknown } | null)?.roleArn === "string",
            );
            if (!ok) throw refused(key, "has a role without a roleArn");
            return { CHECK_ENFORCEMENT_ASSUME_ROLES: raw };
        },
    },
    stsRegion: { env: to("CHECK_ENFORCEMENT_STS_REGION") },
    endpoints: {
        env: (raw, key) => {
            const urls = Object.assign({}, ...jsonList(key, raw)) as Record<string, unknown>;
            const env: Record<string, string> = {};
            // Only the services the check calls matter; AWS_ENDPOINT_URL_<SERVICE ID> is the SDK's own variable
            // (@smithy/core getEndpointUrlConfig), keyed as the provider's `endpoints` names them.
            for (const service of ["iam", "sts", "accessanalyzer"]) {
                if (typeof urls[service] === "string") env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] = urls[service];
            }
            return env;
        },
    },
    customCaBundle: { env: to("NODE_EXTRA_CA_CERTS") },
    ec2MetadataServiceEndpoint: { env: to("AWS_EC2_METADATA_SERVICE_ENDPOINT") },
    ec2MetadataServiceEndpointMode: { env: to("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") },
    useFipsEndpoint: { env: to("AWS_USE_FIPS_ENDPOINT") },
    useDualstackEndpoint: { env: to("AWS_USE_DUALSTACK_ENDPOINT") },
    insecure: {
        env: (raw, key) => {
            if (raw !== "false") throw refused(key, "turns off TLS verification");
            return {};
        },
    },
    assumeRoleWithWebIdentity: { refuse: "uses web identity federation, which the check does not" },
    httpProxy: { refuse: "sends AWS calls through a proxy, which the check does not" },
    httpsProxy: { refuse: "sends AWS calls through a proxy, which the check does not" },
    noProxy: { refuse: "tunes a proxy, which the check does not use" },
};

/** Throws for a setting the check refuses whatever its value, so `pulumi up` stops before anything runs. */
export function ruleFor(key: string): Carry | "ignore" {
    if (IGNORED.has(key)) return "ignore";
    const rule = Object.prototype.hasOwnProperty.call(RULES, key) ? RULES[key]! : undefined;
    // A key the provider does not know (a typo such as aws:regon) changes nothing the provider does, so it changes
    // nothing for the check either; loadConfig already warns about it.
    if (rule === undefined && !awsProviderSettings().includes(key)) return "ignore";
    if (rule === undefined) throw refused(key, "is a provider setting the check does not know how to carry over");
    if ("refuse" in rule) throw refused(key, rule.refuse);
    return rule;
}

const NO_KEYS = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_SESSION_TOKEN: "" };

/**
 * The environment the check needs to reach the provider's account, from the provider's settings; throws a
 * SettingError naming the first setting it cannot honour. Values are never put in a message: some are secrets.
 */
export function checkEnvironment(settings: Readonly<Record<string, string | undefined>>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, raw] of Object.entries(settings)) {
        const rule = raw === undefined ? "ignore" : ruleFor(key);
        if (rule !== "ignore") Object.assign(env, rule.env(raw!, key));
    }
    const { accessKey, secretKey, token, profile } = settings;
    if (accessKey !== undefined || secretKey !== undefined || token !== undefined) {
        if (!accessKey || !secretKey) throw refused("accessKey", "and aws:secretKey are not set together");
        // The provider's own keys win over any profile (aws-sdk-go-base getCredentialsProvider); the SDK for
        // JavaScript skips AWS_ACCESS_KEY_ID while AWS_PROFILE is set (credential-provider-node defaultProvider), so
        // the deployer's profile is cleared, and so is a session token that would not belong to these keys.
        env["AWS_PROFILE"] = "";
        env["AWS_SESSION_TOKEN"] = token ?? "";
    } else if (profile) {
        // A named profile wins over keys in the environment in both SDKs; clearing them makes that explicit.
        Object.assign(env, NO_KEYS);
    }
    return env;
}

/**
 * The check's summary line from the command's stdout, which a state can lack: a refresh with the stray
 * @pulumi/command 4.5.0 kept only the inputs, and the SDK resolves the missing output as a known `undefined` at an
 * update. pulumi-command v1.2.1 records stdout on every run (commandOutputs.go, run) and its refresh keeps the state
 * as stored (pulumi-go-provider v1.3.0 infer/resource.go, Read with no CustomRead), so nothing restores it; and its
 * Update and Delete decode the state with stdout required (hydrateFromState, ende.Decode), so they fail on that
 * state until it is dropped.
 */
export function summaryOf(stdout: string | undefined, urn: string): string {
    if (typeof stdout === "string") return stdout.trim();
    return (
        "enforcement check: no output in the state (left by a refresh with @pulumi/command 4.5.0), and the provider " +
        `cannot update or delete it so; run \`pulumi state delete '${urn}'\`, then \`pulumi up\` runs the check again`
    );
}

/**
 * The proof inside `pulumi up`: after the user, both its policies and the role exist, checks/main.ts
 * asks IAM whether the Deny bites without MFA and lifts with it, and reads the role's trust policy as IAM stores
 * it. A failure fails the update. It runs again whenever the user, either policy or the role's trust changes.
 */
export class EnforcementCheck extends pulumi.ComponentResource {
    public readonly check: command.local.Command;
    /** The check's one-line summary. */
    public readonly summary: pulumi.Output<string>;

    constructor(name: string, args: EnforcementCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k3s-admin-mfa:iam:EnforcementCheck", name, {}, opts);
        const { admin, role } = args;
        const settings = args.awsSettings ?? {};

        // A setting refused whatever its value stops the program here, before anything is deployed; one refused
        // for its value (which may be a secret, known only inside apply) stops it before the command runs.
        const checked = <T>(f: () => T): T => {
            try {
                return f();
            } catch (err) {
                throw new pulumi.ResourceError((err as Error).message, this, true);
            }
        };
        checked(() => Object.entries(settings).forEach(([key, value]) => value !== undefined && ruleFor(key)));
        const awsEnv = pulumi.all(settings).apply((values) => checked(() => checkEnvironment(values)));

        const argv = pulumi
            .all([admin.userArn, admin.policyName, role.roleArn])
            .apply(([userArn, policyName, roleArn]) => [
                ...["--user-arn", userArn, "--policy-name", policyName, "--role-arn", roleArn],
                ...["--mfa-max-age-seconds", String(args.mfaMaxAgeSeconds)],
                ...["--max-wait-seconds", String(args.maxWaitSeconds ?? 60)],
                ...["--max-mfa-devices", String(args.maxMfaDevices ?? 1)],
            ]);

        this.check = new command.local.Command(
            `${name}-simulate`,
            {
                // As pulumi-command v1.2.1 (the version locked; tests/dependencies.test.ts holds them together) runs it:
                // `run` (provider/pkg/provider/local/commandOutputs.go) execs `[...interpreter, create]`, no shell on
                // any OS (`/bin/sh -c` or `cmd /C` only without an interpreter), with `dir` unset in the provider's
                // working directory: the project, where the engine starts every plugin (pulumi v3.259.0
                // sdk/go/common/resource/plugin/plugin.go, ExecPlugin: cmd.Dir = pwd). So the paths are relative.
                // `environment` is appended to the provider's own; it is stored in the state with the other inputs
                // (local/command.go: CommandOutputs embeds CommandInputs), as a secret when a setting is one, and
                // run's error names the command and its output, never the environment. stdout and stderr are
                // logged as they come (`logging` unset: local/logging.go, ShouldLogStdout); the script prints
                // names and ARNs only. No `delete`: commandController.go, Delete, runs nothing without one.
                interpreter: ["node", "-r", "ts-node/register/transpile-only"],
                create: "checks/main.ts",
                environment: pulumi
                    .all([argv, awsEnv])
                    .apply(([flags, env]) => ({ ...env, CHECK_ENFORCEMENT_ARGS: JSON.stringify(flags) })),
                // Replaced, and so run again, when the user, either policy or the role's trust policy changes
                // (common/inputs.go: `triggers` is replaceOnChanges). A change to any other input, e.g. the
                // environment, is an Update, which runs `create` again (commandController.go, Update).
                triggers: [
                    admin.userArn,
                    admin.policyName,
                    admin.mfaPolicyDocument.apply((d) => JSON.stringify(d)),
                    admin.adminPolicyArn,
                    role.roleArn,
                    role.role.assumeRolePolicy,
                ],
            },
            { parent: this, dependsOn: [admin.user, admin.mfaPolicy, admin.adminAttachment, role.role] },
        );

        this.summary = pulumi.all([this.check.stdout, this.check.urn]).apply(([out, urn]) => summaryOf(out, urn));
        this.registerOutputs({ summary: this.summary });
    }
}
