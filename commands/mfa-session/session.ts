import {
    GetCallerIdentityCommand,
    AssumeRoleCommand,
    GetSessionTokenCommand,
    type STSClient,
} from "@aws-sdk/client-sts";
import { type IAMClient, ListMFADevicesCommand } from "@aws-sdk/client-iam";
import { parseConfig, projectConfig } from "../../config";
import { readStackFile } from "../../analysis/stackFile";
import { UserError } from "../../cli/awsErrors";
import { FALLBACK_REGION } from "../../cli/awsRegion";
import { askMfaCode, checkMfaCode, oneLine } from "../../cli/command";
import { awsFiles, profileExists, replaceSection } from "../credentialsFile";
import { commitWrite, planWrite, shown } from "../safeWrite";
import { roleSessionName, sessionProfile, validate, type SessionRequest } from "./request";

/** The seed's shell script around `aws sts get-session-token`, made robust. */

export type { SessionRequest } from "./request";

export interface SessionDeps {
    readonly sts: Pick<STSClient, "send">;
    readonly iam: Pick<IAMClient, "send">;
    readonly env: NodeJS.ProcessEnv;
    /** Asks the person for the code; undefined when there is nobody to ask. */
    readonly prompt?: (question: string) => Promise<string>;
    /** Says what is being waited for (only when someone watches a terminal). */
    readonly progress?: (line: string) => void;
}

function stackRoleName(req: SessionRequest): string {
    try {
        return parseConfig(projectConfig(readStackFile(req.projectDir, req.stack!).values)).roleName;
    } catch (err) {
        throw new UserError(oneLine(err));
    }
}

/** Role mode: the role's ARN and the session's name. Undefined in user mode. */
async function roleFor(req: SessionRequest, deps: SessionDeps): Promise<{ arn: string; session: string } | undefined> {
    if (!req.roleArn && !req.stack) return undefined;
    const roleName = req.stack ? stackRoleName(req) : undefined;
    // GetCallerIdentity cannot be denied, so the long-term keys can always tell us who they are: their account and
    // partition (for the stack's role ARN), and the user's name (for the session's).
    deps.progress?.(`looking up the identity of profile ${req.profile}…`);
    const me = await deps.sts.send(new GetCallerIdentityCommand({}));
    const [, partition, , , account, resource = ""] = (me.Arn ?? "").split(":");
    const user = resource.startsWith("user/") ? resource.slice(resource.lastIndexOf("/") + 1) : undefined;
    const arn = req.roleArn ?? `arn:${partition}:iam::${account}:role/${roleName!}`;
    // The stack's role accepts a session only under the caller's own user name (sts:RoleSessionName =
    // ${aws:username}): the name is what the cluster's audit log shows, so nobody may pick another.
    if (req.stack && user !== undefined && req.roleSessionName !== undefined && req.roleSessionName !== user)
        throw new UserError(
            `--role-session-name ${req.roleSessionName}: the stack's role accepts only your own user name, ${user}, as the session name; leave the flag out`,
        );
    return { arn, session: req.roleSessionName ?? user ?? roleSessionName(req) };
}

async function serialNumber(req: SessionRequest, deps: SessionDeps): Promise<string> {
    if (req.serialNumber) return req.serialNumber;
    // Allowed without MFA: iam:ListMFADevices is one of the policy's bootstrap exemptions.
    deps.progress?.(`finding the MFA device of profile ${req.profile}…`);
    const devices = (await deps.iam.send(new ListMFADevicesCommand({}))).MFADevices ?? [];
    const serials = devices.map((d) => d.SerialNumber ?? "").filter(Boolean);
    if (serials.length === 0) {
        throw new UserError(
            `no MFA device is enrolled for the keys of profile \`${req.profile}\`: enrol one first (README, "Daily use")`,
        );
    }
    if (serials.length > 1)
        throw new UserError(
            `several MFA devices are enrolled (${serials.join(", ")}): choose one with --serial-number`,
        );
    return serials[0]!;
}

async function tokenCode(req: SessionRequest, deps: SessionDeps, serial: string): Promise<string> {
    if (req.tokenCode !== undefined) return checkMfaCode(req.tokenCode);
    if (!deps.prompt) throw new UserError("no --token-code given and no terminal to ask for it");
    return askMfaCode(deps.prompt, serial, "no session was requested, nothing was written");
}

export interface SessionResult {
    /** What to tell the person (never the secrets, unless they asked for --print-env). */
    readonly message: string;
    /** `export …` lines, with --print-env. */
    readonly exports?: string;
}

export async function mfaSession(req: SessionRequest, deps: SessionDeps): Promise<SessionResult> {
    const { seconds } = validate(req);
    const files = awsFiles(deps.env);
    // Everything the write needs is checked before AWS is called or a code is asked for: a code spent on a session
    // that cannot be saved is a code the person has to wait 30 s to replace.
    const plan = req.printEnv ? undefined : planWrite(files.credentials, "use --print-env");
    if (!profileExists(deps.env, req.profile)) {
        throw new UserError(
            `AWS profile \`${req.profile}\` is not in ${files.credentials} or ${files.config} (aws configure --profile ${req.profile})`,
        );
    }
    const role = await roleFor(req, deps);
    const roleArn = role?.arn;
    const serial = await serialNumber(req, deps);
    const code = await tokenCode(req, deps, serial);
    const where = req.region?.name ?? FALLBACK_REGION;
    deps.progress?.(`asking STS (${where}) for ${roleArn ? `a session of ${roleArn}` : "a session token"}…`);
    const out = roleArn
        ? await deps.sts.send(
              new AssumeRoleCommand({
                  RoleArn: roleArn,
                  RoleSessionName: role!.session,
                  SerialNumber: serial,
                  TokenCode: code,
                  DurationSeconds: seconds,
              }),
          )
        : await deps.sts.send(
              new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code, DurationSeconds: seconds }),
          );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new UserError("AWS returned no credentials");
    const expires = c.Expiration ? new Date(c.Expiration).toISOString() : "unknown";

    if (!plan) {
        const exports = [
            `export AWS_ACCESS_KEY_ID=${c.AccessKeyId}`,
            `export AWS_SECRET_ACCESS_KEY=${c.SecretAccessKey}`,
            `export AWS_SESSION_TOKEN=${c.SessionToken}`,
            `export AWS_CREDENTIAL_EXPIRATION=${expires}`,
        ].join("\n");
        return { exports, message: `MFA session until ${expires}` };
    }
    const target = sessionProfile(req);
    commitWrite(plan, (text) =>
        replaceSection(text, target, [
            `# ${roleArn ? `assumed ${roleArn}` : "MFA session"} via mfa-session; expires ${expires}`,
            `aws_access_key_id = ${c.AccessKeyId}`,
            `aws_secret_access_key = ${c.SecretAccessKey}`,
            `aws_session_token = ${c.SessionToken}`,
            // The SDKs (JS, Go v2) and botocore read `region` from this file too, and prefer it to the config file.
            ...(req.region ? [`region = ${req.region.name}`] : []),
        ]),
    );
    const region = req.region ? `region ${req.region.name}` : `no region: none is set for ${req.profile}`;
    return {
        message: `wrote profile ${target} (${region}) to ${shown(plan)}; it expires ${expires}. Use: --profile ${target}`,
    };
}
