import type { PolicyDocument } from "../components/policies";
import { managedPolicyDocument } from "./managedPolicies";

/** What a run of the program declared, as the IAM evaluation needs it. Built from the resources, never re-typed. */
export interface DeclaredAccess {
    readonly accountId: string;
    readonly partition: string;
    readonly region: string;
    readonly user: {
        readonly name: string;
        readonly arn: string;
        /** Inline and attached policies, in the order IAM would list them (inline first). */
        readonly policies: readonly NamedPolicy[];
    };
    readonly role: { readonly name: string; readonly arn: string; readonly trustPolicy: PolicyDocument };
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

export function declaredAccess(run: RunLike, region: string): DeclaredAccess {
    const userName = text(run.outputs["userName"], "user name");
    const userArn = text(run.outputs["userArn"], "user ARN");
    const roleName = text(run.outputs["roleName"], "role name");
    const [, partition = "", , , accountId = ""] = userArn.split(":");
    const of = (type: string) => run.resources.filter((r) => r.type === type);

    const inline = of("aws:iam/userPolicy:UserPolicy")
        .filter((r) => r.inputs["user"] === userName)
        .map((r) => ({
            name: text(r.inputs["name"], "inline policy name"),
            document: document(r.inputs["policy"]),
            inline: true,
        }));
    const attached = of("aws:iam/userPolicyAttachment:UserPolicyAttachment")
        .filter((r) => r.inputs["user"] === userName)
        .map((r) => ({ ...managedPolicyDocument(text(r.inputs["policyArn"], "policy ARN")), inline: false }));
    const role = of("aws:iam/role:Role").find((r) => r.inputs["name"] === roleName);
    if (!role) throw new Error(`the program declared no role named ${roleName}`);

    return {
        accountId,
        partition,
        region,
        user: { name: userName, arn: userArn, policies: [...inline, ...attached] },
        role: {
            name: roleName,
            arn: text(run.outputs["roleArn"], "role ARN"),
            trustPolicy: document(role.inputs["assumeRolePolicy"]),
        },
    };
}
