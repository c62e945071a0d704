import type * as aws from "@pulumi/aws";

/**
 * The policy documents of the stack, as typed objects built by pure functions. Components and tests call the same
 * functions, so the exact MFA rules live here and nowhere else.
 *
 * The types are narrower than `aws.iam.PolicyDocument` (plain values, a closed set of operators) so a test can read
 * a document without unwrapping Outputs; `satisfies`/assignments below prove they still fit the provider's type.
 */

export type Effect = "Allow" | "Deny";

/** The condition operators this project uses; a typo such as `BoolIfExist` does not compile. */
export type ConditionOperator = "Bool" | "BoolIfExists" | "NumericLessThan";

export type Condition = Partial<Record<ConditionOperator, Record<string, string>>>;

export interface Statement {
    Sid?: string;
    Effect: Effect;
    Principal?: { AWS: string };
    Action?: string | string[];
    NotAction?: string[];
    Resource?: string;
    Condition?: Condition;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Statement[];
}

export const MFA_DENY_SID = "MustBeSignedInWithMFA";
export const MFA_PRESENT_KEY = "aws:MultiFactorAuthPresent";
export const MFA_AGE_KEY = "aws:MultiFactorAuthAge";

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

export interface MfaPolicyOptions {
    /** Drop MFA_DEVICE_SETUP_ACTIONS from the exemptions. Default false: the seed's statement exactly. */
    readonly hardened?: boolean;
}

/** The actions the Deny exempts, in the seed's order. */
export function mfaExemptActions(options: MfaPolicyOptions = {}): string[] {
    return MFA_BOOTSTRAP_ACTIONS.filter((a) => !options.hardened || !MFA_DEVICE_SETUP_ACTIONS.includes(a));
}

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
        Condition: { BoolIfExists: { [MFA_PRESENT_KEY]: "false" } },
    };
}

/** The user's inline policy: the seed's single Deny statement (or its hardened variant). */
export function mfaEnforcementPolicy(options: MfaPolicyOptions = {}): PolicyDocument {
    return { Version: "2012-10-17", Statement: [mfaDenyStatement(options)] };
}

export interface TrustPolicyArgs {
    /** ARN of the principal allowed to assume the role (the admin user, or the account root). */
    readonly principalArn: string;
    /** `aws:MultiFactorAuthAge` must be below this many seconds. */
    readonly mfaMaxAgeSeconds: number;
}

/**
 * The role's trust policy: ONE Allow statement, so there is no second statement without the MFA condition that
 * would bypass it. Both keys sit in the same statement, so both must hold: MFA present (`Bool` is right here,
 * because an Allow must not match when the key is missing) and MFA sign-in younger than the limit.
 */
export function mfaTrustPolicy(args: TrustPolicyArgs): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AssumeOnlyWithRecentMFA",
                Effect: "Allow",
                Principal: { AWS: args.principalArn },
                Action: "sts:AssumeRole",
                Condition: {
                    Bool: { [MFA_PRESENT_KEY]: "true" },
                    NumericLessThan: { [MFA_AGE_KEY]: String(args.mfaMaxAgeSeconds) },
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
const _fitsProvider: (doc: PolicyDocument) => aws.iam.PolicyDocument = (doc) => doc;
void _fitsProvider;
