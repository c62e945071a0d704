/**
 * The check-enforcement command (its entry is checks/main.ts): proves, against the deployed account, that the admin user is locked without MFA and that the
 * role admits it only with a recent MFA sign-in (checks/enforcement.ts), then has IAM Access Analyzer validate both
 * stored documents (checks/validatePolicies.ts). Run by the EnforcementCheck component
 * during `pulumi up`; usable by hand too:
 *
 *   npm run check-enforcement -- --user-arn arn:aws:iam::123456789012:user/k3s-admin \
 *       --policy-name k3s-admin-ui-cli-with-mfa --role-arn arn:aws:iam::123456789012:role/k3s-admin-mfa \
 *       --mfa-max-age-seconds 3600 [--region us-east-1] [--profile admin] [--max-wait-seconds 60] \
 *       [--max-mfa-devices 1] [--fail-on-enrolment-window]
 *
 * Exit status 0 with a one-line summary on stdout when every scenario holds; 1 with one line on stderr naming the
 * scenario that did not; 2 for bad arguments or settings.
 */
// Not from config.ts: that loads @pulumi/pulumi, which this command, run by every `pulumi up`, does not need.
import { MAX_MFA_AGE_SECONDS } from "../components/policies";
import {
    ASSUME_ROLES_ENV,
    awsClients,
    Clients,
    ClientSettings,
    parseAssumeRoles,
    STS_REGION_ENV,
} from "../cli/awsSession";
import { EXIT, type Io, parseFlags as parseCommandLine, usageText, UsageError } from "../cli/command";
import { checkEnforcement } from "./enforcement";

/** Under `pulumi up`, the flags arrive as a JSON list in this variable (components/enforcementCheck.ts). */
export const ARGS_ENV = "CHECK_ENFORCEMENT_ARGS";

export type MakeClients = (settings: ClientSettings) => Promise<Clients>;

/** The flags from the command line, or from CHECK_ENFORCEMENT_ARGS when there are none: no shell parses them. */
export function argvOf(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
    const carried = env[ARGS_ENV];
    if (argv.length > 0 || carried === undefined) return [...argv];
    let parsed: unknown;
    try {
        parsed = JSON.parse(carried);
    } catch {
        parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string"))
        throw new UsageError(`${ARGS_ENV} must be a JSON list of strings`);
    return parsed as string[];
}

const ARN = (kind: "user" | "role") => new RegExp(`^arn:[^:]+:iam::(\\d{12}):${kind}/(?:[^/]+/)*[^/]+$`);

export function parseFlags(argv: readonly string[]) {
    const text = { type: "string" } as const;
    const v = parseCommandLine([...argv], {
        "user-arn": text,
        "policy-name": text,
        "role-arn": text,
        "mfa-max-age-seconds": text,
        region: text,
        profile: text,
        "max-wait-seconds": text,
        "max-mfa-devices": text,
        "fail-on-enrolment-window": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
    });
    const int = (raw: string | undefined, fallback?: number) => (raw === undefined ? fallback : Number(raw));
    const flags = {
        help: v.help,
        userArn: v["user-arn"],
        policyName: v["policy-name"],
        roleArn: v["role-arn"],
        mfaMaxAgeSeconds: int(v["mfa-max-age-seconds"]),
        maxWaitSeconds: int(v["max-wait-seconds"], 60)!,
        maxMfaDevices: int(v["max-mfa-devices"], 1)!,
        failOnEnrolmentWindow: v["fail-on-enrolment-window"],
        region: v.region,
        profile: v.profile,
    };
    if (flags.help) return flags;
    const user = ARN("user").exec(flags.userArn ?? "");
    const role = ARN("role").exec(flags.roleArn ?? "");
    const age = flags.mfaMaxAgeSeconds;
    const wait = flags.maxWaitSeconds;
    if (!user || !role || user[1] !== role[1] || !flags.policyName)
        throw new UsageError("--user-arn, --policy-name and --role-arn are required; user and role in one account");
    if (age === undefined || !Number.isInteger(age) || age < 1 || age > MAX_MFA_AGE_SECONDS)
        throw new UsageError(`--mfa-max-age-seconds must be an integer from 1 to ${MAX_MFA_AGE_SECONDS}`);
    if (!Number.isInteger(wait) || wait < 0 || wait > 900)
        throw new UsageError("--max-wait-seconds must be an integer from 0 to 900");
    // IAM lets a user hold at most 8 MFA devices; 0 would fail every enrolled user.
    if (!Number.isInteger(flags.maxMfaDevices) || flags.maxMfaDevices < 1 || flags.maxMfaDevices > 8)
        throw new UsageError("--max-mfa-devices must be an integer from 1 to 8");
    return flags;
}

/** Never print a credential: an AWS message could quote one, so every line is scrubbed of the ones we hold. */
function scrubber(env: NodeJS.ProcessEnv): (line: string) => string {
    const secrets = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", ASSUME_ROLES_ENV]
        .map((k) => env[k])
        .filter((s): s is string => typeof s === "string" && s.length >= 8);
    return (line) => secrets.reduce((l, s) => l.split(s).join("[secret]"), line);
}

/**
 * The SDK's own words for a missing credential or region name no setting; say which ones to set, here and under
 * `pulumi up` (where the stack's aws: settings reach this command).
 */
function explainSetup(message: string, profile: string | undefined): string {
    // The texts of @aws-sdk/credential-provider-node (the chain), -ini (a named profile) and @smithy's region config.
    if (
        /Could not load credentials|Could not resolve credentials using profile|Profile \S+ could not be found/i.test(
            message,
        )
    ) {
        return profile
            ? `profile \`${profile}\` gave no credentials: check it exists with keys in ~/.aws/credentials or ~/.aws/config (\`aws configure list --profile ${profile}\`), or pass another --profile`
            : "no AWS credentials found: pass --profile, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (under pulumi up: aws:profile, or aws:accessKey and aws:secretKey)";
    }
    if (/Region is missing/i.test(message)) {
        return "no AWS region: pass --region, set AWS_REGION, or put `region = …` in the profile (under pulumi up: aws:region)";
    }
    return message;
}

/** The command line: returns the exit status. */
export async function main(
    argv: readonly string[],
    io: Io,
    env: NodeJS.ProcessEnv = process.env,
    makeClients: MakeClients = awsClients,
    how: {
        // Retries are told on stderr only where a person watches: a terminal, not a log or `pulumi up`'s output.
        readonly tty?: boolean;
        readonly sleep?: (ms: number) => Promise<void>;
    } = {},
): Promise<number> {
    const tty = how.tty ?? process.stderr.isTTY === true;
    const scrub = scrubber(env);
    const fail = (line: string, code: number): number => {
        io.err(scrub(`check-enforcement: ${line}`));
        return code;
    };
    let flags: ReturnType<typeof parseFlags>;
    let assumeRoles: ClientSettings["assumeRoles"];
    try {
        flags = parseFlags(argvOf(argv, env));
        // Help before the settings in the environment: cli/launch.cjs answers --help from the command line alone.
        if (flags.help) {
            io.out(usageText(__dirname));
            return EXIT.ok;
        }
        assumeRoles = parseAssumeRoles(env[ASSUME_ROLES_ENV]);
    } catch (err) {
        return fail(`${(err as Error).message} (see --help)`, EXIT.usage);
    }
    try {
        const clients = await makeClients({
            region: flags.region,
            profile: flags.profile,
            stsRegion: env[STS_REGION_ENV] || undefined,
            assumeRoles,
        });
        const summary = await checkEnforcement(
            {
                userArn: flags.userArn!,
                policyName: flags.policyName!,
                roleArn: flags.roleArn!,
                mfaMaxAgeSeconds: flags.mfaMaxAgeSeconds!,
                maxWaitSeconds: flags.maxWaitSeconds,
                maxMfaDevices: flags.maxMfaDevices,
                failOnEnrolmentWindow: flags.failOnEnrolmentWindow,
            },
            {
                ...clients,
                sleep: how.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
                now: Date.now,
                onRetry: tty ? (line) => io.err(scrub(`check-enforcement: ${line}`)) : undefined,
            },
        );
        io.out(scrub(summary));
        return EXIT.ok;
    } catch (err) {
        const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();
        return fail(explainSetup(message, flags.profile ?? (env["AWS_PROFILE"] || undefined)), EXIT.failed);
    }
}
