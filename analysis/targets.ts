import type { PolicyDocument } from "../components/policies";
import type { DeclaredAccess, DeclaredUser } from "./declared";
import type { Target } from "./expectations";

export interface OtherTarget {
    readonly action: string;
    /** How the report names what the request is on. */
    readonly on: string;
    readonly target: Target;
    readonly resource: string;
    readonly policy?: PolicyDocument;
}

/**
 * Requests on what is not the caller's own (issue #11): other users' identities and devices, which the seed's
 * exemptions reach with bare keys; and an S3 bucket and a KMS key whose own policies Allow the user by ARN. A
 * resource policy cannot lift an explicit Deny in the user's identity policy, so those stay denied without MFA.
 * In a team, "another user" is a teammate: the nearest target for a thief holding one admin's keys.
 */
export function otherTargets(d: DeclaredAccess, user: DeclaredUser): OtherTarget[] {
    const iam = `arn:${d.partition}:iam::${d.accountId}`;
    const other = d.users.find((u) => u.name !== user.name)?.name ?? "someone-else";
    const allowUser = (sid: string, action: string, resource: string): PolicyDocument["Statement"][number] => ({
        Sid: sid,
        Effect: "Allow",
        Principal: { AWS: user.arn },
        Action: action,
        Resource: resource,
    });
    const bucket = `arn:${d.partition}:s3:::${user.name}-example-bucket`;
    const key = `arn:${d.partition}:kms:${d.region}:${d.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    return [
        {
            action: "iam:EnableMFADevice",
            on: "another user",
            target: "another user",
            resource: `${iam}:user/${other}`,
        },
        {
            action: "iam:ListAccessKeys",
            on: "another user",
            target: "another user",
            resource: `${iam}:user/${other}`,
        },
        {
            action: "iam:CreateVirtualMFADevice",
            on: "a device named after another user",
            target: "another user",
            resource: `${iam}:mfa/${other}`,
        },
        {
            action: "iam:DeleteVirtualMFADevice",
            on: "another user's device",
            target: "another user",
            resource: `${iam}:mfa/${other}`,
        },
        {
            action: "s3:GetObject",
            on: `a bucket whose policy allows ${user.name}`,
            target: "resource policy",
            resource: `${bucket}/report.csv`,
            policy: {
                Version: "2012-10-17",
                Statement: [allowUser("BucketAllowsAdmin", "s3:GetObject", `${bucket}/*`)],
            },
        },
        {
            action: "kms:Decrypt",
            on: `a KMS key whose policy allows ${user.name}`,
            target: "resource policy",
            resource: key,
            policy: {
                Version: "2012-10-17",
                Statement: [
                    allowUser("KeyAllowsAdmin", "kms:Decrypt", "*"),
                    // The default key policy's statement, which lets IAM policies grant the key at all.
                    {
                        Sid: "EnableIAMPolicies",
                        Effect: "Allow",
                        Principal: { AWS: `arn:${d.partition}:iam::${d.accountId}:root` },
                        Action: "kms:*",
                        Resource: "*",
                    },
                ],
            },
        },
    ];
}
