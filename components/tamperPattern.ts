/**
 * The tamper alarm's EventBridge event pattern, as a pure function (issue 12, section 3). It matches the CloudTrail
 * records of IAM calls that weaken the MFA door, for our admin users and our role only.
 *
 * Shapes: IAM's CloudTrail events reach EventBridge as `source` "aws.iam", `detail-type` "AWS API Call via
 * CloudTrail", `detail.eventSource` "iam.amazonaws.com" (EventBridge events reference, events-ref-iam.html); the
 * request's parameters are in `detail.requestParameters`, camel-cased from the API's (`UserName` → `userName`).
 */

/**
 * Calls that weaken an admin user's side of the door, or keep a thief in after a leak, each naming the user in
 * `requestParameters.userName`. Issue #20 added what an attacker does next: enrol or resync a device of theirs,
 * re-activate a key, rename the user (later events then carry another name, so the rename itself must fire), put a
 * permissions boundary on or take it off, put the user in a group.
 */
export const USER_EVENTS = [
    // The inline MFA Deny replaced or removed.
    "PutUserPolicy",
    "DeleteUserPolicy",
    // A managed policy attached (a grant beside the Deny) or detached (AdministratorAccess swapped); a group's grants.
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AddUserToGroup",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    // The second factor taken away, or a second one added (users may hold up to 8 MFA devices).
    "DeactivateMFADevice",
    "EnableMFADevice",
    "ResyncMFADevice",
    // New or revived long-term credentials: an access key (created or set Active again), a console password set or
    // reset, an SSH key or service-specific credential (CodeCommit, Keyspaces), a signing certificate.
    "CreateAccessKey",
    "UpdateAccessKey",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "UploadSSHPublicKey",
    "CreateServiceSpecificCredential",
    "UploadSigningCertificate",
    // Renamed or moved: from then on CloudTrail names the user differently and this pattern no longer knows it.
    "UpdateUser",
] as const;

/**
 * Calls that weaken the role: its MFA trust policy rewritten, the role deleted, permissions or a boundary given to
 * it, or its settings changed (UpdateRole sets `MaxSessionDuration`, up to 12 h; tags can satisfy another policy's
 * `aws:PrincipalTag` condition).
 */
export const ROLE_EVENTS = [
    "UpdateAssumeRolePolicy",
    "DeleteRole",
    "AttachRolePolicy",
    "PutRolePolicy",
    "UpdateRole",
    "UpdateRoleDescription",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "TagRole",
] as const;

/**
 * Calls whose record may not name the user: `UserName` is optional for CreateAccessKey, UpdateAccessKey,
 * CreateLoginProfile, DeactivateMFADevice and UploadSigningCertificate ("it defaults to the principal making the
 * request", IAM API reference), ChangePassword has none, and CreateVirtualMFADevice and DeleteVirtualMFADevice name
 * only the device. Those made by one of our users are matched by the caller (`userIdentity.userName`). Deleting
 * another person's device needs no name of its own: IAM refuses to delete a virtual device still assigned to a
 * user (DeleteConflict), so a DeactivateMFADevice naming them, which the user list catches, always comes first.
 */
export const SELF_EVENTS = [
    "CreateAccessKey",
    "UpdateAccessKey",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "ChangePassword",
    "UploadSigningCertificate",
    "DeactivateMFADevice",
    "CreateVirtualMFADevice",
    "DeleteVirtualMFADevice",
] as const;

/** EventBridge's default limit on an event pattern, in characters ("Event pattern size", adjustable to 4096). */
const MAX_PATTERN_SIZE = 2048;

export type PatternValue = string | { readonly [op: string]: unknown };
export interface EventPattern {
    readonly [key: string]: readonly PatternValue[] | EventPattern | readonly EventPattern[];
}

export interface TamperPatternOptions {
    /** The stack setting the user names come from, named when the pattern is too large. */
    readonly userNamesSetting?: string;
}

/**
 * A list of names EventBridge would accept and that means what it says: non-empty, no blanks, no duplicates (IAM
 * does not distinguish names by case, so neither does this check).
 */
function names(what: string, list: readonly string[]): string[] {
    if (list.length === 0) throw new Error(`the tamper alarm needs at least one ${what}`);
    const bad = list.find((n) => n.trim() === "" || n !== n.trim());
    if (bad !== undefined) throw new Error(`the tamper alarm got ${what} ${JSON.stringify(bad)}: blank or padded`);
    const lower = list.map((n) => n.toLowerCase());
    const dup = list.find((_, i) => lower.indexOf(lower[i]!) !== i);
    if (dup !== undefined) throw new Error(`the tamper alarm got ${what} ${JSON.stringify(dup)} twice`);
    return [...list];
}

/**
 * A name as the caller typed it: IAM names "are not distinguished by case" (IAM identifiers, IAM user guide), so
 * `--user-name K3S-ADMIN` acts on k3s-admin and CloudTrail records `K3S-ADMIN`. EventBridge's `equals-ignore-case`
 * ("Comparison operators for use in event patterns", EventBridge user guide) matches every casing.
 */
const anyCase = (name: string): PatternValue => ({ "equals-ignore-case": name });

/**
 * The event pattern that fires when the door is weakened. Three ways in, joined by `$or`: a user call naming one of
 * our users (any casing); a SELF_EVENTS call without a user name, made by one of our users (`userIdentity.userName`
 * is the name IAM stores, exactly); a role call naming our role (any casing). Each user name appears twice, so the
 * pattern grows by about twice the names' length, plus 25 characters, per admin.
 */
export function tamperEventPattern(
    userNames: readonly string[],
    roleName: string,
    options: TamperPatternOptions = {},
): EventPattern {
    const users = names("user name", userNames);
    const [role] = names("role name", [roleName]);
    const pattern: EventPattern = {
        source: ["aws.iam"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: {
            eventSource: ["iam.amazonaws.com"],
            $or: [
                { eventName: [...USER_EVENTS], requestParameters: { userName: users.map(anyCase) } },
                {
                    eventName: [...SELF_EVENTS],
                    requestParameters: { userName: [{ exists: false }] },
                    userIdentity: { type: ["IAMUser"], userName: users },
                },
                { eventName: [...ROLE_EVENTS], requestParameters: { roleName: [anyCase(role!)] } },
            ],
        },
    };
    const size = JSON.stringify(pattern).length;
    if (size > MAX_PATTERN_SIZE) {
        // EventBridge would refuse the rule at `pulumi up`; say so at preview, with what to change.
        const where = options.userNamesSetting ? ` in config \`${options.userNamesSetting}\`` : "";
        throw new Error(
            `the tamper alarm's event pattern for ${users.length} admin users is ${size} characters, over ` +
                `EventBridge's event pattern size limit of ${MAX_PATTERN_SIZE}: list fewer or shorter names${where}`,
        );
    }
    return pattern;
}
