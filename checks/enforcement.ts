/**
 * The post-deploy proof behind check-enforcement: what the user's inline Deny does, from IAM's own simulator
 * (checks/simulation.ts), and what the role's trust policy does, from the document IAM stores
 * (checks/trustPolicy.ts), retried while IAM catches up; then both stored documents through IAM Access
 * Analyzer's own validation (checks/validatePolicies.ts).
 */
import type { AccessAnalyzerClient } from "@aws-sdk/client-accessanalyzer";
import { GetRoleCommand, GetUserPolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
    MFA_DENY_SID as DENY_SID,
    NO_DEVICE_DELETION_SID,
    OWN_DEVICE_NAME_SID,
    OWN_USER_SID,
    SESSION_AGE_SID,
} from "../components/policies";
import { type CredentialChecks, credentialState } from "./credentialState";
import { freshAge, simulateAll, Target } from "./simulation";
import { trustProblem } from "./trustPolicy";
import { inlinePolicy, StoredDocument, trustPolicy, validateStored } from "./validatePolicies";

export interface CheckOptions extends Target, CredentialChecks {
    /** IAM is eventually consistent: keep asking for at most this long. */
    readonly maxWaitSeconds: number;
}

export interface CheckDeps {
    readonly iam: Pick<IAMClient, "send">;
    readonly sts: Pick<STSClient, "send">;
    readonly accessAnalyzer: Pick<AccessAnalyzerClient, "send">;
    readonly sleep: (ms: number) => Promise<void>;
    readonly now: () => number;
    /** Told of every retry as it happens (the command prints it on stderr when that is a terminal). */
    readonly onRetry?: (line: string) => void;
}

/** A failure that ends the check at once, with one line for the person running `pulumi up`. */
export class CheckError extends Error {}

const OFF = "turn the check off with `pulumi config set verifyEnforcement false`";

const nameOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

async function sameAccount(deps: CheckDeps, o: CheckOptions): Promise<void> {
    // GetCallerIdentity cannot be denied: it tells which account the check's credentials reach, so a setting the
    // check did not carry over shows up here at once instead of as a minute of NoSuchEntity retries.
    const me = await deps.sts.send(new GetCallerIdentityCommand({}));
    const account = o.userArn.split(":")[4];
    if (me.Account !== account) {
        throw new CheckError(
            `the check's AWS credentials reach account ${me.Account ?? "?"}, but ${o.userArn} is in ${account}: ` +
                `deploy with credentials for that account, or ${OFF}`,
        );
    }
}

/** The user's inline policy as IAM stores it (URL-decoded), and the Sids of its Deny statements. */
async function storedInline(deps: CheckDeps, o: CheckOptions): Promise<{ text: string; sids: string[] }> {
    const out = await deps.iam.send(
        new GetUserPolicyCommand({ UserName: nameOf(o.userArn), PolicyName: o.policyName }),
    );
    const text = decodeURIComponent(out.PolicyDocument ?? "{}");
    const doc = JSON.parse(text) as { Statement?: unknown };
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    const sids = statements
        .filter((s): s is { Effect: string; Sid?: string } => typeof s === "object" && s !== null && "Effect" in s)
        .filter((s) => s.Effect === "Deny")
        .map((s) => s.Sid ?? "(no Sid)");
    return { text, sids };
}

/** The scoped style's Deny statements beside the seed's (components/policies.ts). */
const TIGHTENING_SIDS: readonly string[] = [OWN_USER_SID, OWN_DEVICE_NAME_SID, NO_DEVICE_DELETION_SID, SESSION_AGE_SID];

/**
 * One pass: the first problem found, or the SCP and boundary effects seen when everything held, with the two
 * documents as IAM stores them (what Access Analyzer then validates is exactly what was proven).
 */
async function attempt(
    o: CheckOptions,
    deps: CheckDeps,
): Promise<{ problem?: string; notes: string[]; stored?: StoredDocument[] }> {
    await sameAccount(deps, o);
    const { text: inline, sids } = await storedInline(deps, o);
    // The inline policy must hold our Deny and, in the scoped style, only the statements that tighten it. None of
    // those can deny the probed actions in the probed contexts (they cover the user-resource exemptions, device
    // deletion, and MFA older than the user's limit), so "denied by that policy" still means "by that statement".
    const others = sids.filter((sid) => sid !== DENY_SID);
    if (!sids.includes(DENY_SID) || others.some((sid) => !TIGHTENING_SIDS.includes(sid))) {
        const allowed = [DENY_SID, ...TIGHTENING_SIDS].join(", ");
        return { notes: [], problem: `${o.policyName} holds Deny ${sids.join(", ") || "none"}, not ${allowed}` };
    }
    // IAM returns the trust policy URL-encoded, as it does every policy document.
    const role = await deps.iam.send(new GetRoleCommand({ RoleName: nameOf(o.roleArn) }));
    const trust = decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? "{}");
    const simulated = await simulateAll(deps.iam, o, trust);
    if (simulated.problem) return simulated;
    const stored = [inlinePolicy(o.policyName, inline), trustPolicy(nameOf(o.roleArn), trust)];
    return {
        notes: simulated.notes,
        problem: trustProblem({ ...o, freshAge: freshAge(o) }, JSON.parse(trust)),
        stored,
    };
}

/** Failures that may pass once IAM catches up: the new user, policy or role not yet visible, throttling, the network. */
function isTransient(err: unknown): boolean {
    if (!(err instanceof Error)) return false;
    const code = (err as { code?: unknown }).code;
    const text = `${err.name} ${typeof code === "string" ? code : ""}`;
    return /NoSuchEntity|Throttl|RequestLimitExceeded|ServiceUnavailable|TimeoutError|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.test(
        text,
    );
}

function summary(o: CheckOptions, notes: string[], tries: number, secs: string, validated: string): string {
    const outside = notes.length > 0 ? `; not counted against the check: ${notes.join("; ")}` : "";
    return (
        `enforcement verified for ${o.userArn}: without MFA ec2:RunInstances, iam:CreateUser and sts:AssumeRole ` +
        `are explicitly denied by ${DENY_SID}, which does not match with MFA; sts:GetSessionToken is exempt; ` +
        `role ${nameOf(o.roleArn)}, as IAM stores it, trusts the user only with MFA younger than ` +
        `${o.mfaMaxAgeSeconds} s and under their own session name (try ${tries}, ${secs} s); ${validated}${outside}`
    );
}

/** Runs every scenario until all hold or time is up, backing off 1, 2, 4, 8, 15, 15 … seconds. */
export async function checkEnforcement(o: CheckOptions, deps: CheckDeps): Promise<string> {
    const start = deps.now();
    const deadline = start + o.maxWaitSeconds * 1000;
    for (let tries = 1, delay = 1000; ; tries++, delay = Math.min(delay * 2, 15000)) {
        let pending: string;
        try {
            const { problem, notes, stored } = await attempt(o, deps);
            if (problem === undefined) {
                // After the proof, not in it: a finding is no sign of IAM catching up, so it ends the check at once.
                const validation = await validateStored(deps.accessAnalyzer, stored ?? []);
                if (validation.problem !== undefined) throw new CheckError(`${validation.problem}, or ${OFF}`);
                const secs = ((deps.now() - start) / 1000).toFixed(1);
                const done = summary(o, notes, tries, secs, validation.note);
                // A second device or an open enrolment window: the account's state, not IAM catching up.
                const state = await credentialState(deps.iam, nameOf(o.userArn), o);
                if (state.problem !== undefined) throw new CheckError(state.problem);
                return state.note === undefined ? done : `${done}\n${state.note}`;
            }
            pending = problem;
        } catch (err) {
            if (err instanceof Error && /AccessDenied/.test(err.name)) {
                throw new CheckError(
                    "the deployer may not call sts:GetCallerIdentity, iam:GetUserPolicy, iam:GetRole, " +
                        "iam:SimulatePrincipalPolicy, iam:ListAccessKeys or iam:ListMFADevices (AccessDenied): " +
                        `grant them, or ${OFF}`,
                );
            }
            if (err instanceof CheckError || !isTransient(err)) throw err;
            pending = `IAM answered ${(err as Error).name}`;
        }
        const secs = Math.round((deps.now() - start) / 1000);
        if (deps.now() + delay > deadline) {
            throw new CheckError(`enforcement check failed after ${tries} tries (${secs} s): ${pending}`);
        }
        deps.onRetry?.(
            `try ${tries} (${secs} s of at most ${o.maxWaitSeconds} s): ${pending}; IAM may still be catching up, ` +
                `asking again in ${delay / 1000} s`,
        );
        await deps.sleep(delay);
    }
}
