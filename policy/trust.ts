import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { deploymentOf } from "./deployment";
import {
    type ConditionEntry,
    conditionEntries,
    isKey,
    isOnly,
    list,
    MFA_AGE,
    MFA_PRESENT,
    statementsOf,
    type Stmt,
} from "./documents";
import { componentName, MFA_ROLE_COMPONENT } from "./places";
import { read, unknownProblem } from "./resolved";

const ROLE = "aws:iam/role:Role";

/**
 * The longest MFA age the trust may accept, and the longest session the role may hand out: one hour, the role's
 * session (components/mfaRole.ts ROLE_MAX_SESSION_SECONDS) and the user's default (`userMfaMaxAgeSeconds`), so
 * one MFA sign-in opens the door for an hour and no longer.
 */
export const MAX_MFA_AGE_SECONDS = 3600;
export const MAX_SESSION_SECONDS = 3600;

const ROLE_SESSION_NAME = "sts:RoleSessionName";
const USERNAME = "${aws:username}";

/** An IAM user on the root path, or an account root: the only principals the role may name. */
const USER_ARN = /^arn:(aws(?:-[a-z-]+)?):iam::(\d{12}):user\/([^/]+)$/;
const ROOT_ARN = /^arn:(aws(?:-[a-z-]+)?):iam::(\d{12}):root$/;
const accountOf = (arn: string) => USER_ARN.exec(arn)?.[2] ?? ROOT_ARN.exec(arn)?.[2];

/** The trust's principals: the AWS ones, or undefined when the Principal is anything but `{AWS: …}`. */
function awsPrincipals(s: Stmt): string[] | undefined {
    const p = s.Principal;
    if (typeof p !== "object" || p === null || Array.isArray(p)) return undefined;
    const kinds = Object.keys(p);
    if (kinds.length !== 1 || kinds[0] !== "AWS") return undefined;
    return list((p as { AWS: unknown }).AWS);
}

/** Why the conditions are not exactly the program's three (IAM compares keys ignoring case, operators exactly). */
function conditionProblem(s: Stmt): string | undefined {
    const entries = conditionEntries(s);
    const one = (operator: string, key: string, ok: (e: ConditionEntry) => boolean) => {
        const found = entries.filter((e) => isKey(e, operator, key));
        return found.length === 1 && ok(found[0]!);
    };
    const age = (e: ConditionEntry) => {
        const v = e.values.length === 1 ? String(e.values[0]) : "";
        return /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_MFA_AGE_SECONDS;
    };
    const problems = [
        one("Bool", MFA_PRESENT, (e) => isOnly(e, "true")) ? undefined : `Bool ${MFA_PRESENT} "true"`,
        one("NumericLessThan", MFA_AGE, age)
            ? undefined
            : `NumericLessThan ${MFA_AGE} from 1 to ${MAX_MFA_AGE_SECONDS}`,
        one("StringEquals", ROLE_SESSION_NAME, (e) => e.values.length === 1 && e.values[0] === USERNAME)
            ? undefined
            : `StringEquals ${ROLE_SESSION_NAME} "${USERNAME}"`,
    ].filter((p) => p !== undefined);
    if (problems.length > 0) return `must require ${problems.join(", ")}`;
    if (entries.length !== 3) return "must have exactly those three conditions and no other";
    return undefined;
}

/** Why the trust is not MfaRole's one statement, naming only users that passed in this deployment (or one root). */
function trustProblems(statements: Stmt[], approved: (name: string) => boolean): string[] {
    if (statements.length !== 1) return [`has ${statements.length} statements; exactly one Allow`];
    const s = statements[0]!;
    const problems: string[] = [];
    const extra = Object.keys(s).filter((k) => !["Sid", "Effect", "Principal", "Action", "Condition"].includes(k));
    if (extra.length > 0) problems.push(`uses ${extra.join(", ")}`);
    if (s.Effect !== "Allow") problems.push("is not an Allow");
    const action = list(s.Action);
    if (action.length !== 1 || action[0]!.toLowerCase() !== "sts:assumerole")
        problems.push("must allow exactly sts:AssumeRole");
    const principals = awsPrincipals(s);
    if (principals === undefined || principals.length === 0) problems.push("must name IAM users as {AWS: …}");
    else {
        const roots = principals.filter((p) => ROOT_ARN.test(p));
        const strangers = principals.filter((p) => {
            const user = USER_ARN.exec(p);
            return !ROOT_ARN.test(p) && !(user && approved(user[3]!));
        });
        if (strangers.length > 0)
            problems.push(`names ${strangers.join(", ")}: not a user of an AdminUser that passed in this deployment`);
        if (roots.length > 0 && principals.length > 1) problems.push("names an account root beside other principals");
        if (new Set(principals.map(accountOf)).size > 1) problems.push("names principals of several accounts");
    }
    const condition = conditionProblem(s);
    if (condition) problems.push(condition);
    return problems;
}

export const rolesTrustingPeopleRequireMfa: ResourceValidationPolicy = {
    name: "roles-trusting-people-require-mfa",
    description:
        "IAM roles exist only as MfaRole declares them: no permissions (no inline or managed policies), sessions of " +
        `at most ${MAX_SESSION_SECONDS} s, and a trust of one Allow of sts:AssumeRole to users of AdminUsers that ` +
        `passed in this deployment (or their account's root), requiring Bool ${MFA_PRESENT} "true", NumericLessThan ` +
        `${MFA_AGE} at most ${MAX_MFA_AGE_SECONDS} and StringEquals ${ROLE_SESSION_NAME} ${USERNAME}, and nothing else.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== ROLE) return;
        const owner = componentName(args.urn, args.opts.parent, MFA_ROLE_COMPONENT);
        if (owner === undefined || args.name !== `${owner}-role`)
            return report(
                `${args.name} is not the role of an MfaRole at the top of the program: the stack's only roles`,
            );
        const value = (key: string) => {
            const v = read(args.props, key);
            if (!v.known) report(unknownProblem(`${args.name}'s \`${key}\``, v.why));
            return v.known ? v.value : undefined;
        };
        const duration = value("maxSessionDuration");
        if (duration !== undefined && duration !== MAX_SESSION_SECONDS)
            report(
                `maxSessionDuration is ${JSON.stringify(duration)}; at most ${MAX_SESSION_SECONDS} s, as MfaRole sets it`,
            );
        for (const key of ["inlinePolicies", "managedPolicyArns"]) {
            const v = value(key);
            if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
                report(`\`${key}\` gives the role permissions; MfaRole's role holds none`);
        }
        const trust = value("assumeRolePolicy");
        if (trust === undefined) return;
        const admins = deploymentOf(args).admins;
        for (const p of trustProblems(statementsOf(trust), (n) => admins.get(n)?.user === true))
            report(`trust policy ${p}`);
    },
};

export const mappedRoleTrustsOwnAccount: StackValidationPolicy = {
    name: "roles-trusting-people-stay-in-account",
    description:
        "On resolved values, the role trusts only the stack's IAM users, by their ARNs as IAM reports them, or the " +
        "root of their account.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const users = args.resources.filter((r) => r.type === "aws:iam/user:User").map((u) => read(u.props, "arn"));
        const arns = users.flatMap((u) => (u.known && typeof u.value === "string" ? [u.value] : []));
        for (const role of args.resources.filter((r) => r.type === ROLE)) {
            const trust = read(role.props, "assumeRolePolicy");
            if (!trust.known) {
                reportViolation(unknownProblem(`${role.name}'s \`assumeRolePolicy\``, trust.why), role.urn);
                continue;
            }
            // A user being created has no ARN until `up` creates it: at that first preview the account cannot be
            // known, and the resource rule has judged the names; AnalyzeStack at `up` judges the account.
            if (arns.length !== users.length) continue;
            const roots = new Set(arns.map((a) => a.replace(/:user\/.*$/, ":root")));
            const named = statementsOf(trust.value).flatMap((s) => awsPrincipals(s) ?? []);
            const foreign = named.filter((p) => !arns.includes(p) && !roots.has(p));
            if (foreign.length > 0)
                reportViolation(
                    `role ${role.name} trusts ${foreign.join(", ")}: not one of the stack's IAM users (${arns.join(", ")}) or their account's root`,
                    role.urn,
                );
        }
    },
};
