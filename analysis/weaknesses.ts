import { MFA_AGE_KEY, ROLE_SESSION_NAME_KEY, type Statement, USERNAME_VARIABLE } from "../components/policies";
import type { DeclaredAccess, DeclaredUser } from "./declared";

/**
 * Known weaknesses of the seed's design that apply to what was declared. Read from the documents themselves, so a
 * warning appears exactly when the deployed policy has the weakness (the matrix's expectations come from the config;
 * the two meet in tests/accessMatrix.test.ts).
 */

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

/** A Deny that names `action` in its Action (not NotAction): it takes that action back from an exemption. */
const deniesByName = (s: Statement, action: string) => s.Effect === "Deny" && list(s.Action).includes(action);

/** Every weakness of any admin's policies, once each, in the order the first user who has it shows them. */
export function weaknesses(d: DeclaredAccess): string[] {
    return [...new Set(d.users.flatMap((u) => userWeaknesses(d, u)))];
}

function userWeaknesses(d: DeclaredAccess, user: DeclaredUser): string[] {
    const denies = user.policies
        .filter((p) => p.inline)
        .flatMap((p) => p.document.Statement)
        .filter((s: Statement) => s.Effect === "Deny");
    const exempt = denies.flatMap((s) => s.NotAction ?? []);
    // Exempt, and no other Deny takes it back (the scoped style's NoMFADeviceDeletionWithoutMFA does).
    const open = (action: string) => exempt.includes(action) && !denies.some((s) => deniesByName(s, action));
    // Exempt, and no Deny limits it to the caller's own user (the scoped style's OnlyOwnUserWithoutMFA does).
    const unscoped = (action: string) =>
        exempt.includes(action) &&
        !denies.some((s) => deniesByName(s, action) && list(s.NotResource).some((r) => r.includes(USERNAME_VARIABLE)));
    const found: string[] = [];
    if (open("iam:DeleteVirtualMFADevice")) {
        found.push(
            "the MFA Deny exempts iam:DeleteVirtualMFADevice, which AWS's documentation advises never to exempt: " +
                "long-term keys alone can delete an unassigned virtual MFA device, any user's (use `mfaPolicy scoped`)",
        );
    }
    if (exempt.includes("iam:CreateVirtualMFADevice") && exempt.includes("iam:EnableMFADevice")) {
        found.push(
            "long-term keys alone can create and enable an MFA device: a thief holding the keys of a user with no MFA " +
                "device yet can enrol their own and then pass every MFA check (set `hardened true` once the device is enrolled)",
        );
    }
    if (["iam:EnableMFADevice", "iam:ResyncMFADevice", "iam:ListAccessKeys", "iam:ListMFADevices"].some(unscoped)) {
        found.push(
            "the exemptions are not limited to the user's own identity: AdministratorAccess grants them on `*`, so " +
                "long-term keys can also list other users' access keys and MFA devices and manage their MFA devices " +
                "(use `mfaPolicy scoped`)",
        );
    }
    if (unscoped("iam:CreateVirtualMFADevice")) {
        found.push(
            "long-term keys alone can create a virtual MFA device under any name: stolen keys can pre-create the " +
                "device another person's profile expects (`mfa/<their name>`), so their enrolment under it fails " +
                "(use `mfaPolicy scoped`, which allows only the caller's own name without MFA)",
        );
    }
    const ageLimited = denies.some((s) =>
        Object.entries(s.Condition ?? {}).some(
            ([op, keys]) => /^NumericGreaterThan/.test(op) && Object.keys(keys ?? {}).includes(MFA_AGE_KEY),
        ),
    );
    if (!ageLimited) {
        found.push(
            "the user's own MFA sessions never age out: a GetSessionToken session acts as admin for up to 36 h after " +
                "the code was typed, whatever the role's mfaMaxAgeSeconds (use `mfaPolicy scoped`, `userMfaMaxAgeSeconds`)",
        );
    }
    found.push(
        "sts:GetCallerIdentity cannot be denied by any policy, so long-term keys can still mint aws-iam-authenticator " +
            "tokens for the user: map only the role in the cluster, never the user",
    );
    const trusted = d.role.trustPolicy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) =>
        list(s.Principal?.AWS),
    );
    if (trusted.some((p) => p.endsWith(":root"))) {
        found.push(
            "the role trusts the account root (`roleTrust account`): any identity of the account whose own policies allow " +
                "sts:AssumeRole on it can assume it with MFA, not only the admin user (a role's session gets in " +
                "only if that role was itself assumed with MFA)",
        );
    }
    // aws-iam-authenticator names the cluster's user after the session: unbound, the caller picks whose name it is.
    const allows = d.role.trustPolicy.Statement.filter((s) => s.Effect === "Allow");
    const bound = (s: Statement) => {
        const names = list(s.Condition?.StringEquals?.[ROLE_SESSION_NAME_KEY] as string | string[] | undefined);
        return names.length > 0 && names.every((v) => v === USERNAME_VARIABLE);
    };
    if (allows.some((s) => !bound(s))) {
        found.push(
            "the role's trust does not require `sts:RoleSessionName` to be the caller's own `${aws:username}`: an admin " +
                "can assume the role under another person's name, and the cluster's audit log then shows that name",
        );
    }
    return found;
}
