import type { PolicyDocument } from "../components/policies";

/**
 * Documents of the AWS managed policies the stack attaches, for offline evaluation. A managed policy's ARN is all
 * the program declares; its content is AWS's. Keyed by the part after the partition.
 */
const MANAGED: Readonly<Record<string, PolicyDocument>> = {
    // AdministratorAccess, version v1 (unchanged since 2015).
    "iam::aws:policy/AdministratorAccess": {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    },
};

/** The document of a managed policy by ARN, in any partition; throws for one this project does not know. */
export function managedPolicyDocument(arn: string): { name: string; document: PolicyDocument } {
    const key = arn.replace(/^arn:[^:]+:/, "");
    const document = MANAGED[key];
    if (!document)
        throw new Error(`no document known for managed policy ${arn}: add it to analysis/managedPolicies.ts`);
    return { name: key.split("/").pop()!, document };
}
