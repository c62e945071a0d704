import type { Statement } from "../components/policies";
import type { DeclaredAccess } from "./declared";

/**
 * Known weaknesses of the seed's design that apply to what was declared. Read from the documents themselves, so a
 * warning appears exactly when the deployed policy has the weakness.
 */
export function weaknesses(d: DeclaredAccess): string[] {
    const exempt = d.user.policies
        .filter((p) => p.inline)
        .flatMap((p) => p.document.Statement)
        .filter((s: Statement) => s.Effect === "Deny")
        .flatMap((s) => s.NotAction ?? []);
    const found: string[] = [];
    if (exempt.includes("iam:DeleteVirtualMFADevice")) {
        found.push(
            "the MFA Deny exempts iam:DeleteVirtualMFADevice, which AWS's documentation advises never to exempt: " +
                "long-term keys alone can delete an unassigned virtual MFA device (set `hardened true` once the device is enrolled)",
        );
    }
    if (exempt.includes("iam:CreateVirtualMFADevice") && exempt.includes("iam:EnableMFADevice")) {
        found.push(
            "long-term keys alone can create and enable an MFA device: a thief holding the keys of a user with no MFA " +
                "device yet can enrol their own and then pass every MFA check (set `hardened true` once the device is enrolled)",
        );
    }
    if (exempt.some((a) => /^iam:(EnableMFADevice|ResyncMFADevice|ListAccessKeys|ListMFADevices)$/.test(a))) {
        found.push(
            "the exemptions are not limited to the user's own identity: AdministratorAccess grants them on `*`, so " +
                "long-term keys can also list other users' access keys and MFA devices and manage their MFA devices",
        );
    }
    found.push(
        "sts:GetCallerIdentity cannot be denied by any policy, so long-term keys can still mint aws-iam-authenticator " +
            "tokens for the user: map only the role in the cluster, never the user",
    );
    const trusted = d.role.trustPolicy.Statement.filter((s) => s.Effect === "Allow").map((s) => s.Principal?.AWS ?? "");
    if (trusted.some((p) => p.endsWith(":root"))) {
        found.push(
            "the role trusts the account root (`roleTrust account`): any identity of the account whose own policies allow " +
                "sts:AssumeRole on it can assume it with MFA, not only the admin user",
        );
    }
    return found;
}
