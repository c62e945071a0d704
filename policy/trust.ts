import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { conditionEntries, isKey, isOnly, list, MFA_AGE, MFA_PRESENT, statementsOf, type Stmt } from "./documents";

const ROLE = "aws:iam/role:Role";

/** The component that declares the role kubectl assumes (components/mfaRole.ts); its role is pinned whatever it trusts. */
const MFA_ROLE_COMPONENT = "k3s-admin-mfa:iam:MfaRole";

/** The longest MFA age the trust may accept: 36 h, GetSessionToken's longest session (config `mfaMaxAgeSeconds`). */
const MAX_MFA_AGE_SECONDS = 129600;

/** An IAM user or an account root, as ARN or bare account ID: the only principals the mapped role may trust. */
const USER_OR_ROOT = /^arn:([a-z-]+):iam::(\d{12}):(root|user\/.+)$|^(\d{12})$/;

/** The account of any ARN with an account field (users, roots, roles, assumed-role sessions), or a bare ID. */
function accountOf(principal: string): string | undefined {
    return /^arn:[a-z-]+:[a-z]+::(\d{12}):/.exec(principal)?.[1] ?? /^(\d{12})$/.exec(principal)?.[1];
}

interface Principals {
    readonly everyone: boolean;
    readonly aws: string[];
    /** Principals of other kinds, as `Service ec2.amazonaws.com`. */
    readonly others: string[];
}

function principalsOf(p: unknown): Principals {
    if (p === "*") return { everyone: true, aws: [], others: [] };
    const block = typeof p === "object" && p !== null ? (p as Record<string, unknown>) : {};
    const aws = list(block["AWS"]);
    const others = Object.entries(block)
        .filter(([kind]) => kind !== "AWS")
        .flatMap(([kind, v]) => list(v).map((x) => `${kind} ${x}`));
    return { everyone: aws.includes("*"), aws: aws.filter((a) => a !== "*"), others };
}

/** Whether some Allow lets an AWS identity in: one named, everyone ("*"), or everyone but those named (NotPrincipal). */
function admitsAwsIdentities(statements: Stmt[]): boolean {
    return statements.some((s) => {
        if (s.Effect !== "Allow") return false;
        const p = principalsOf(s.Principal);
        return s.NotPrincipal !== undefined || p.everyone || p.aws.length > 0;
    });
}

/** The URN's parent types (`…::parentType$childType::name`) include MfaRole. */
const declaredByMfaRole = (urn: string) =>
    (urn.split("::")[2] ?? "").split("$").slice(0, -1).includes(MFA_ROLE_COMPONENT);

/** The role kubectl assumes: MfaRole's, or any role that AWS identities can assume (service roles are left alone). */
const isPeopleRole = (urn: string, statements: Stmt[]): boolean =>
    declaredByMfaRole(urn) || admitsAwsIdentities(statements);

function principalProblem(s: Stmt): string | undefined {
    const p = principalsOf(s.Principal);
    if (s.NotPrincipal !== undefined) return "uses NotPrincipal, which admits everyone it does not name";
    if (p.everyone) return 'admits every AWS principal ("*"): any account\'s MFA session would pass';
    if (p.others.length > 0) return `names ${p.others.join(", ")}; only IAM users or the account root may be trusted`;
    const wrong = p.aws.filter((a) => !USER_OR_ROOT.test(a));
    if (wrong.length > 0) return `names ${wrong.join(", ")}, which is not an IAM user or an account root`;
    if (p.aws.length === 0) return "names no IAM user or account root";
    if (new Set(p.aws.map(accountOf)).size > 1) return `names principals of several accounts (${p.aws.join(", ")})`;
    return undefined;
}

/**
 * The first thing wrong with the MFA conditions: `Bool aws:MultiFactorAuthPresent "true"` (Bool, not BoolIfExists:
 * an Allow must not match a request without the key) and `NumericLessThan aws:MultiFactorAuthAge` at most 36 h, each
 * with one value (values are ORed). Other conditions are fine: IAM ANDs every operator and key, so in an Allow an
 * extra condition (`StringEquals sts:RoleSessionName`) only narrows who gets in.
 */
function conditionProblem(s: Stmt): string | undefined {
    const entries = conditionEntries(s);
    const present = entries.filter((e) => isKey(e, "Bool", MFA_PRESENT));
    if (present.length !== 1 || !isOnly(present[0]!, "true"))
        return 'does not require Bool aws:MultiFactorAuthPresent "true"';
    const age = entries.filter((e) => isKey(e, "NumericLessThan", MFA_AGE));
    const seconds = age.length === 1 && age[0]!.values.length === 1 ? String(age[0]!.values[0]) : "";
    if (!/^\d+$/.test(seconds) || Number(seconds) < 1 || Number(seconds) > MAX_MFA_AGE_SECONDS)
        return `does not cap aws:MultiFactorAuthAge with one NumericLessThan value from 1 to ${MAX_MFA_AGE_SECONDS}`;
    return undefined;
}

/** Why an Allow statement of the mapped role's trust is not the pinned one, or undefined. */
function trustAllowProblem(s: Stmt): string | undefined {
    const action = list(s.Action).map((a) => a.toLowerCase());
    const problems = [
        principalProblem(s),
        s.NotAction !== undefined || action.length !== 1 || action[0] !== "sts:assumerole"
            ? "must allow exactly sts:AssumeRole"
            : undefined,
        conditionProblem(s),
    ].filter((p): p is string => p !== undefined);
    return problems.length > 0 ? problems.join("; ") : undefined;
}

export const rolesTrustingPeopleRequireMfa: ResourceValidationPolicy = {
    name: "roles-trusting-people-require-mfa",
    description:
        "The role kubectl assumes (MfaRole's, or any role AWS identities may assume) trusts exactly: one Allow of " +
        'sts:AssumeRole to IAM users of one account or its root, with Bool aws:MultiFactorAuthPresent "true" and ' +
        `NumericLessThan aws:MultiFactorAuthAge at most ${MAX_MFA_AGE_SECONDS}; extra conditions may only narrow it.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== ROLE) return;
        const statements = statementsOf(args.props["assumeRolePolicy"]);
        if (!isPeopleRole(args.urn, statements)) return;
        const allows = statements.filter((s) => s.Effect === "Allow");
        const problems = allows.map(trustAllowProblem);
        problems.forEach((p, i) => p && reportViolation(`trust policy Allow statement ${i + 1} ${p}`));
        if (allows.length > 1 && problems.every((p) => p === undefined))
            reportViolation(`trust policy has ${allows.length} Allow statements; keep the one MFA-conditioned Allow`);
    },
};

/** The account of the stack's IAM users; without users, of the role itself. */
function homeAccounts(role: PolicyResource, resources: PolicyResource[]): Set<string> {
    const arns = resources.filter((r) => r.type === "aws:iam/user:User").map((u) => u.props["arn"]);
    const accounts = arns.map((a) => (typeof a === "string" ? accountOf(a) : undefined));
    if (arns.length === 0)
        accounts.push(typeof role.props["arn"] === "string" ? accountOf(role.props["arn"]) : undefined);
    return new Set(accounts.filter((a): a is string => a !== undefined));
}

export const mappedRoleTrustsOwnAccount: StackValidationPolicy = {
    name: "roles-trusting-people-stay-in-account",
    description:
        "The role kubectl assumes trusts only principals of the account of the stack's IAM users (their ARNs tell it).",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const role of args.resources.filter((r) => r.type === ROLE)) {
            const statements = statementsOf(role.props["assumeRolePolicy"]);
            if (!isPeopleRole(role.urn, statements)) continue;
            const named = statements
                .filter((s) => s.Effect === "Allow")
                .flatMap((s) => principalsOf(s.Principal).aws)
                .filter((p) => accountOf(p) !== undefined);
            if (named.length === 0) continue;
            // Read last: a new user's ARN is unknown at preview, which makes this rule (and only this one) advisory.
            const home = homeAccounts(role, args.resources);
            if (home.size === 0) continue;
            const foreign = named.filter((p) => !home.has(accountOf(p)!));
            if (foreign.length > 0)
                reportViolation(
                    `role ${role.name} trusts ${foreign.join(", ")}, outside the account of the stack's IAM users (${[...home].join(", ")})`,
                    role.urn,
                );
        }
    },
};
