import { randomBytes } from "node:crypto";
import { denyingSids, type Account, type Caller, type Decision } from "./account";
import { ec2Error, queryError, queryResult, type Reply } from "./wire";

/**
 * The five actions prove-mfa calls, answered as AWS answers them (the messages are AWS's, quoted from seed 004 and
 * the STS/IAM/EC2 API references), each decided by the account's IAM evaluation of the signing caller.
 */

export interface World {
    readonly account: Account;
    readonly region: string;
    /** Instance types, AMIs and subnets by region; a region missing here offers nothing. */
    readonly ec2: Readonly<Record<string, { types: string[]; amis: string[]; subnets: string[] }>>;
    /** MFA devices of the user, and the codes an authenticator would show (each usable once, as AWS enforces). */
    readonly devices: readonly string[];
    readonly codes: readonly string[];
    readonly usedCodes: Set<string>;
    /** Authorization messages EC2 encoded, by encoding: only sts:DecodeAuthorizationMessage reads them. */
    readonly encoded: Map<string, string>;
    /** Requests that would have created something: must stay empty. */
    readonly created: string[];
    /** "service:Action" names answered with throttling. */
    readonly throttle: Set<string>;
}

type Params = URLSearchParams;

function notAuthorized(caller: Caller, action: string, resource: string, d: Decision): string {
    const why = d.explicitDeny
        ? "with an explicit deny in an identity-based policy"
        : "because no identity-based policy allows the " + action + " action";
    return `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

/** The DecodedMessage JSON, shaped as seed 004's (allowed, explicitDeny, matchedStatements.items, context). */
function decodedMessage(w: World, caller: Caller, action: string, resource: string, d: Decision): string {
    const items = (values: readonly string[]) => ({ items: values.map((value) => ({ value })) });
    const docs = caller.policies.flatMap((p) => p.policy.Statement);
    const matched = denyingSids(d).map((sid) => {
        const s = docs.find((x) => x.Sid === sid);
        const conditions = Object.values(s?.Condition ?? {}).flatMap((kv) =>
            Object.entries(kv ?? {}).map(([key, v]) => ({ key, values: items([v]) })),
        );
        return {
            statementId: sid,
            effect: "DENY",
            principals: items([caller.userId]),
            principalGroups: items([]),
            actions: items(s?.NotAction ?? [s?.Action ?? []].flat()),
            resources: items([s?.Resource ?? s?.NotResource ?? "*"].flat()),
            conditions: { items: conditions },
        };
    });
    const ctx = w.account.context(caller);
    return JSON.stringify({
        allowed: d.allowed,
        explicitDeny: d.explicitDeny,
        matchedStatements: { items: matched },
        failures: { items: [] },
        context: {
            principal: { id: caller.userId, name: caller.userName, arn: caller.arn },
            action,
            resource,
            conditions: { items: Object.entries(ctx).map(([key, v]) => ({ key, values: items([v]) })) },
        },
    });
}

export async function runInstances(w: World, caller: Caller, region: string, p: Params): Promise<Reply> {
    const resource = `arn:aws:ec2:${region}:${w.account.accountId}:instance/*`;
    const d = await w.account.decide(caller, "ec2:RunInstances", resource);
    if (!d.allowed) {
        const encoded = randomBytes(96).toString("base64url");
        w.encoded.set(encoded, decodedMessage(w, caller, "ec2:RunInstances", resource, d));
        return ec2Error(
            403,
            "UnauthorizedOperation",
            `You are not authorized to perform this operation. Encoded authorization failure message: ${encoded}`,
        );
    }
    const offered = w.ec2[region] ?? { types: [], amis: [], subnets: [] };
    const type = p.get("InstanceType") ?? "m1.small";
    if (!offered.types.includes(type))
        return ec2Error(
            400,
            "Unsupported",
            `The requested configuration is currently not supported. Please check the documentation for supported configurations.`,
        );
    const ami = p.get("ImageId") ?? "";
    if (!offered.amis.includes(ami))
        return ec2Error(400, "InvalidAMIID.NotFound", `The image id '[${ami}]' does not exist`);
    const subnet = p.get("SubnetId") ?? "";
    if (!offered.subnets.includes(subnet))
        return ec2Error(400, "InvalidSubnetID.NotFound", `The subnet ID '${subnet}' does not exist`);
    if (p.get("DryRun") === "true")
        return ec2Error(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
    w.created.push(`RunInstances ${type}`);
    return ec2Error(400, "StandInCreatesNothing", "the stand-in launches no instance");
}

/** A one-time code of the user's device: AWS refuses a wrong one and a reused one with the same words. */
function codeAccepted(w: World, serial: string, code: string): boolean {
    if (!w.devices.includes(serial) || !w.codes.includes(code) || w.usedCodes.has(`${serial}/${code}`)) return false;
    w.usedCodes.add(`${serial}/${code}`);
    return true;
}

const BAD_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";

function duration(p: Params, fallback: number, max: number): number | Reply {
    const raw = p.get("DurationSeconds");
    const n = raw === null ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < 900 || n > max)
        return queryError(
            "sts",
            400,
            "ValidationError",
            `1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and ${max}`,
        );
    return n;
}

export async function getSessionToken(w: World, caller: Caller, p: Params): Promise<Reply> {
    if (caller.session)
        return queryError("sts", 403, "AccessDenied", "Cannot call GetSessionToken with session credentials");
    const seconds = duration(p, 43200, 129600);
    if (typeof seconds !== "number") return seconds;
    const d = await w.account.decide(caller, "sts:GetSessionToken", "*");
    if (!d.allowed) return queryError("sts", 403, "AccessDenied", notAuthorized(caller, "sts:GetSessionToken", "*", d));
    const serial = p.get("SerialNumber");
    let mfaAt: number | undefined;
    if (serial !== null) {
        if (!codeAccepted(w, serial, p.get("TokenCode") ?? "")) return queryError("sts", 403, "AccessDenied", BAD_CODE);
        mfaAt = Date.now();
    }
    const k = w.account.issueSession({ ...caller, session: true, mfaAt }, seconds);
    return queryResult("sts", "GetSessionToken", {
        Credentials: credentialsOf(k),
    });
}

/** STS's `Credentials` element, as GetSessionToken and AssumeRole return it. */
function credentialsOf(k: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expires: number }) {
    return {
        AccessKeyId: k.accessKeyId,
        SecretAccessKey: k.secretAccessKey,
        SessionToken: k.sessionToken,
        Expiration: new Date(k.expires).toISOString(),
    };
}

export async function assumeRole(w: World, caller: Caller, p: Params): Promise<Reply> {
    const a = w.account;
    const name = p.get("RoleSessionName") ?? "";
    if (!/^[\w+=,.@-]{2,64}$/.test(name))
        return queryError(
            "sts",
            400,
            "ValidationError",
            `1 validation error detected: Value '${name}' at 'roleSessionName' failed to satisfy constraint`,
        );
    if (p.get("RoleArn") !== a.roleArn)
        return queryError(
            "sts",
            403,
            "AccessDenied",
            `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${p.get("RoleArn")}`,
        );
    const seconds = duration(p, 3600, 3600);
    if (typeof seconds !== "number") return seconds;
    let signer = caller;
    const serial = p.get("SerialNumber");
    if (serial !== null) {
        if (!codeAccepted(w, serial, p.get("TokenCode") ?? "")) return queryError("sts", 403, "AccessDenied", BAD_CODE);
        signer = { ...caller, session: true, mfaAt: Date.now() };
    }
    const d = await a.decide(signer, "sts:AssumeRole", a.roleArn, a.trustPolicy, { "sts:RoleSessionName": name });
    if (!d.allowed)
        return queryError("sts", 403, "AccessDenied", notAuthorized(caller, "sts:AssumeRole", a.roleArn, d));
    const arn = `arn:aws:sts::${a.accountId}:assumed-role/${a.roleName}/${name}`;
    const role: Caller = {
        arn,
        userId: `AROASTANDINROLE00001:${name}`,
        policies: [],
        session: true,
        mfaAt: signer.mfaAt,
    };
    const k = a.issueSession(role, seconds);
    return queryResult("sts", "AssumeRole", {
        Credentials: credentialsOf(k),
        AssumedRoleUser: { AssumedRoleId: role.userId, Arn: arn },
    });
}

export function getCallerIdentity(w: World, caller: Caller): Reply {
    // Never denied, by any policy (STS API reference, GetCallerIdentity).
    return queryResult("sts", "GetCallerIdentity", {
        Arn: caller.arn,
        UserId: caller.userId,
        Account: w.account.accountId,
    });
}

/**
 * GetCallerIdentity in STS's JSON form, which STS sends when asked with `Accept: application/json`, as
 * aws-iam-authenticator's verifier asks (pkg/token/token.go, tokenVerifier.Verify, v0.7.18).
 */
export function getCallerIdentityJson(caller: Caller): Reply {
    const result = { Arn: caller.arn, UserId: caller.userId, Account: caller.arn.split(":")[4] };
    const body = {
        GetCallerIdentityResponse: { GetCallerIdentityResult: result, ResponseMetadata: { RequestId: "stand-in" } },
    };
    return { status: 200, body: JSON.stringify(body) };
}

export async function decodeAuthorizationMessage(w: World, caller: Caller, p: Params): Promise<Reply> {
    const d = await w.account.decide(caller, "sts:DecodeAuthorizationMessage", "*");
    if (!d.allowed)
        return queryError("sts", 403, "AccessDenied", notAuthorized(caller, "sts:DecodeAuthorizationMessage", "*", d));
    const decoded = w.encoded.get(p.get("EncodedMessage") ?? "");
    if (decoded === undefined)
        return queryError(
            "sts",
            400,
            "InvalidAuthorizationMessageException",
            "The encoded authorization message is invalid.",
        );
    return queryResult("sts", "DecodeAuthorizationMessage", { DecodedMessage: decoded });
}

export async function listMfaDevices(w: World, caller: Caller, p: Params): Promise<Reply> {
    const userName = p.get("UserName") ?? caller.userName ?? "";
    const resource = `arn:aws:iam::${w.account.accountId}:user/${userName}`;
    const d = await w.account.decide(caller, "iam:ListMFADevices", resource);
    if (!d.allowed)
        return queryError("iam", 403, "AccessDenied", notAuthorized(caller, "iam:ListMFADevices", resource, d));
    const devices = userName === w.account.user.userName ? w.devices : [];
    return queryResult("iam", "ListMFADevices", {
        MFADevices: devices.map((SerialNumber) => ({
            UserName: userName,
            SerialNumber,
            EnableDate: "2025-01-01T00:00:00Z",
        })),
        IsTruncated: "false",
    });
}
