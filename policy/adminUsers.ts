import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { adminProgress, deploymentOf } from "./deployment";
import { inlinePolicyProblem, statementsOf } from "./documents";
import { ADMIN_USER_COMPONENT, componentName } from "./places";
import { read, unknownProblem } from "./resolved";

export const T = {
    user: "aws:iam/user:User",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    userAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
} as const;

/** AdminUser's children (components/adminUser.ts): each named after the component, which is named after the user. */
const SUFFIX: Readonly<Record<string, string>> = {
    [T.user]: "-user",
    [T.userPolicy]: "-mfa-policy",
    [T.userAttachment]: "-administrator-access",
};

/** AWS's AdministratorAccess in any partition: the one managed policy the stack attaches. */
const ADMINISTRATOR_ACCESS = /^arn:aws(-[a-z-]+)?:iam::aws:policy\/AdministratorAccess$/;

type Props = Record<string, unknown>;

/** The known value of `key`, or undefined after reporting why it cannot be judged. */
function known(props: Props, key: string, what: string, report: (m: string) => void): unknown {
    const v = read(props, key);
    if (v.known) return v.value;
    report(unknownProblem(`${what}'s \`${key}\``, v.why));
    return undefined;
}

export const adminUsersAsDeployed: ResourceValidationPolicy = {
    name: "admin-users-as-deployed",
    description:
        "IAM users, inline user policies and user policy attachments exist only as AdminUser declares them: the user " +
        'named after its component, on path "/"; one inline policy on that user, of Deny statements only, one of them ' +
        "the MFA Deny; AdministratorAccess on that user, only once its user and MFA Deny have passed in the same " +
        "deployment. Judged as each resource registers, so `pulumi up` stops before the resource exists.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const suffix = SUFFIX[args.type];
        if (suffix === undefined) return;
        const admin = componentName(args.urn, args.opts.parent, ADMIN_USER_COMPONENT);
        if (admin === undefined)
            return report(
                `${args.name} is declared outside an AdminUser at the top of the program: the stack's IAM users, ` +
                    "their inline policies and attachments are AdminUser's alone",
            );
        if (args.name !== `${admin}${suffix}`)
            return report(`AdminUser ${admin} declares only ${admin}${suffix} of type ${args.type}, not ${args.name}`);
        const progress = adminProgress(deploymentOf(args), admin);
        const problems: string[] = [];
        const value = (key: string) => known(args.props, key, args.name, (m) => problems.push(m));
        if (args.type === T.user) {
            const [name, path] = [value("name"), value("path")];
            if (name !== admin) problems.push(`names the user ${JSON.stringify(name)}, not its AdminUser's ${admin}`);
            if (path !== undefined && path !== "/")
                problems.push(`puts the user on path ${JSON.stringify(path)}, not "/"`);
            if (problems.length === 0) progress.user = true;
        } else if (args.type === T.userPolicy) {
            const [user, policy] = [value("user"), value("policy")];
            // IAM acts on the value: PutUserPolicy writes to the user the request names, whatever the program meant.
            if (user !== admin) problems.push(`is put on user ${JSON.stringify(user)}, not its AdminUser's ${admin}`);
            const problem = policy === undefined ? undefined : inlinePolicyProblem(statementsOf(policy));
            if (problem) problems.push(`its document ${problem}`);
            if (problems.length === 0) progress.deny = true;
        } else {
            const [user, arn] = [value("user"), value("policyArn")];
            if (user !== admin) problems.push(`attaches to user ${JSON.stringify(user)}, not its AdminUser's ${admin}`);
            if (typeof arn !== "string" || !ADMINISTRATOR_ACCESS.test(arn))
                problems.push(`attaches ${JSON.stringify(arn)}; an AdminUser holds AdministratorAccess only`);
            if (!progress.user || !progress.deny)
                problems.push(
                    `grants ${admin} AdministratorAccess before their user and MFA Deny have passed in this ` +
                        "deployment (AdminUser declares the grant after the Deny, dependsOn it)",
                );
        }
        problems.forEach((p) => report(`${args.name} ${p}`));
    },
};

/** A string value of a resource's output, or undefined after reporting it unknown (mandatory, with its URN). */
function outputOf(r: PolicyResource, key: string, report: (m: string, urn: string) => void): unknown {
    return known(r.props, key, r.name, (m) => report(m, r.urn));
}

export const adminUsersRequireMfaDeny: StackValidationPolicy = {
    name: "admin-users-require-mfa-deny",
    description:
        "Across the stack, on resolved values (IAM acts on values, not on dependencies): every IAM user carries " +
        "exactly one inline policy, of Deny statements only with the MFA Deny among them, and exactly one attachment, " +
        "of AdministratorAccess; no inline policy or attachment names a user the stack does not declare.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const of = (type: string) => args.resources.filter((r) => r.type === type);
        const users = new Map<string, PolicyResource>();
        for (const u of of(T.user)) {
            const name = outputOf(u, "name", report);
            if (typeof name === "string") users.set(name, u);
        }
        const inline = new Map<string, PolicyResource[]>();
        const grants = new Map<string, PolicyResource[]>();
        const byUser = (found: Map<string, PolicyResource[]>, r: PolicyResource, kind: string) => {
            const user = outputOf(r, "user", report);
            if (user === undefined) return undefined;
            if (typeof user !== "string" || !users.has(user)) {
                report(`${kind} ${r.name} names user ${JSON.stringify(user)}, which the stack does not declare`, r.urn);
                return undefined;
            }
            found.set(user, [...(found.get(user) ?? []), r]);
            return user;
        };
        for (const p of of(T.userPolicy)) {
            if (byUser(inline, p, "inline policy") === undefined) continue;
            const policy = outputOf(p, "policy", report);
            const problem = policy === undefined ? undefined : inlinePolicyProblem(statementsOf(policy));
            if (problem) report(`inline policy ${p.name} ${problem}`, p.urn);
        }
        for (const a of of(T.userAttachment)) {
            if (byUser(grants, a, "attachment") === undefined) continue;
            const arn = outputOf(a, "policyArn", report);
            if (typeof arn !== "string" || !ADMINISTRATOR_ACCESS.test(arn))
                report(
                    `attachment ${a.name} attaches ${JSON.stringify(arn)}; users hold AdministratorAccess only`,
                    a.urn,
                );
        }
        for (const [name, u] of users) {
            // Two inline policies on one user: one may share the other's name (PutUserPolicy overwrites), and
            // deleting either deletes the user's policy of that name.
            const policies = inline.get(name) ?? [];
            if (policies.length !== 1)
                report(
                    `IAM user ${name} carries ${policies.length} inline policies; exactly one, with the MFA Deny`,
                    u.urn,
                );
            const attached = grants.get(name) ?? [];
            if (attached.length !== 1)
                report(
                    `IAM user ${name} has ${attached.length} policy attachments; exactly one, AdministratorAccess`,
                    u.urn,
                );
        }
    },
};
