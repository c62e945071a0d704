/**
 * check-enforcement: asks IAM's own policy simulator (SimulatePrincipalPolicy) whether the deployed user is really
 * locked without MFA. Run by the EnforcementCheck component during `pulumi up`; usable by hand too:
 *
 *   npm run check-enforcement -- --user-arn arn:aws:iam::123456789012:user/k3s-admin \
 *       --policy-name k3s-admin-ui-cli-with-mfa [--region us-east-1] [--profile admin] [--max-wait-seconds 60]
 *
 * Exit status 0 with a one-line summary on stdout when every scenario holds; 1 with one line on stderr naming the
 * scenario that did not; 2 for bad arguments.
 */
import { parseArgs } from "node:util";
import {
    ContextEntry,
    EvaluationResult,
    GetUserPolicyCommand,
    IAMClient,
    SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { MFA_DENY_SID as DENY_SID } from "../components/policies";

const MFA_CONTEXT: ContextEntry[] = [
    { ContextKeyName: "aws:MultiFactorAuthPresent", ContextKeyType: "boolean", ContextKeyValues: ["true"] },
    { ContextKeyName: "aws:MultiFactorAuthAge", ContextKeyType: "numeric", ContextKeyValues: ["300"] },
];

interface Scenario {
    readonly name: string;
    readonly actions: readonly string[];
    readonly context: ContextEntry[];
    readonly expect: "explicitDeny" | "allowed";
}

const SCENARIOS: readonly Scenario[] = [
    { name: "without MFA", actions: ["ec2:RunInstances", "iam:CreateUser"], context: [], expect: "explicitDeny" },
    { name: "with MFA", actions: ["ec2:RunInstances", "iam:CreateUser"], context: MFA_CONTEXT, expect: "allowed" },
    { name: "bootstrap without MFA", actions: ["sts:GetSessionToken"], context: [], expect: "allowed" },
];

export interface CheckOptions {
    readonly userArn: string;
    readonly policyName: string;
    /** IAM is eventually consistent: keep asking for at most this long. */
    readonly maxWaitSeconds: number;
}

export interface CheckDeps {
    readonly iam: Pick<IAMClient, "send">;
    readonly sleep: (ms: number) => Promise<void>;
    readonly now: () => number;
}

/** A failure that ends the check at once, with one line for the person running `pulumi up`. */
export class CheckError extends Error {}

/** Failures that may pass once IAM catches up: the new user or policy not yet visible, throttling, the network. */
function isTransient(err: unknown): boolean {
    if (!(err instanceof Error)) return false;
    const code = (err as { code?: unknown }).code;
    const text = `${err.name} ${typeof code === "string" ? code : ""}`;
    return /NoSuchEntity|Throttl|RequestLimitExceeded|ServiceUnavailable|TimeoutError|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.test(
        text,
    );
}

function isAccessDenied(err: unknown): boolean {
    return err instanceof Error && /AccessDenied/.test(err.name);
}

function userNameOf(userArn: string): string {
    const match = /^arn:[^:]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(userArn);
    if (!match) throw new CheckError(`--user-arn is not an IAM user ARN: ${JSON.stringify(userArn)}`);
    return match[1]!;
}

/** The Sids of the Deny statements in the user's inline policy, so a matched statement can be named. */
async function denySids(deps: CheckDeps, userArn: string, policyName: string): Promise<string[]> {
    const out = await deps.iam.send(
        new GetUserPolicyCommand({ UserName: userNameOf(userArn), PolicyName: policyName }),
    );
    const doc = JSON.parse(decodeURIComponent(out.PolicyDocument ?? "{}")) as { Statement?: unknown };
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    return statements
        .filter((s): s is { Effect: string; Sid?: string } => typeof s === "object" && s !== null && "Effect" in s)
        .filter((s) => s.Effect === "Deny")
        .map((s) => s.Sid ?? "(no Sid)");
}

/** Why one result breaks the scenario, or undefined when it holds. */
function problem(s: Scenario, r: EvaluationResult, opts: CheckOptions, sids: string[]): string | undefined {
    const action = r.EvalActionName ?? "?";
    if (r.EvalDecision !== s.expect) return `${s.name}, ${action} was ${r.EvalDecision} (expected ${s.expect})`;
    if (s.expect !== "explicitDeny") return undefined;
    const byPolicy = (r.MatchedStatements ?? []).some((m) => m.SourcePolicyId === opts.policyName);
    // The inline policy holds one Deny, so "denied by that policy" means "denied by that statement".
    if (!byPolicy || sids.length !== 1 || sids[0] !== DENY_SID) {
        const matched = (r.MatchedStatements ?? []).map((m) => m.SourcePolicyId).join(", ") || "nothing";
        return `${s.name}, ${action} was denied by ${matched}, not by ${DENY_SID} in ${opts.policyName}`;
    }
    return undefined;
}

/** One pass over every scenario: the first problem found, or undefined when all hold. */
async function attempt(opts: CheckOptions, deps: CheckDeps): Promise<string | undefined> {
    const sids = await denySids(deps, opts.userArn, opts.policyName);
    for (const s of SCENARIOS) {
        const out = await deps.iam.send(
            new SimulatePrincipalPolicyCommand({
                PolicySourceArn: opts.userArn,
                ActionNames: [...s.actions],
                ContextEntries: s.context,
            }),
        );
        for (const r of out.EvaluationResults ?? []) {
            const found = problem(s, r, opts, sids);
            if (found) return found;
        }
        if ((out.EvaluationResults ?? []).length !== s.actions.length)
            return `${s.name}, the simulator returned no result`;
    }
    return undefined;
}

/** Runs every scenario until all hold or time is up, backing off 1, 2, 4, 8, 15, 15 … seconds. */
export async function checkEnforcement(opts: CheckOptions, deps: CheckDeps): Promise<string> {
    const start = deps.now();
    const deadline = start + opts.maxWaitSeconds * 1000;
    for (let tries = 1, delay = 1000; ; tries++, delay = Math.min(delay * 2, 15000)) {
        let pending: string;
        try {
            const found = await attempt(opts, deps);
            if (found === undefined) {
                const secs = ((deps.now() - start) / 1000).toFixed(1);
                return (
                    `enforcement verified for ${opts.userArn}: without MFA ec2:RunInstances and iam:CreateUser are ` +
                    `explicitly denied by ${DENY_SID}; with MFA both are allowed; sts:GetSessionToken is allowed ` +
                    `without MFA (try ${tries}, ${secs} s)`
                );
            }
            pending = found;
        } catch (err) {
            if (isAccessDenied(err)) {
                throw new CheckError(
                    "the deployer may not call iam:SimulatePrincipalPolicy or iam:GetUserPolicy (AccessDenied): " +
                        "grant them, or turn this check off with `pulumi config set verifyEnforcement false`",
                );
            }
            if (err instanceof CheckError || !isTransient(err)) throw err;
            pending = `IAM answered ${(err as Error).name}`;
        }
        if (deps.now() + delay > deadline) {
            const secs = Math.round((deps.now() - start) / 1000);
            throw new CheckError(`enforcement check failed after ${tries} tries (${secs} s): ${pending}`);
        }
        await deps.sleep(delay);
    }
}

const USAGE = `usage: check-enforcement --user-arn ARN --policy-name NAME [--region REGION] [--profile PROFILE]
                         [--max-wait-seconds N]

Asks IAM's policy simulator whether the user is denied without MFA (ec2:RunInstances, iam:CreateUser, by
${DENY_SID}), allowed with MFA, and allowed sts:GetSessionToken without MFA. Retries for up to
--max-wait-seconds (default 60) while IAM catches up. Needs iam:SimulatePrincipalPolicy and iam:GetUserPolicy.`;

export interface Io {
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
}

/** The command line: returns the exit status. */
export async function main(
    argv: string[],
    io: Io,
    makeIam = (region?: string, profile?: string) => new IAMClient({ region, profile }),
): Promise<number> {
    let values: Record<string, string | boolean | undefined>;
    try {
        values = parseArgs({
            args: argv,
            options: {
                "user-arn": { type: "string" },
                "policy-name": { type: "string" },
                region: { type: "string" },
                profile: { type: "string" },
                "max-wait-seconds": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        }).values;
    } catch (err) {
        io.err(`check-enforcement: ${(err as Error).message} (see --help)`);
        return 2;
    }
    if (values["help"]) {
        io.out(USAGE);
        return 0;
    }
    const userArn = values["user-arn"];
    const policyName = values["policy-name"];
    const wait = Number(values["max-wait-seconds"] ?? "60");
    if (
        typeof userArn !== "string" ||
        typeof policyName !== "string" ||
        !Number.isInteger(wait) ||
        wait < 0 ||
        wait > 900
    ) {
        io.err(
            "check-enforcement: --user-arn and --policy-name are required; --max-wait-seconds is 0 to 900 (see --help)",
        );
        return 2;
    }
    const region = typeof values["region"] === "string" ? values["region"] : undefined;
    const profile = typeof values["profile"] === "string" ? values["profile"] : undefined;
    try {
        const summary = await checkEnforcement(
            { userArn, policyName, maxWaitSeconds: wait },
            { iam: makeIam(region, profile), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: Date.now },
        );
        io.out(summary);
        return 0;
    } catch (err) {
        io.err(`check-enforcement: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
    }
}

if (require.main === module) {
    void main(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => {
        process.exitCode = code;
    });
}
