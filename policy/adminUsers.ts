import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
    conditionEntries,
    grantsEverything,
    list,
    MFA_PRESENT,
    mfaDenyProblem,
    statementsOf,
    type Stmt,
} from "./documents";

/** The resource types that can give an IAM user AdministratorAccess's power (pulumi-aws's iam/*.d.ts inputs). */
const T = {
    user: "aws:iam/user:User",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    userAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    userAttachments: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    attachment: "aws:iam/policyAttachment:PolicyAttachment",
    group: "aws:iam/group:Group",
    groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
    groupAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    groupAttachments: "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
    groupMembership: "aws:iam/groupMembership:GroupMembership",
    userGroupMembership: "aws:iam/userGroupMembership:UserGroupMembership",
    policy: "aws:iam/policy:Policy",
} as const;

const ADMIN = /^arn:[^:]+:iam::aws:policy\/AdministratorAccess$/;

/** What a reference can point at: a declared resource (its URN) and its name, or only a name (an undeclared group). */
interface Target {
    readonly urn?: string;
    readonly name?: string;
}

type Of = (type: string) => PolicyResource[];

/**
 * Whether `r`'s input `key` (one name or a list) points at `target`, by dependency or by value. The dependency is
 * checked first: at preview an input taken from an output the engine does not know yet (`user: user.id` on a new
 * user) is unknown, and reading it makes the pack skip this whole rule as advisory, so the stack would pass preview.
 */
function refersTo(r: PolicyResource, key: string, target: Target): boolean {
    if ((r.propertyDependencies?.[key] ?? []).some((d) => d.urn === target.urn)) return true;
    return target.name !== undefined && list(r.props[key]).includes(target.name);
}

/**
 * The AdministratorAccess-like policy `r`'s `key` attaches, if any: AWS's AdministratorAccess, or a customer-managed
 * policy of this stack that allows everything (found by dependency first; a single ARN taken from a Policy is that
 * policy's ARN, so it need not be read, and at preview it is unknown).
 */
function adminPolicy(r: PolicyResource, key: string, single: boolean, everything: PolicyResource[]) {
    const deps = r.propertyDependencies?.[key] ?? [];
    const custom = deps.find((d) => everything.includes(d));
    if (custom) return `customer-managed policy ${custom.name} (Allow *:* on *)`;
    if (single && deps.some((d) => d.type === T.policy)) return undefined;
    for (const arn of list(r.props[key])) {
        if (ADMIN.test(arn)) return "AdministratorAccess";
        const byArn = everything.find((p) => p.props["arn"] === arn);
        if (byArn) return `customer-managed policy ${byArn.name} (Allow *:* on *)`;
    }
    return undefined;
}

/** Groups that can carry a grant: declared ones, and names that group-side resources give literally. */
function groups(of: Of): Target[] {
    const declared: Target[] = of(T.group).map((g) => ({ urn: g.urn, name: String(g.props["name"]) }));
    const sides: [string, string][] = [
        [T.groupAttachment, "group"],
        [T.groupAttachments, "groupName"],
        [T.groupPolicy, "group"],
        [T.attachment, "groups"],
    ];
    const literal = new Set<string>();
    for (const [type, key] of sides)
        for (const r of of(type))
            if (!r.propertyDependencies?.[key]?.length) list(r.props[key]).forEach((n) => literal.add(n));
    return [...declared, ...[...literal].filter((n) => !declared.some((d) => d.name === n)).map((name) => ({ name }))];
}

function memberOf(user: Target, group: Target, of: Of): boolean {
    return (
        of(T.groupMembership).some((m) => refersTo(m, "users", user) && refersTo(m, "group", group)) ||
        of(T.userGroupMembership).some((m) => refersTo(m, "user", user) && refersTo(m, "groups", group))
    );
}

/** Every route by which the stack grants `user` everything, described for the violation message. */
function adminRoutes(user: Target, of: Of): string[] {
    const everything = of(T.policy).filter((p) => statementsOf(p.props["policy"]).some(grantsEverything));
    const routes: string[] = [];
    const via = (r: PolicyResource, key: string, single: boolean, how?: string) => {
        const grant = adminPolicy(r, key, single, everything);
        if (grant) routes.push(how ? `${grant} through ${how}` : grant);
    };
    const inline = (r: PolicyResource, how: string) => {
        if (statementsOf(r.props["policy"]).some(grantsEverything)) routes.push(`an inline Allow of *:* on * (${how})`);
    };
    for (const a of of(T.userAttachment)) if (refersTo(a, "user", user)) via(a, "policyArn", true);
    for (const a of of(T.userAttachments))
        if (refersTo(a, "userName", user)) via(a, "policyArns", false, `UserPolicyAttachmentsExclusive ${a.name}`);
    for (const a of of(T.attachment))
        if (refersTo(a, "users", user)) via(a, "policyArn", true, `PolicyAttachment ${a.name}`);
    for (const p of of(T.userPolicy)) if (refersTo(p, "user", user)) inline(p, `UserPolicy ${p.name}`);
    for (const g of groups(of).filter((g) => memberOf(user, g, of))) {
        const group = `group ${g.name ?? g.urn}`;
        for (const a of of(T.groupAttachment)) if (refersTo(a, "group", g)) via(a, "policyArn", true, group);
        for (const a of of(T.groupAttachments)) if (refersTo(a, "groupName", g)) via(a, "policyArns", false, group);
        for (const a of of(T.attachment))
            if (refersTo(a, "groups", g)) via(a, "policyArn", true, `${group} (PolicyAttachment ${a.name})`);
        for (const p of of(T.groupPolicy)) if (refersTo(p, "group", g)) inline(p, `${group}, GroupPolicy ${p.name}`);
    }
    return routes;
}

/** What is wrong with the Deny statements that come closest to the MFA Deny. */
function whyNoMfaDeny(inline: Stmt[]): string {
    const denies = inline.filter((s) => s.Effect === "Deny");
    if (denies.length === 0) return "none of its inline policies has a Deny statement";
    const mentionsMfa = (s: Stmt) =>
        s.NotAction !== undefined && conditionEntries(s).some((e) => e.key.toLowerCase() === MFA_PRESENT.toLowerCase());
    const closest = denies.some(mentionsMfa) ? denies.filter(mentionsMfa) : denies;
    return [...new Set(closest.map(mfaDenyProblem))].join("; ");
}

export const adminUsersRequireMfaDeny: StackValidationPolicy = {
    name: "admin-users-require-mfa-deny",
    description:
        "Every IAM user granted everything (AdministratorAccess or a policy allowing *:* on *, attached to the user " +
        "or a group of theirs, or inline) carries an inline Deny of all but MFA-bootstrap actions, conditioned on " +
        'exactly BoolIfExists aws:MultiFactorAuthPresent "false".',
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const of: Of = (type) => args.resources.filter((r) => r.type === type);
        for (const u of of(T.user)) {
            const user = { urn: u.urn, name: String(u.props["name"]) };
            // The Deny first: a user who carries it is safe however they are granted, and at preview this reads
            // only the user's own inline policies, whose documents are known.
            const inline = of(T.userPolicy)
                .filter((p) => refersTo(p, "user", user))
                .flatMap((p) => statementsOf(p.props["policy"]));
            if (inline.some((s) => mfaDenyProblem(s) === undefined)) continue;
            const routes = adminRoutes(user, of);
            if (routes.length === 0) continue;
            reportViolation(
                `IAM user ${user.name} holds ${routes.join(", ")} without an MFA Deny: ${whyNoMfaDeny(inline)}`,
                u.urn,
            );
        }
    },
};
