import { administratorAccessArn, MFA_AGE_KEY, MFA_PRESENT_KEY, type PolicyDocument } from "../components/policies";
import type { DeclaredAccess, DeclaredUser, NamedPolicy } from "./declared";
import { managedPolicyDocument } from "./managedPolicies";

/**
 * Who sends the matrix's requests, with the request context AWS would give them. Every caller carries the global
 * keys a real request carries (region, source IP, time, who is asking): a Deny narrowed by any of them, say
 * `StringNotEquals aws:RequestedRegion us-east-1`, matches a request without the key (negated operators match a
 * missing key) and so looked sound while the matrix sent bare requests (issue #11).
 */

export interface Caller {
    readonly label: string;
    readonly principal: string;
    /** The IAM user sending the request, when it is one of the program's users. */
    readonly userName?: string;
    readonly policies: readonly NamedPolicy[];
    readonly context: Record<string, string>;
    /** Signed with MFA (the MFA keys are in its context). */
    readonly mfa: boolean;
    /** Seconds since the MFA sign-in, when `mfa`. */
    readonly mfaAge?: number;
}

/** A fixed clock, so the report is the same on every run. */
const NOW = new Date("2026-01-15T09:30:00Z");
/** TEST-NET-3 (RFC 5737): an address that is nobody's. */
const SOURCE_IP = "203.0.113.10";

/** The region a request goes to when it does not go to the stack's region. */
export function otherRegion(region: string): string {
    return region === "eu-west-1" ? "us-west-2" : "eu-west-1";
}

/** The global keys every request carries, whoever signs it. */
function globalContext(
    region: string,
    account: string,
    principalArn: string,
    principalType: "User" | "AssumedRole",
): Record<string, string> {
    return {
        "aws:RequestedRegion": region,
        "aws:SourceIp": SOURCE_IP,
        "aws:ViaAWSService": "false",
        "aws:SecureTransport": "true",
        "aws:CurrentTime": NOW.toISOString(),
        "aws:EpochTime": String(Math.floor(NOW.getTime() / 1000)),
        "aws:PrincipalAccount": account,
        "aws:PrincipalArn": principalArn,
        "aws:PrincipalType": principalType,
        "aws:UserAgent": "aws-cli/2.27.0 md/awscrt#0.26.1 ua/2.1 os/linux",
    };
}

/** The global keys of a request signed by an IAM user (long-term keys or a GetSessionToken session). */
function userContext(
    d: DeclaredAccess,
    user: DeclaredUser,
    region: string,
    sessionStart?: Date,
): Record<string, string> {
    return {
        ...globalContext(region, d.accountId, user.arn, "User"),
        "aws:username": user.name,
        "aws:userid": "AIDAEXAMPLEK3SADMIN01",
        // What the generated AWS CLI profile (`role_session_name`) and mfa-session name the role's session; the
        // engine reads it only for sts:AssumeRole.
        "sts:RoleSessionName": user.name,
        ...(sessionStart ? { "aws:TokenIssueTime": sessionStart.toISOString() } : {}),
    };
}

export interface UserCallers {
    /** Long-term access keys, no MFA key in the request (the seed's "stolen keys" case). */
    keys(region?: string): Caller;
    /** A GetSessionToken session made without a code: MultiFactorAuthPresent false, no age. */
    sessionWithoutMfa(region?: string): Caller;
    /** An MFA session (GetSessionToken with a code, or the console) whose MFA sign-in is `age` seconds old. */
    mfaSession(age: number, region?: string): Caller;
    /**
     * The daily AWS CLI path: a role profile with `mfa_serial` and `source_profile` sends sts:AssumeRole signed by
     * the long-term keys with SerialNumber and TokenCode, so that one request carries MFA, 0 s old.
     */
    keysWithCode(): Caller;
}

/** An admin user's callers, labelled as the report shows them (`who` prefixes each label). */
export function userCallers(d: DeclaredAccess, user: DeclaredUser, who = ""): UserCallers {
    const me = (label: string, context: Record<string, string>, mfa: boolean, mfaAge?: number): Caller => ({
        label: who + label,
        principal: user.arn,
        userName: user.name,
        policies: user.policies,
        context,
        mfa,
        ...(mfaAge === undefined ? {} : { mfaAge }),
    });
    const at = (region: string | undefined) => (region && region !== d.region ? `, ${region}` : "");
    const mfaContext = (age: number) => ({ [MFA_PRESENT_KEY]: "true", [MFA_AGE_KEY]: String(age) });
    const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
    return {
        keys: (region = d.region) => me(`long-term keys${at(region)}`, userContext(d, user, region), false),
        sessionWithoutMfa: (region = d.region) =>
            me(
                `GetSessionToken without a code${at(region)}`,
                { ...userContext(d, user, region, ago(600)), [MFA_PRESENT_KEY]: "false" },
                false,
            ),
        mfaSession: (age, region = d.region) =>
            me(
                `MFA session (${age} s old${at(region)})`,
                { ...userContext(d, user, region, ago(age)), ...mfaContext(age) },
                true,
                age,
            ),
        keysWithCode: () =>
            me(
                "long-term keys + MFA code (AWS CLI role profile, MFA 0 s old)",
                { ...userContext(d, user, d.region), ...mfaContext(0) },
                true,
                0,
            ),
    };
}

/** AWS's AdministratorAccess, for principals who are admins in their own right (no MFA Deny of ours). */
export function adminPolicies(d: DeclaredAccess): NamedPolicy[] {
    return [{ ...managedPolicyDocument(administratorAccessArn(d.partition)), inline: false }];
}

/** The least an identity needs to assume the role itself: sts:AssumeRole on it, nothing else. */
export function assumeOnlyPolicies(d: DeclaredAccess): NamedPolicy[] {
    const document: PolicyDocument = {
        Version: "2012-10-17",
        Statement: [{ Sid: "AssumeTheK3sRoleOnly", Effect: "Allow", Action: "sts:AssumeRole", Resource: d.role.arn }],
    };
    return [{ name: "assume-k3s-role-only", document, inline: true }];
}

/** A principal other than the admin user, with its own global context. */
export function otherPrincipal(
    d: DeclaredAccess,
    label: string,
    principal: string,
    principalArn: string,
    policies: readonly NamedPolicy[],
    mfaAge: number | undefined,
): Caller {
    const [, , service = "", , account = ""] = principal.split(":");
    const context: Record<string, string> = {
        ...globalContext(d.region, account, principalArn, service === "sts" ? "AssumedRole" : "User"),
        "sts:RoleSessionName": principal.split("/").pop()!,
        // IAM sets aws:username for IAM users only; a role's session has none.
        ...(service === "iam" ? { "aws:username": principal.split("/").pop()! } : {}),
        ...(mfaAge === undefined ? {} : { [MFA_PRESENT_KEY]: "true", [MFA_AGE_KEY]: String(mfaAge) }),
    };
    return {
        label,
        principal,
        policies,
        context,
        mfa: mfaAge !== undefined,
        ...(mfaAge === undefined ? {} : { mfaAge }),
    };
}

/**
 * The same caller asking for the role session `name`; undefined sends the request without the key. AssumeRole
 * cannot be called without a RoleSessionName (a required parameter), so that request stands for any way the key
 * might be missing: the trust's StringEquals must not match it (issue #12).
 */
export function withSessionName(caller: Caller, name: string | undefined): Caller {
    const { "sts:RoleSessionName": _sent, ...context } = caller.context;
    return { ...caller, context: name === undefined ? context : { ...context, "sts:RoleSessionName": name } };
}
