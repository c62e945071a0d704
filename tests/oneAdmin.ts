import type { Caller } from "../analysis/callers";
import type { DeclaredAccess } from "../analysis/declared";
import { managedPolicyDocument } from "../analysis/managedPolicies";
import { simulate } from "../analysis/simulate";
import {
    administratorAccessArn,
    mfaEnforcementPolicy,
    type MfaPolicyOptions,
    type PolicyDocument,
} from "../components/policies";

/** The account of the one admin below. */
export const ACCOUNT = "123456789012";
const IAM = `arn:aws:iam::${ACCOUNT}`;

/**
 * One admin, `k3s-admin`, with the inline Deny of `options` and AdministratorAccess, as the program declares them;
 * `extra` is a further inline policy by name (a revocation, say). For tests that ask a few pointed questions of IAM
 * instead of a whole matrix.
 */
export function oneAdmin(
    options: MfaPolicyOptions = {},
    extra?: { readonly name: string; readonly document: PolicyDocument },
): DeclaredAccess {
    const admin = managedPolicyDocument(administratorAccessArn("aws"));
    return {
        accountId: ACCOUNT,
        partition: "aws",
        region: "us-east-1",
        users: [
            {
                name: "k3s-admin",
                arn: `${IAM}:user/k3s-admin`,
                policies: [
                    { name: "k3s-admin-ui-cli-with-mfa", document: mfaEnforcementPolicy(options), inline: true },
                    ...(extra ? [{ ...extra, inline: true }] : []),
                    { ...admin, inline: false },
                ],
            },
        ],
        role: {
            name: "k3s-admin-mfa",
            arn: `${IAM}:role/k3s-admin-mfa`,
            trustPolicy: { Version: "2012-10-17", Statement: [] },
        },
    };
}

/** One IAM evaluation of a caller's request, as the access matrix makes it (analysis/matrix.ts): ALLOW or DENY. */
export async function decide(caller: Caller, action: string, resource = "*"): Promise<string> {
    const result = await simulate({
        request: {
            principal: caller.principal,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: caller.context,
        },
        identityPolicies: caller.policies.map((p) => ({ name: p.name, policy: p.document })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    });
    if (result.resultType === "error") throw new Error(`${action}: ${JSON.stringify(result.errors)}`);
    return result.overallResult === "Allowed" ? "ALLOW" : "DENY";
}
