import { iamUserArn, type PolicyDocument } from "../components/policies";
import { managedPolicyDocument } from "./managedPolicies";

/** What a run of the program declared, as the IAM evaluation needs it. Built from the resources, never re-typed. */
export interface DeclaredAccess {
    readonly accountId: string;
    readonly partition: string;
    readonly region: string;
    /**
     * Every IAM user the program declares, in the order it declares them (the stack's `userName` first), each with
     * the policies attached to it by name: a team of admins (issue #12) is read as such, never assumed to be one.
     */
    readonly users: readonly DeclaredUser[];
    readonly role: { readonly name: string; readonly arn: string; readonly trustPolicy: PolicyDocument };
}

export interface DeclaredUser {
    readonly name: string;
    readonly arn: string;
    /** Inline and attached policies, in the order IAM would list them (inline first). */
    readonly policies: readonly NamedPolicy[];
}

export interface NamedPolicy {
    readonly name: string;
    readonly document: PolicyDocument;
    /** True for the user's own inline policies, false for attached managed ones. */
    readonly inline: boolean;
}

/** The parts of a program run this module reads (tests/mocks.ts ProgramRun fits). */
export interface RunLike {
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly resources: readonly { readonly type: string; readonly inputs: Record<string, unknown> }[];
}

function text(value: unknown, what: string): string {
    if (typeof value !== "string" || value === "") throw new Error(`the program declared no ${what}`);
    return value;
}

/** A policy input as the provider receives it: a typed object, or a JSON string. */
function document(value: unknown): PolicyDocument {
    return (typeof value === "string" ? JSON.parse(value) : value) as PolicyDocument;
}

/**
 * The users in the stack's order: `userName`'s first, then the order of the `people` output (the order of
 * `adminUserNames`), whatever order the engine happened to record the registrations in.
 */
function inStackOrder<T extends { readonly inputs: Record<string, unknown> }>(run: RunLike, users: readonly T[]): T[] {
    const people = run.outputs["people"];
    const order = [run.outputs["userName"], ...(people && typeof people === "object" ? Object.keys(people) : [])];
    const rank = (u: T) => {
        const i = order.indexOf(u.inputs["name"]);
        return i < 0 ? order.length : i;
    };
    return users
        .map((u, i) => ({ u, i }))
        .sort((a, b) => rank(a.u) - rank(b.u) || a.i - b.i)
        .map(({ u }) => u);
}

export function declaredAccess(run: RunLike, region: string): DeclaredAccess {
    // The first admin's ARN, as IAM reports it, gives the partition and account every other ARN is built in.
    const firstArn = text(run.outputs["userArn"], "user ARN");
    const roleName = text(run.outputs["roleName"], "role name");
    const [, partition = "", , , accountId = ""] = firstArn.split(":");
    const of = (type: string) => run.resources.filter((r) => r.type === type);

    const users = inStackOrder(run, of("aws:iam/user:User")).map((u): DeclaredUser => {
        const name = text(u.inputs["name"], "user name");
        const path = typeof u.inputs["path"] === "string" ? u.inputs["path"] : "/";
        const inline = of("aws:iam/userPolicy:UserPolicy")
            .filter((r) => r.inputs["user"] === name)
            .map((r) => ({
                name: text(r.inputs["name"], "inline policy name"),
                document: document(r.inputs["policy"]),
                inline: true,
            }));
        const attached = of("aws:iam/userPolicyAttachment:UserPolicyAttachment")
            .filter((r) => r.inputs["user"] === name)
            .map((r) => ({ ...managedPolicyDocument(text(r.inputs["policyArn"], "policy ARN")), inline: false }));
        return {
            name,
            arn: iamUserArn(partition, accountId, path, name),
            policies: [...inline, ...attached],
        };
    });
    if (users[0]?.arn !== firstArn)
        throw new Error(`the program's first user is ${users[0]?.arn ?? "missing"}, but its userArn is ${firstArn}`);
    const role = of("aws:iam/role:Role").find((r) => r.inputs["name"] === roleName);
    if (!role) throw new Error(`the program declared no role named ${roleName}`);

    return {
        accountId,
        partition,
        region,
        users,
        role: {
            name: roleName,
            arn: text(run.outputs["roleArn"], "role ARN"),
            trustPolicy: document(role.inputs["assumeRolePolicy"]),
        },
    };
}
