/**
 * Judges a role's trust policy, as IAM stores it, for one `sts:AssumeRole` request by an IAM user.
 *
 * IAM's simulator cannot do this: the API reference of SimulatePrincipalPolicy says "Simulation of resource-based
 * policies isn't supported for IAM roles", and for `sts:Assume*` it drops a trust policy passed as ResourcePolicy
 * and answers from the caller's identity policies alone (aws/aws-cli#10314). So the trust side is read with
 * iam:GetRole and evaluated here, narrowly: principals that name a user or its account, `sts:AssumeRole`, the
 * two MFA keys under Bool and Numeric operators, and `sts:RoleSessionName` under StringEquals. Anything else is
 * "unknown", and the check treats unknown as
 * unproven rather than guessing.
 */
import { MFA_AGE_KEY, MFA_PRESENT_KEY, ROLE_SESSION_NAME_KEY, USERNAME_VARIABLE } from "../components/policies";

export interface TrustRequest {
    /** ARN of the IAM user calling sts:AssumeRole. */
    readonly callerArn: string;
    /** `aws:MultiFactorAuthPresent`; undefined when the key is absent (long-term keys). */
    readonly mfaPresent?: boolean;
    /** `aws:MultiFactorAuthAge` in seconds; undefined when absent. */
    readonly mfaAge?: number;
    /** `sts:RoleSessionName`, the name the caller gives the session; undefined when none is given. */
    readonly roleSessionName?: string;
}

export type TrustDecision = "allowed" | "implicitDeny" | "explicitDeny" | "unknown";

export interface TrustVerdict {
    readonly decision: TrustDecision;
    /** For "unknown": the construct this evaluator does not model. */
    readonly unknown?: string;
}

type Tri = boolean | "unknown";

interface Stmt {
    readonly Sid?: unknown;
    readonly Effect?: unknown;
    readonly Principal?: unknown;
    readonly NotPrincipal?: unknown;
    readonly Action?: unknown;
    readonly NotAction?: unknown;
    readonly Condition?: unknown;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Three-valued AND: false wins, then unknown. */
function and(...values: Tri[]): Tri {
    if (values.includes(false)) return false;
    return values.includes("unknown") ? "unknown" : true;
}

/** IAM action patterns: case-insensitive, `*` and `?` wildcards. */
function actionMatches(pattern: unknown, action: string): boolean {
    if (typeof pattern !== "string") return false;
    const re = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${re}$`, "i").test(action);
}

function partsOf(userArn: string): { partition: string; account: string } {
    const [, partition = "", , , account = ""] = userArn.split(":");
    return { partition, account };
}

/** The AWS principals a statement names, as written (an `AIDA…` unique ID means IAM rewrote a deleted user). */
export function awsPrincipals(statement: Stmt): string[] {
    const p = statement.Principal;
    if (p === "*") return ["*"];
    if (typeof p !== "object" || p === null) return [];
    return list((p as Record<string, unknown>)["AWS"]).filter((v): v is string => typeof v === "string");
}

function principalMatches(s: Stmt, callerArn: string): Tri {
    if (s.NotPrincipal !== undefined) return "unknown";
    if (s.Principal === undefined) return false;
    const { partition, account } = partsOf(callerArn);
    // An account root (or the bare account ID, which IAM stores as the root ARN) trusts every identity of the account.
    const accepted = ["*", callerArn, account, `arn:${partition}:iam::${account}:root`];
    return awsPrincipals(s).some((v) => accepted.includes(v));
}

function actionOf(s: Stmt): Tri {
    if (s.Action !== undefined) return list(s.Action).some((a) => actionMatches(a, "sts:AssumeRole"));
    if (s.NotAction !== undefined) return !list(s.NotAction).some((a) => actionMatches(a, "sts:AssumeRole"));
    return false;
}

const NUMERIC: Record<string, (have: number, want: number) => boolean> = {
    NumericEquals: (h, w) => h === w,
    NumericNotEquals: (h, w) => h !== w,
    NumericLessThan: (h, w) => h < w,
    NumericLessThanEquals: (h, w) => h <= w,
    NumericGreaterThan: (h, w) => h > w,
    NumericGreaterThanEquals: (h, w) => h >= w,
};

/** The user name `${aws:username}` stands for: the last part of the calling user's ARN. */
const userNameOf = (callerArn: string) => callerArn.slice(callerArn.lastIndexOf("/") + 1);

/** One operator on one key, IAM's way: a missing key fails the test unless the operator ends in IfExists. */
function conditionHolds(operator: string, key: string, wanted: unknown, req: TrustRequest): Tri {
    const ifExists = operator.endsWith("IfExists");
    const base = ifExists ? operator.slice(0, -"IfExists".length) : operator;
    const values = list(wanted).map(String);
    const name = key.toLowerCase();
    if (name === MFA_PRESENT_KEY.toLowerCase() && base === "Bool") {
        if (req.mfaPresent === undefined) return ifExists;
        return values.some((v) => v.toLowerCase() === String(req.mfaPresent));
    }
    const compare = NUMERIC[base];
    if (name === MFA_AGE_KEY.toLowerCase() && compare) {
        if (req.mfaAge === undefined) return ifExists;
        return values.some((v) => /^\d+(\.\d+)?$/.test(v) && compare(req.mfaAge!, Number(v)));
    }
    // StringEquals only, and only plain names or the one policy variable we write: anything else stays unproven.
    if (name === ROLE_SESSION_NAME_KEY.toLowerCase() && base === "StringEquals") {
        if (req.roleSessionName === undefined) return ifExists;
        const resolved = values.map((v) => (v === USERNAME_VARIABLE ? userNameOf(req.callerArn) : v));
        if (resolved.some((v) => v.includes("${"))) return "unknown";
        return resolved.includes(req.roleSessionName);
    }
    return "unknown";
}

function conditionsOf(s: Stmt, req: TrustRequest): { holds: Tri; unknown?: string } {
    if (s.Condition === undefined) return { holds: true };
    if (typeof s.Condition !== "object" || s.Condition === null) return { holds: "unknown", unknown: "a Condition" };
    const results: Tri[] = [];
    let unknown: string | undefined;
    for (const [operator, block] of Object.entries(s.Condition as Record<string, unknown>)) {
        if (typeof block !== "object" || block === null) return { holds: "unknown", unknown: operator };
        for (const [key, wanted] of Object.entries(block as Record<string, unknown>)) {
            const r = conditionHolds(operator, key, wanted, req);
            if (r === "unknown") unknown ??= `${operator} on ${key}`;
            results.push(r);
        }
    }
    return { holds: and(...results), unknown };
}

function statementsOf(doc: unknown): Stmt[] {
    const statement = (doc as { Statement?: unknown } | null)?.Statement;
    return list(statement).filter((s): s is Stmt => typeof s === "object" && s !== null);
}

/** IAM's order: a matching Deny wins, then a matching Allow; an unprovable match on either side is "unknown". */
export function evaluateTrust(doc: unknown, req: TrustRequest): TrustVerdict {
    const matched: Record<"Allow" | "Deny", Tri[]> = { Allow: [], Deny: [] };
    let unknown: string | undefined;
    for (const s of statementsOf(doc)) {
        if (s.Effect !== "Allow" && s.Effect !== "Deny") continue;
        const condition = conditionsOf(s, req);
        const principal = principalMatches(s, req.callerArn);
        const m = and(principal, actionOf(s), condition.holds);
        if (m === "unknown") unknown ??= principal === "unknown" ? "NotPrincipal" : condition.unknown;
        matched[s.Effect].push(m);
    }
    const why = { unknown: unknown ?? "a statement" };
    if (matched.Deny.includes(true)) return { decision: "explicitDeny" };
    if (matched.Deny.includes("unknown")) return { decision: "unknown", ...why };
    if (matched.Allow.includes(true)) return { decision: "allowed" };
    if (matched.Allow.includes("unknown")) return { decision: "unknown", ...why };
    return { decision: "implicitDeny" };
}

/** The AWS principals of the Allow statements for sts:AssumeRole, for a message that names what IAM stores. */
function trustedPrincipals(doc: unknown): string[] {
    return statementsOf(doc)
        .filter((s) => s.Effect === "Allow" && actionOf(s) === true)
        .flatMap(awsPrincipals);
}

/** An IAM unique ID (`AIDA…` user, `AROA…` role): what IAM leaves in a trust policy once the named entity is gone. */
export const isUniqueId = (principal: string): boolean => /^A[A-Z]{3}[A-Z0-9]{12,}$/.test(principal);

function whyRefused(v: TrustVerdict, doc: unknown): string {
    if (v.decision === "explicitDeny") return "a Deny in its trust policy matches";
    if (v.decision === "unknown") return `its trust policy uses ${v.unknown}, which this check does not evaluate`;
    const principals = trustedPrincipals(doc);
    const stale = principals.find(isUniqueId);
    if (stale) {
        return (
            `its trust policy names ${stale}, the unique ID of a deleted user (IAM rewrites the principal when the ` +
            "user it names is deleted): run `pulumi refresh`, then `pulumi up`, to restore it"
        );
    }
    return `its trust policy trusts ${principals.join(", ") || "no AWS principal"}`;
}

export interface TrustTarget {
    readonly userArn: string;
    readonly roleArn: string;
    readonly mfaMaxAgeSeconds: number;
    /** Age of a fresh MFA sign-in, below the limit. */
    readonly freshAge: number;
}

/** The role's trust policy as IAM stores it: fresh MFA lets the user in; no MFA or an old sign-in does not. */
export function trustProblem(t: TrustTarget, doc: unknown): string | undefined {
    const role = `role ${t.roleArn.slice(t.roleArn.lastIndexOf("/") + 1)}`;
    // Every request names its session after the user, as our profiles and commands do (the trust requires it).
    const own = userNameOf(t.userArn);
    const fresh = evaluateTrust(doc, {
        callerArn: t.userArn,
        mfaPresent: true,
        mfaAge: t.freshAge,
        roleSessionName: own,
    });
    if (fresh.decision !== "allowed")
        return `${role}: with a fresh MFA sign-in the user may not assume it: ${whyRefused(fresh, doc)}`;
    const old = t.mfaMaxAgeSeconds + 1;
    const mfa = { callerArn: t.userArn, mfaPresent: true, mfaAge: t.freshAge };
    const refused: [string, TrustRequest][] = [
        ["without MFA", { callerArn: t.userArn, roleSessionName: own }],
        [`with an MFA sign-in ${old} s old`, { ...mfa, mfaAge: old, roleSessionName: own }],
        [`under another person's session name`, { ...mfa, roleSessionName: `not-${own}` }],
    ];
    for (const [name, req] of refused) {
        const v = evaluateTrust(doc, req);
        if (v.decision === "allowed") return `${role}: its trust policy lets the user assume it ${name}`;
        if (v.decision === "unknown") return `${role}: cannot prove it refuses the user ${name}: ${whyRefused(v, doc)}`;
    }
    return undefined;
}
