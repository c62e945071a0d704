/**
 * Reading IAM policy documents as the engine shows them to the pack. Pure functions; the rules in this folder share
 * them, and nothing here comes from the program the pack judges.
 */

export type Stmt = {
    Sid?: string;
    Effect?: string;
    NotAction?: unknown;
    Action?: unknown;
    Resource?: unknown;
    NotResource?: unknown;
    Principal?: unknown;
    NotPrincipal?: unknown;
    Condition?: unknown;
};

/** A policy input as the engine shows it: a JSON string, or the typed object the program passed. */
export function statementsOf(policy: unknown): Stmt[] {
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return [];
        }
    }
    const s = (doc as { Statement?: unknown } | undefined)?.Statement;
    return (Array.isArray(s) ? s : s === undefined ? [] : [s]).filter(
        (x): x is Stmt => typeof x === "object" && x !== null,
    );
}

export const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);

export const MFA_PRESENT = "aws:MultiFactorAuthPresent";
export const MFA_AGE = "aws:MultiFactorAuthAge";

/**
 * The seed's MFA-bootstrap exemptions, the only actions the MFA Deny may leave out (`hardened` leaves out fewer):
 * getting a session token, enrolling and resyncing a device, and read-only IAM listing.
 */
export const BOOTSTRAP_ACTIONS: readonly string[] = Object.freeze([
    "sts:GetSessionToken",
    "iam:ResyncMFADevice",
    "iam:ListVirtualMFADevices",
    "iam:ListUsers",
    "iam:ListServiceSpecificCredentials",
    "iam:ListSSHPublicKeys",
    "iam:ListMFADevices",
    "iam:ListAccountAliases",
    "iam:ListAccessKeys",
    "iam:GetAccountSummary",
    "iam:EnableMFADevice",
    "iam:DeleteVirtualMFADevice",
    "iam:CreateVirtualMFADevice",
]);
const BOOTSTRAP = new Set(BOOTSTRAP_ACTIONS.map((a) => a.toLowerCase()));

/** IAM compares action names case-insensitively; a wildcard such as `iam:List*` is not a bootstrap action. */
export function isBootstrapAction(action: string): boolean {
    return BOOTSTRAP.has(action.toLowerCase());
}

/** One key of a Condition block: operator (case kept: IAM's are spelled exactly), key, and its values (ORed). */
export interface ConditionEntry {
    readonly operator: string;
    readonly key: string;
    readonly values: readonly unknown[];
}

export function conditionEntries(s: Stmt): ConditionEntry[] {
    const block = typeof s.Condition === "object" && s.Condition !== null ? s.Condition : {};
    return Object.entries(block).flatMap(([operator, keys]) =>
        Object.entries(typeof keys === "object" && keys !== null ? keys : { "": keys }).map(([key, v]) => ({
            operator,
            key,
            values: Array.isArray(v) ? v : [v],
        })),
    );
}

/** Condition keys are case-insensitive in IAM (`AWS:multifactorauthpresent` is the same key). */
export const isKey = (entry: ConditionEntry, operator: string, key: string): boolean =>
    entry.operator === operator && entry.key.toLowerCase() === key.toLowerCase();

/** One value, equal to `expected` ignoring case, as Bool compares it (`"FALSE"`, `false` and `["false"]` alike). */
export const isOnly = (entry: ConditionEntry, expected: string): boolean =>
    entry.values.length === 1 && String(entry.values[0]).toLowerCase() === expected;

const named = (entries: readonly ConditionEntry[]) => entries.map((e) => `${e.operator} ${e.key}`).join(", ");

/**
 * Why a Deny's Condition is not exactly `BoolIfExists aws:MultiFactorAuthPresent "false"`, or undefined. Every
 * other key is ANDed with it, so it narrows the Deny: a request that fails it (another region, say) escapes.
 */
export function mfaAbsentConditionProblem(s: Stmt): string | undefined {
    const entries = conditionEntries(s);
    if (entries.some((e) => isKey(e, "Bool", MFA_PRESENT))) {
        return "uses Bool on aws:MultiFactorAuthPresent: requests signed by long-term keys carry no such key and pass; use BoolIfExists";
    }
    const mfa = entries.filter((e) => isKey(e, "BoolIfExists", MFA_PRESENT));
    if (mfa.length !== 1 || !isOnly(mfa[0]!, "false")) {
        return 'must be conditioned on BoolIfExists aws:MultiFactorAuthPresent "false"';
    }
    const others = entries.filter((e) => e !== mfa[0]);
    if (others.length > 0) {
        return (
            `narrows its condition with ${named(others)}: requests that fail it escape the Deny; ` +
            'the condition must be exactly BoolIfExists aws:MultiFactorAuthPresent "false"'
        );
    }
    return undefined;
}

/**
 * Why a statement is not the seed's MFA Deny (Deny, NotAction within the bootstrap actions, Resource "*", exactly
 * `BoolIfExists aws:MultiFactorAuthPresent "false"`), or undefined when it is one. The Sid does not matter.
 */
export function mfaDenyProblem(s: Stmt): string | undefined {
    if (s.Effect !== "Deny") return "is not a Deny";
    if (s.NotAction === undefined || s.Action !== undefined)
        return "must deny with NotAction (everything but the bootstrap actions)";
    const extra = list(s.NotAction).filter((a) => !isBootstrapAction(a));
    if (extra.length > 0) return `exempts ${extra.join(", ")}, which is not an MFA-bootstrap action`;
    if (s.NotResource !== undefined || !list(s.Resource).includes("*")) return 'must apply to Resource "*"';
    return mfaAbsentConditionProblem(s);
}

/** What is wrong with the Deny statements that come closest to the MFA Deny. */
function whyNoMfaDeny(statements: Stmt[]): string {
    const mentionsMfa = (s: Stmt) =>
        s.NotAction !== undefined && conditionEntries(s).some((e) => e.key.toLowerCase() === MFA_PRESENT.toLowerCase());
    const closest = statements.some(mentionsMfa) ? statements.filter(mentionsMfa) : statements;
    return [...new Set(closest.map(mfaDenyProblem))].join("; ");
}

/**
 * Why an admin's inline policy is not one of the shapes the program writes, or undefined: Deny statements only (the
 * grant is AdministratorAccess, attached on its own; a Deny can only take away), one of them the MFA Deny.
 */
export function inlinePolicyProblem(statements: Stmt[]): string | undefined {
    if (statements.length === 0) return "has no statement, so no MFA Deny";
    const allows = statements.flatMap((s, i) => (s.Effect === "Deny" ? [] : [i + 1]));
    if (allows.length > 0)
        return `has statement ${allows.join(", ")} that is not a Deny: the admin's inline policy may only deny`;
    if (statements.some((s) => mfaDenyProblem(s) === undefined)) return undefined;
    return `has no MFA Deny: ${whyNoMfaDeny(statements)}`;
}
