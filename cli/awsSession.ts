/**
 * AWS clients for check-enforcement that reach the same account as the stack's AWS provider.
 *
 * The EnforcementCheck component hands the provider's settings over as the environment variables the AWS SDK for
 * JavaScript reads itself (AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_CONFIG_FILE, …), plus two it does not:
 * the names below. This module turns those two into STS calls, the way the provider does (hashicorp/aws-sdk-go-base
 * `getCredentialsProvider`: base credentials first, then each role of `aws:assumeRoles` in order).
 */
import { AccessAnalyzerClient } from "@aws-sdk/client-accessanalyzer";
import { IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

/** `aws:assumeRoles` as Pulumi stores it: a JSON list of the provider's AssumeRoles objects. */
export const ASSUME_ROLES_ENV = "CHECK_ENFORCEMENT_ASSUME_ROLES";
/** `aws:stsRegion`: the region of the STS endpoint. */
export const STS_REGION_ENV = "CHECK_ENFORCEMENT_STS_REGION";

/** The fields of the provider's `AssumeRoles` type (@pulumi/aws types/output.d.ts `config.AssumeRoles`) we use. */
export interface AssumeRole {
    readonly roleArn: string;
    readonly sessionName?: string;
    readonly externalId?: string;
    readonly policy?: string;
    readonly policyArns?: string[];
    readonly sourceIdentity?: string;
    readonly tags?: Record<string, string>;
    readonly transitiveTagKeys?: string[];
}

export interface Credentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
    readonly expiration?: Date;
}

class SettingsError extends Error {}

/** Parses `aws:assumeRoles`; the message names the setting, never its contents (it may hold an external ID). */
export function parseAssumeRoles(raw: string | undefined): AssumeRole[] {
    if (raw === undefined || raw === "") return [];
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        parsed = undefined;
    }
    const ok =
        Array.isArray(parsed) &&
        parsed.every(
            (r) => typeof r === "object" && r !== null && typeof (r as { roleArn?: unknown }).roleArn === "string",
        );
    if (!ok)
        throw new SettingsError(`${ASSUME_ROLES_ENV} (aws:assumeRoles) must be a JSON list of roles with a roleArn`);
    // An entry without a roleArn is skipped by the provider too (aws-sdk-go-base: no RoleARN, no AssumeRole).
    return (parsed as AssumeRole[]).filter((r) => r.roleArn !== "");
}

/** Assumes each role in turn, each with the credentials of the one before; undefined when there is none. */
export async function assumeRoleChain(
    roles: readonly AssumeRole[],
    stsWith: (credentials: Credentials | undefined) => Pick<STSClient, "send">,
): Promise<Credentials | undefined> {
    let credentials: Credentials | undefined;
    for (const r of roles) {
        let out;
        try {
            out = await stsWith(credentials).send(
                new AssumeRoleCommand({
                    RoleArn: r.roleArn,
                    RoleSessionName: r.sessionName || "k3s-admin-mfa-check",
                    ExternalId: r.externalId || undefined,
                    Policy: r.policy || undefined,
                    PolicyArns: r.policyArns?.map((arn) => ({ arn })),
                    SourceIdentity: r.sourceIdentity || undefined,
                    Tags: r.tags ? Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) : undefined,
                    TransitiveTagKeys: r.transitiveTagKeys,
                    // Duration left to STS (one hour): the check needs minutes, and every role allows an hour.
                }),
            );
        } catch (err) {
            const e = err as Error;
            throw new SettingsError(`could not assume ${r.roleArn} of aws:assumeRoles: ${e.name}: ${e.message}`);
        }
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey)
            throw new SettingsError(`STS returned no credentials for ${r.roleArn}`);
        credentials = {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            sessionToken: c.SessionToken,
            expiration: c.Expiration,
        };
    }
    return credentials;
}

export interface ClientSettings {
    readonly region?: string;
    readonly profile?: string;
    readonly stsRegion?: string;
    readonly assumeRoles: readonly AssumeRole[];
}

export type Clients = {
    iam: Pick<IAMClient, "send">;
    sts: Pick<STSClient, "send">;
    accessAnalyzer: Pick<AccessAnalyzerClient, "send">;
};

/** Real clients: region, profile and base credentials as the SDK resolves them, then the role chain. */
export async function awsClients(s: ClientSettings): Promise<Clients> {
    const stsRegion = s.stsRegion ?? s.region;
    const credentials = await assumeRoleChain(
        s.assumeRoles,
        (c) => new STSClient({ region: stsRegion, profile: s.profile, credentials: c }),
    );
    return {
        iam: new IAMClient({ region: s.region, profile: s.profile, credentials }),
        // Regional, unlike IAM: it gets the stack's region, profile and role chain exactly as the IAM client does.
        accessAnalyzer: new AccessAnalyzerClient({ region: s.region, profile: s.profile, credentials }),
        sts: new STSClient({ region: stsRegion, profile: s.profile, credentials }),
    };
}
