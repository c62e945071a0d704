import type { ResourceValidationPolicy } from "@pulumi/policy";
import { adminUsersAsDeployed, adminUsersRequireMfaDeny, T } from "./adminUsers";
import { list, mfaAbsentConditionProblem, mfaDenyProblem, statementsOf, type Stmt } from "./documents";
import { read } from "./resolved";
import { onlyTheStacksResourceTypes } from "./resourceTypes";
import { mappedRoleTrustsOwnAccount, rolesTrustingPeopleRequireMfa } from "./trust";

/**
 * Guardrails that keep the MFA rules from regressing unnoticed: an allowlist of the shapes this stack deploys
 * (docs/policy-pack.md). Each rule is an exported constant; policy/index.ts only assembles them into the pack
 * (constructing a PolicyPack starts a server). The rules read the documents themselves and share no code with the
 * program they judge.
 */

export { adminUsersAsDeployed, adminUsersRequireMfaDeny } from "./adminUsers";
export { onlyTheStacksResourceTypes } from "./resourceTypes";
export { rolesTrustingPeopleRequireMfa } from "./trust";

export const instancesRequireImdsv2AndEncryption: ResourceValidationPolicy = {
    name: "ec2-instances-require-imdsv2-and-encryption",
    description: "EC2 instances require IMDSv2 (httpTokens required) and an encrypted root volume.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:ec2/instance:Instance") return;
        const metadata = args.props["metadataOptions"] as { httpTokens?: string } | undefined;
        const root = args.props["rootBlockDevice"] as { encrypted?: boolean } | undefined;
        if (metadata?.httpTokens !== "required")
            reportViolation('IMDSv2 is not required: set metadataOptions.httpTokens "required"');
        if (root?.encrypted !== true)
            reportViolation("the root volume is not encrypted: set rootBlockDevice.encrypted true");
    },
};

/** A statement that denies iam:DeleteVirtualMFADevice on everything whenever MFA is absent (issue #11's default). */
const deniesDeviceDeletionWithoutMfa = (s: Stmt) =>
    s.Effect === "Deny" &&
    list(s.Action).some((a) => a.toLowerCase() === "iam:deletevirtualmfadevice") &&
    list(s.Resource).includes("*") &&
    mfaAbsentConditionProblem(s) === undefined;

export const mfaDenyKeepsDeviceDeletionExempt: ResourceValidationPolicy = {
    name: "mfa-deny-exempts-delete-virtual-mfa-device",
    description:
        "The MFA Deny exempts iam:DeleteVirtualMFADevice, which AWS advises never to exempt (hardened: true removes it).",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (args.type !== T.userPolicy) return;
        // An unknown document is refused by admin-users-as-deployed; this advice waits for a known one.
        const policy = read(args.props, "policy");
        if (!policy.known) return;
        const statements = statementsOf(policy.value);
        const exempting = statements.some(
            (s) =>
                mfaDenyProblem(s) === undefined &&
                list(s.NotAction).some((a) => a.toLowerCase() === "iam:deletevirtualmfadevice"),
        );
        // A second Deny of the deletion without MFA takes the exemption back.
        if (exempting && !statements.some(deniesDeviceDeletionWithoutMfa))
            reportViolation(
                "the MFA Deny exempts iam:DeleteVirtualMFADevice; set `hardened true` once the MFA device is enrolled",
            );
    },
};

export const POLICIES = [
    onlyTheStacksResourceTypes,
    adminUsersAsDeployed,
    adminUsersRequireMfaDeny,
    rolesTrustingPeopleRequireMfa,
    mappedRoleTrustsOwnAccount,
    instancesRequireImdsv2AndEncryption,
    mfaDenyKeepsDeviceDeletionExempt,
] as const;
