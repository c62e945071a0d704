import * as fs from "node:fs";
import {
    GetCallerIdentityCommand,
    AssumeRoleCommand,
    GetSessionTokenCommand,
    type STSClient,
} from "@aws-sdk/client-sts";
import { type IAMClient, ListMFADevicesCommand } from "@aws-sdk/client-iam";
import { parseConfig, projectConfig } from "../config";
import { ROLE_MAX_SESSION_SECONDS } from "../components/mfaRole";
import { readStackFile } from "../analysis/stackFile";
import { UserError } from "./awsErrors";
import { awsFiles, profileExists, replaceSection, writeAtomically } from "./credentialsFile";

/** The seed's shell script around `aws sts get-session-token`, made robust. */

export interface SessionRequest {
    /** Profile with the long-term keys that sign the STS call. */
    readonly profile: string;
    readonly serialNumber?: string;
    readonly tokenCode?: string;
    readonly durationSeconds?: number;
    /** Role mode: assume this role. */
    readonly roleArn?: string;
    /** Role mode with the stack's role: read its name from Pulumi.<stack>.yaml in `projectDir`. */
    readonly stack?: string;
    readonly projectDir: string;
    readonly roleSessionName?: string;
    /** Profile the session is written to. Default: `<profile>-session` (user mode), `<profile>-role-session`. */
    readonly sessionProfile?: string;
    readonly printEnv: boolean;
}

export interface SessionDeps {
    readonly sts: Pick<STSClient, "send">;
    readonly iam: Pick<IAMClient, "send">;
    readonly env: NodeJS.ProcessEnv;
    /** Asks the person for the code; undefined when there is nobody to ask. */
    readonly prompt?: (question: string) => Promise<string>;
}

/** AWS's limits: GetSessionToken 15 min to 36 h; AssumeRole 15 min to the role's maximum (ours: 1 h). */
function durationLimits(roleMode: boolean, stackRole: boolean): { min: number; max: number; fallback: number } {
    if (!roleMode) return { min: 900, max: 129600, fallback: 43200 };
    return { min: 900, max: stackRole ? ROLE_MAX_SESSION_SECONDS : 43200, fallback: 3600 };
}

async function stackRoleArn(req: SessionRequest, deps: SessionDeps): Promise<string | undefined> {
    if (req.roleArn) return req.roleArn;
    if (!req.stack) return undefined;
    const config = parseConfig(projectConfig(readStackFile(req.projectDir, req.stack).values));
    // GetCallerIdentity cannot be denied, so the long-term keys can always tell us their account.
    const me = await deps.sts.send(new GetCallerIdentityCommand({}));
    const [, partition, , , account] = (me.Arn ?? "").split(":");
    return `arn:${partition}:iam::${account}:role/${config.roleName}`;
}

async function serialNumber(req: SessionRequest, deps: SessionDeps): Promise<string> {
    if (req.serialNumber) return req.serialNumber;
    // Allowed without MFA: iam:ListMFADevices is one of the policy's bootstrap exemptions.
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
    const code = req.tokenCode ?? (deps.prompt ? (await deps.prompt(`MFA code for ${serial}: `)).trim() : undefined);
    if (code === undefined) throw new UserError("no --token-code given and no terminal to ask for it");
    if (!/^\d{6}$/.test(code)) throw new UserError(`the MFA code must be 6 digits, got ${code.length} characters`);
    return code;
}

function sessionProfile(req: SessionRequest): string {
    return req.sessionProfile ?? `${req.profile}-${req.roleArn || req.stack ? "role-session" : "session"}`;
}

/** Checks that need no AWS call, so a bad request never reaches AWS. */
export function validate(req: SessionRequest, deps: SessionDeps): { min: number; max: number; seconds: number } {
    if (req.roleArn && req.stack) throw new UserError("give --role-arn or --stack, not both");
    if (req.roleArn && !/^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(req.roleArn)) {
        throw new UserError(`--role-arn must be an IAM role ARN, got ${JSON.stringify(req.roleArn)}`);
    }
    if (req.tokenCode !== undefined && !/^\d{6}$/.test(req.tokenCode))
        throw new UserError("--token-code must be 6 digits");
    if (!req.printEnv && sessionProfile(req) === req.profile) {
        throw new UserError("--session-profile must differ from --profile: the long-term keys would be overwritten");
    }
    const { min, max, fallback } = durationLimits(Boolean(req.roleArn || req.stack), Boolean(req.stack));
    const seconds = req.durationSeconds ?? fallback;
    if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
        throw new UserError(
            `--duration-seconds must be an integer from ${min} to ${max} here, got ${String(req.durationSeconds)}`,
        );
    }
    if (!profileExists(deps.env, req.profile)) {
        const files = awsFiles(deps.env);
        throw new UserError(
            `AWS profile \`${req.profile}\` is not in ${files.credentials} or ${files.config} (aws configure --profile ${req.profile})`,
        );
    }
    return { min, max, seconds };
}

export interface SessionResult {
    /** What to tell the person (never the secrets, unless they asked for --print-env). */
    readonly message: string;
    /** `export …` lines, with --print-env. */
    readonly exports?: string;
}

export async function mfaSession(req: SessionRequest, deps: SessionDeps): Promise<SessionResult> {
    const { seconds } = validate(req, deps);
    const roleArn = await stackRoleArn(req, deps);
    const serial = await serialNumber(req, deps);
    const code = await tokenCode(req, deps, serial);
    const out = roleArn
        ? await deps.sts.send(
              new AssumeRoleCommand({
                  RoleArn: roleArn,
                  RoleSessionName: req.roleSessionName ?? req.profile,
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

    if (req.printEnv) {
        const exports = [
            `export AWS_ACCESS_KEY_ID=${c.AccessKeyId}`,
            `export AWS_SECRET_ACCESS_KEY=${c.SecretAccessKey}`,
            `export AWS_SESSION_TOKEN=${c.SessionToken}`,
            `export AWS_CREDENTIAL_EXPIRATION=${expires}`,
        ].join("\n");
        return { exports, message: `MFA session until ${expires}` };
    }
    const target = sessionProfile(req);
    const file = awsFiles(deps.env).credentials;
    const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    writeAtomically(
        file,
        replaceSection(before, target, [
            `# ${roleArn ? `assumed ${roleArn}` : "MFA session"} via mfa-session; expires ${expires}`,
            `aws_access_key_id = ${c.AccessKeyId}`,
            `aws_secret_access_key = ${c.SecretAccessKey}`,
            `aws_session_token = ${c.SessionToken}`,
        ]),
    );
    return {
        message: `wrote profile ${target} to ${file}; it expires ${expires}. Use: --profile ${target}`,
    };
}
