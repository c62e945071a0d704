import { randomBytes } from "node:crypto";
import type { RequestAnalysis } from "@cloud-copilot/iam-simulate";
import { simulate } from "../../analysis/simulate";
import { managedPolicyDocument } from "../../analysis/managedPolicies";
import {
    administratorAccessArn,
    iamUserArn,
    mfaEnforcementPolicy,
    mfaTrustPolicy,
    type MfaPolicyOptions,
    type PolicyDocument,
} from "../../components/policies";

/**
 * The account behind the stand-in: the stack's user and role with the documents components/policies.ts builds,
 * a deployer, and the sessions STS has handed out. Every request is decided by a real IAM evaluation
 * (@cloud-copilot/iam-simulate, as analysis/matrix.ts calls it) with the request context AWS would give it:
 * no aws:MultiFactorAuthPresent for long-term keys, "true" and aws:MultiFactorAuthAge for MFA sessions.
 */

export interface AccountOptions {
    readonly accountId?: string;
    readonly userName?: string;
    readonly roleName?: string;
    readonly mfaMaxAgeSeconds?: number;
    /** Options of mfaEnforcementPolicy: the stand-in's copy of the user's inline policy. */
    readonly policy?: MfaPolicyOptions;
    /** A change to that copy: for negative controls (`Bool` for `BoolIfExists`). */
    readonly userPolicy?: (doc: PolicyDocument) => PolicyDocument;
    /** A change to the role's trust policy. */
    readonly trustPolicy?: (doc: PolicyDocument) => PolicyDocument;
}

/** Whoever signs: a user with long-term keys or a session of one, or a role session. */
export interface Caller {
    readonly arn: string;
    readonly userId: string;
    /** The IAM user behind it (a role session has none). */
    readonly userName?: string;
    readonly policies: readonly { name: string; policy: PolicyDocument }[];
    /** When the session's MFA sign-in happened (ms); undefined without MFA. */
    readonly mfaAt?: number;
    /** Session keys carry a MultiFactorAuthPresent key; long-term keys none. */
    readonly session: boolean;
}

export interface Keys {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
}

interface Held extends Keys {
    readonly caller: Caller;
    readonly expires?: number;
}

const random = (n: number) => randomBytes(n).toString("hex").toUpperCase();

export class Account {
    readonly accountId: string;
    readonly user: Caller;
    readonly deployer: Caller;
    readonly roleName: string;
    readonly roleArn: string;
    readonly trustPolicy: PolicyDocument;
    readonly userPolicy: PolicyDocument;
    private readonly keys = new Map<string, Held>();

    constructor(o: AccountOptions = {}) {
        this.accountId = o.accountId ?? "123456789012";
        const userName = o.userName ?? "k3s-admin";
        const userArn = iamUserArn("aws", this.accountId, "/", userName);
        const admin = managedPolicyDocument(administratorAccessArn("aws"));
        const inline = mfaEnforcementPolicy(o.policy);
        this.userPolicy = o.userPolicy ? o.userPolicy(JSON.parse(JSON.stringify(inline)) as PolicyDocument) : inline;
        this.user = {
            arn: userArn,
            userId: "AIDASTANDINUSER00001",
            userName,
            session: false,
            policies: [
                { name: "k3s-admin-ui-cli-with-mfa", policy: this.userPolicy },
                { name: admin.name, policy: admin.document },
            ],
        };
        this.deployer = {
            arn: iamUserArn("aws", this.accountId, "/", "deployer"),
            userId: "AIDASTANDINDEPLOYER1",
            userName: "deployer",
            session: false,
            policies: [{ name: admin.name, policy: admin.document }],
        };
        this.roleName = o.roleName ?? `${userName}-mfa`;
        this.roleArn = `arn:aws:iam::${this.accountId}:role/${this.roleName}`;
        const trust = mfaTrustPolicy({ principalArn: userArn, mfaMaxAgeSeconds: o.mfaMaxAgeSeconds ?? 3600 });
        this.trustPolicy = o.trustPolicy ? o.trustPolicy(JSON.parse(JSON.stringify(trust)) as PolicyDocument) : trust;
    }

    /** Long-term keys for a caller: new ones, or the given ones (a new account, the same AWS files). */
    issueLongTerm(caller: Caller, keep?: Keys): Keys {
        const k = {
            accessKeyId: keep?.accessKeyId ?? `AKIA${random(8)}`,
            secretAccessKey: keep?.secretAccessKey ?? random(20),
            caller,
        };
        this.keys.set(k.accessKeyId, k);
        return { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
    }

    /** New session keys, as GetSessionToken and AssumeRole hand them out. */
    issueSession(caller: Caller, seconds: number, now = Date.now()): Keys & { expires: number } {
        const k = {
            accessKeyId: `ASIA${random(8)}`,
            secretAccessKey: random(20),
            sessionToken: random(48),
            caller,
            expires: now + seconds * 1000,
        };
        this.keys.set(k.accessKeyId, k);
        return k;
    }

    held(accessKeyId: string): Held | undefined {
        return this.keys.get(accessKeyId);
    }

    /** Every secret handed out, and the session key IDs: none may ever appear in a command's output. */
    secrets(): string[] {
        return [...this.keys.values()].flatMap((k) => [
            k.secretAccessKey,
            ...(k.sessionToken ? [k.sessionToken, k.accessKeyId] : []),
        ]);
    }

    /** The request context IAM evaluates a caller's request with. */
    context(caller: Caller, now = Date.now()): Record<string, string> {
        const ctx: Record<string, string> = {
            "aws:PrincipalArn": caller.arn,
            "aws:PrincipalAccount": this.accountId,
            "aws:userid": caller.userId,
        };
        if (caller.userName) ctx["aws:username"] = caller.userName;
        if (caller.session) ctx["aws:MultiFactorAuthPresent"] = caller.mfaAt === undefined ? "false" : "true";
        if (caller.mfaAt !== undefined) ctx["aws:MultiFactorAuthAge"] = String(Math.floor((now - caller.mfaAt) / 1000));
        return ctx;
    }

    /** IAM's decision on one request, with the analysis that reached it. */
    async decide(
        caller: Caller,
        action: string,
        resource: string,
        trust?: PolicyDocument,
        /** Keys the request itself carries, such as AssumeRole's `sts:RoleSessionName`. */
        requestContext: Record<string, string> = {},
    ): Promise<Decision> {
        const result = await simulate({
            request: {
                principal: caller.arn,
                action,
                resource: { resource, accountId: this.accountId },
                contextVariables: { ...this.context(caller), ...requestContext },
            },
            identityPolicies: caller.policies.map((p) => ({ name: p.name, policy: p.policy })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(trust ? { resourcePolicy: trust } : {}),
        });
        if (result.resultType === "error")
            throw new Error(`stand-in: IAM evaluation failed: ${JSON.stringify(result.errors)}`);
        const analyses =
            result.resultType === "single" ? [result.result.analysis] : result.results.map((r) => r.analysis);
        const analysis = analyses.find((a) => a.result === result.overallResult) ?? analyses[0]!;
        return {
            allowed: result.overallResult === "Allowed",
            explicitDeny: result.overallResult === "ExplicitlyDenied",
            analysis,
        };
    }
}

export interface Decision {
    readonly allowed: boolean;
    readonly explicitDeny: boolean;
    readonly analysis: RequestAnalysis;
}

/** The statements that denied, by Sid: what a DecodedMessage lists under matchedStatements. */
export function denyingSids(d: Decision): string[] {
    const a = d.analysis;
    return [...(a.identityAnalysis?.denyStatements ?? []), ...(a.resourceAnalysis?.denyStatements ?? [])].map(
        (s) => s.statement.sid() ?? "",
    );
}
