import type * as iam from "@pulumi/aws/iam";

/**
 * The policy documents of the stack, as typed objects built by pure functions. Components and tests call the same
 * functions, so the exact MFA rules live here and nowhere else.
 *
 * The types are narrower than `iam.PolicyDocument` (plain values, a closed set of operators) so a test can read
 * a document without unwrapping Outputs; `satisfies`/assignments below prove they still fit the provider's type.
 */

export type Effect = "Allow" | "Deny";

/** The condition operators this project uses; a typo such as `BoolIfExist` does not compile. */
export type ConditionOperator =
    | "Bool"
    | "BoolIfExists"
    | "DateLessThan"
    | "NumericLessThan"
    | "NumericGreaterThanEquals"
    | "StringEquals"
    | "StringLike";

export type Condition = Partial<Record<ConditionOperator, Record<string, string>>>;

export interface Statement {
    Sid?: string;
    Effect: Effect;
    Principal?: { AWS: string | string[] };
    Action?: string | string[];
    NotAction?: string[];
    Resource?: string;
    NotResource?: string | string[];
    Condition?: Condition;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Statement[];
}

export const MFA_DENY_SID = "MustBeSignedInWithMFA";

/** GetSessionToken's longest session (36 hours): an MFA age beyond it can never be reached by a session. */
export const MAX_MFA_AGE_SECONDS = 129600;
/**
 * The oldest MFA sign-in the role accepts (config `mfaMaxAgeSeconds`): as long as one of the role's sessions lasts. An
 * older sign-in is the "one old MFA session" a thief may hold, and the policy pack refuses a trust beyond it
 * (policy/trust.ts `MAX_MFA_AGE_SECONDS`; tests/policyPack.test.ts holds the two equal).
 */
export const MAX_ROLE_MFA_AGE_SECONDS = 3600;
export const MFA_PRESENT_KEY = "aws:MultiFactorAuthPresent";
export const MFA_AGE_KEY = "aws:MultiFactorAuthAge";
export const ROLE_SESSION_NAME_KEY = "sts:RoleSessionName";
/** IAM's policy variable for the calling IAM user's name; resolved per request, absent for any other principal. */
export const USERNAME_VARIABLE = "${aws:username}";

/**
 * What a user may do before signing in with MFA: exactly the seed's list, in the seed's order. These let a person
 * with only long-term keys enrol and resync a virtual MFA device and then call `sts:GetSessionToken` with it.
 */
export const MFA_BOOTSTRAP_ACTIONS: readonly string[] = Object.freeze([
    "sts:GetSessionToken",
    "iam:ResyncMFADevice",
    "iam:ListVirtualMFADevices",
    "iam:ListUsers",
    "iam:ListServiceSpecificCredentials",
    "iam:ListSSHPublicKeys",
    "iam:ListMFADevices",
    "iam:ListAccountAliases",
    "iam:ListAccessKeys",
    "iam:GetAccountSummary",
    "iam:EnableMFADevice",
    "iam:DeleteVirtualMFADevice",
    "iam:CreateVirtualMFADevice",
]);

/**
 * Bootstrap actions a thief holding only long-term keys could abuse: enrol their own device on a user that has none
 * yet (then pass every MFA check), or delete a device (AWS advises never to exempt DeleteVirtualMFADevice).
 * The hardened variant no longer exempts them, for accounts where the person's device is already enrolled.
 */
export const MFA_DEVICE_SETUP_ACTIONS: readonly string[] = Object.freeze([
    "iam:DeleteVirtualMFADevice",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
]);

/**
 * Bootstrap actions that change something: a device created, enrolled, resynced or deleted. Their effect outlives
 * the request, so a session past its age limit may not make them (issue #20: one leaked MFA session, older than
 * `userMfaMaxAgeSeconds`, enrolled a second device of the thief's and from then on the stolen keys passed every
 * MFA check). The other bootstrap actions only read, or ask for a new session.
 */
export const MFA_DEVICE_WRITE_ACTIONS: readonly string[] = Object.freeze([
    "iam:ResyncMFADevice",
    "iam:EnableMFADevice",
    "iam:DeleteVirtualMFADevice",
    "iam:CreateVirtualMFADevice",
]);

/**
 * `scoped` (the default): the seed's statement verbatim, plus Deny statements that close what it leaves open:
 * the exemptions reach only the caller's own user, no MFA device is deleted without MFA, and an MFA session ages
 * out. `seed`: the seed's single statement, byte for byte, for those who must deploy exactly what seed 004 shows.
 */
export type MfaPolicyStyle = "scoped" | "seed";

/** How long the user's own MFA sessions act as admin, by default: the role's limit, so neither door outlives the other. */
export const DEFAULT_USER_MFA_MAX_AGE_SECONDS = 3600;

export interface MfaPolicyOptions {
    /** Default `scoped`. */
    readonly style?: MfaPolicyStyle;
    /** Drop MFA_DEVICE_SETUP_ACTIONS from the exemptions. Default false. Not with `style: "seed"`. */
    readonly hardened?: boolean;
    /** The user's partition (`aws`, `aws-cn`, `aws-us-gov`), for the own-user ARN. Default `aws`. */
    readonly partition?: string;
    /** `scoped`: deny everything but the read-only bootstrap actions once the MFA sign-in is this old. Default 3600. */
    readonly userMfaMaxAgeSeconds?: number;
    /**
     * `scoped`: device names besides the user's own that bare keys may create (`mfaDeviceName`, when it is not the
     * user name). Default none.
     */
    readonly deviceNames?: readonly string[];
}

/** The actions the Deny exempts, in the seed's order. */
export function mfaExemptActions(options: MfaPolicyOptions = {}): string[] {
    return MFA_BOOTSTRAP_ACTIONS.filter((a) => !options.hardened || !MFA_DEVICE_SETUP_ACTIONS.includes(a));
}

/** What an MFA session past `userMfaMaxAgeSeconds` may still do: the bootstrap actions that change nothing. */
function staleSessionActions(options: MfaPolicyOptions = {}): string[] {
    return mfaExemptActions(options).filter((a) => !MFA_DEVICE_WRITE_ACTIONS.includes(a));
}

/**
 * Exemptions whose resource is an IAM user (the service authorization reference lists `user` as their resource
 * type). Without a scope they work on every user of the account: the admin's bare keys could enrol a device on,
 * or list the keys of, another user. AWS's own MFA self-service sample scopes exactly these to `${aws:username}`.
 */
export const USER_RESOURCE_EXEMPTIONS: readonly string[] = Object.freeze([
    "iam:ResyncMFADevice",
    "iam:ListServiceSpecificCredentials",
    "iam:ListSSHPublicKeys",
    "iam:ListMFADevices",
    "iam:ListAccessKeys",
    "iam:EnableMFADevice",
]);

export const OWN_USER_SID = "OnlyOwnUserWithoutMFA";
export const NO_DEVICE_DELETION_SID = "NoMFADeviceDeletionWithoutMFA";
export const SESSION_AGE_SID = "MFASessionsExpire";
export const OWN_DEVICE_NAME_SID = "OnlyOwnDeviceNameWithoutMFA";

/** The condition of every "without MFA" Deny: key absent (long-term keys) or false. */
const WITHOUT_MFA: Condition = { BoolIfExists: { [MFA_PRESENT_KEY]: "false" } };

/**
 * Denies everything but the MFA bootstrap actions to any request not signed with MFA.
 *
 * `BoolIfExists … "false"` rather than `Bool`: requests signed with long-term access keys carry no
 * `aws:MultiFactorAuthPresent` key at all, and `Bool` does not match a missing key, so with `Bool` stolen keys
 * would pass straight through this Deny. `BoolIfExists` matches when the key is absent or false.
 */
export function mfaDenyStatement(options: MfaPolicyOptions = {}): Statement {
    return {
        Sid: MFA_DENY_SID,
        Effect: "Deny",
        NotAction: mfaExemptActions(options),
        Resource: "*",
        Condition: WITHOUT_MFA,
    };
}

/**
 * The user-resource exemptions, denied on any user but the caller's own while MFA is absent. `${aws:username}` is
 * IAM's policy variable for the calling user's name (the user has the root path, so this is its whole ARN).
 */
function ownUserOnlyStatement(options: MfaPolicyOptions = {}): Statement {
    const exempt = mfaExemptActions(options);
    return {
        Sid: OWN_USER_SID,
        Effect: "Deny",
        Action: USER_RESOURCE_EXEMPTIONS.filter((a) => exempt.includes(a)),
        NotResource: `arn:${options.partition ?? "aws"}:iam::*:user/${USERNAME_VARIABLE}`,
        Condition: WITHOUT_MFA,
    };
}

/**
 * Bare keys create a virtual MFA device only under the caller's own name (or the configured `deviceNames`), on the
 * root path (issue #20 §5). Unscoped, any admin's stolen keys could pre-create `mfa/bob`, the serial bob's generated
 * profile names (`mfa_serial`): bob's enrolment under that name then fails with EntityAlreadyExists, and a device
 * the thief holds the seed of sits where bob's tools look. With MFA (a fresh session) a device is named freely, so
 * a backup device or a console-chosen name still works: the scoping that terraform-aws-iam undid (#312, #313) was
 * on every caller, this is only on callers without MFA. A hardened Deny already refuses creation without MFA.
 */
function ownDeviceNameStatement(options: MfaPolicyOptions = {}): Statement {
    const iam = `arn:${options.partition ?? "aws"}:iam::*:mfa/`;
    // IAM's name characters only: a `*` or `?` here would be a wildcard in NotResource, `${` a policy variable.
    const bad = (options.deviceNames ?? []).find((n) => !/^[\w+=,.@-]{1,226}$/.test(n));
    if (bad !== undefined) throw new Error(`not an MFA device name: ${JSON.stringify(bad)}`);
    const names = [USERNAME_VARIABLE, ...(options.deviceNames ?? [])];
    return {
        Sid: OWN_DEVICE_NAME_SID,
        Effect: "Deny",
        Action: "iam:CreateVirtualMFADevice",
        NotResource: names.length === 1 ? `${iam}${names[0]}` : names.map((n) => `${iam}${n}`),
        Condition: WITHOUT_MFA,
    };
}

/**
 * No MFA device is deleted without MFA. AWS's current sample no longer exempts `DeleteVirtualMFADevice` at all:
 * with bare keys it removes another user's unassigned device, and a lost enrolment is redone under a new name.
 */
function noDeviceDeletionStatement(): Statement {
    return {
        Sid: NO_DEVICE_DELETION_SID,
        Effect: "Deny",
        Action: "iam:DeleteVirtualMFADevice",
        Resource: "*",
        Condition: WITHOUT_MFA,
    };
}

/**
 * An MFA session stops acting as admin once its MFA sign-in is `maxAgeSeconds` old; it may then only look and ask
 * for a new session (`staleSessionActions`), never change a device: exempting all 13 bootstrap actions here let a
 * leaked old session enrol a second MFA device (issue #20). The person loses nothing: their long-term keys still
 * resync a device (and, unless hardened, enrol one) under the first statement, and only they can ask for a new
 * session: GetSessionToken "must be called by using the long-term AWS security credentials of an IAM user" (STS API
 * reference). The key is absent without MFA, and a Numeric operator does not match a missing key, so this never
 * loosens the first statement. Allowed exactly while age < limit, as for the role.
 */
function sessionAgeStatement(options: MfaPolicyOptions = {}): Statement {
    return {
        Sid: SESSION_AGE_SID,
        Effect: "Deny",
        NotAction: staleSessionActions(options),
        Resource: "*",
        Condition: {
            NumericGreaterThanEquals: {
                [MFA_AGE_KEY]: String(options.userMfaMaxAgeSeconds ?? DEFAULT_USER_MFA_MAX_AGE_SECONDS),
            },
        },
    };
}

/**
 * The seed's document as seed 004 prints it: keys in the seed's (alphabetical) order, so that
 * `JSON.stringify(doc, null, 4)` is the seed's text byte for byte.
 */
function seedDocument(): PolicyDocument {
    const s = mfaDenyStatement();
    return {
        Statement: [
            { Condition: s.Condition, Effect: s.Effect, NotAction: s.NotAction, Resource: s.Resource, Sid: s.Sid },
        ],
        Version: "2012-10-17",
    } as PolicyDocument;
}

/** The user's inline policy: the seed's Deny, and in the `scoped` style the statements that tighten it. */
export function mfaEnforcementPolicy(options: MfaPolicyOptions = {}): PolicyDocument {
    if ((options.style ?? "scoped") === "seed") {
        if (options.hardened) throw new Error("the seed style is the seed's statement exactly: it cannot be hardened");
        return seedDocument();
    }
    const exempt = mfaExemptActions(options);
    const statements = [mfaDenyStatement(options), ownUserOnlyStatement(options)];
    // Hardened already denies creating and deleting devices in the first statement.
    if (exempt.includes("iam:CreateVirtualMFADevice")) statements.push(ownDeviceNameStatement(options));
    if (exempt.includes("iam:DeleteVirtualMFADevice")) statements.push(noDeviceDeletionStatement());
    statements.push(sessionAgeStatement(options));
    return { Version: "2012-10-17", Statement: statements };
}

export interface TrustPolicyArgs {
    /**
     * ARN(s) of the principals allowed to assume the role: the admin users, or the account root. One ARN is written
     * as a string, as before several admins existed, so a single-admin stack's document does not change shape.
     */
    readonly principalArn: string | readonly string[];
    /** `aws:MultiFactorAuthAge` must be below this many seconds. */
    readonly mfaMaxAgeSeconds: number;
}

/**
 * The role's trust policy: ONE Allow statement, so there is no second statement without the MFA condition that
 * would bypass it. All keys sit in the same statement, so all must hold: MFA present (`Bool` is right here,
 * because an Allow must not match when the key is missing), MFA sign-in younger than the limit, and the session
 * named after the caller. aws-iam-authenticator maps the session to `{{SessionName}}`, which the cluster's audit
 * log records; without the last key, alice could assume the role as "bob".
 */
export function mfaTrustPolicy(args: TrustPolicyArgs): PolicyDocument {
    const principals = typeof args.principalArn === "string" ? [args.principalArn] : [...args.principalArn];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AssumeOnlyWithRecentMFA",
                Effect: "Allow",
                Principal: { AWS: principals.length === 1 ? principals[0]! : principals },
                Action: "sts:AssumeRole",
                Condition: {
                    Bool: { [MFA_PRESENT_KEY]: "true" },
                    NumericLessThan: { [MFA_AGE_KEY]: String(args.mfaMaxAgeSeconds) },
                    StringEquals: { [ROLE_SESSION_NAME_KEY]: USERNAME_VARIABLE },
                },
            },
        ],
    };
}

/** `arn:<partition>:iam::<account>:user<path><name>`: an IAM user's ARN, from values known before it exists. */
export function iamUserArn(partition: string, accountId: string, path: string, userName: string): string {
    return `arn:${partition}:iam::${accountId}:user${path}${userName}`;
}

/** `arn:<partition>:iam::aws:policy/AdministratorAccess`, so the stack also works in GovCloud and China. */
export function administratorAccessArn(partition: string): string {
    return `arn:${partition}:iam::aws:policy/AdministratorAccess`;
}

/**
 * The principal the role trusts: the user's own ARN (least privilege), or the root of the user's account as in
 * seed 000, which lets every identity of the account whose own policies allow `sts:AssumeRole` on the role in.
 */
export function trustedPrincipalArn(userArn: string, roleTrust: "user" | "account"): string {
    if (roleTrust === "user") return userArn;
    const match = /^arn:([^:]+):iam::(\d{12}):user\/.+$/.exec(userArn);
    if (!match) throw new Error(`not an IAM user ARN: ${JSON.stringify(userArn)}`);
    return `arn:${match[1]}:iam::${match[2]}:root`;
}

// Compile-time proof that our documents are accepted wherever the provider expects a policy document.
const _fitsProvider: (doc: PolicyDocument) => iam.PolicyDocument = (doc) => doc;
void _fitsProvider;
