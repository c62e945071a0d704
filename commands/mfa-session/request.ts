import { ROLE_MAX_SESSION_SECONDS } from "../../components/mfaRole";
import { DEFAULT_USER_MFA_MAX_AGE_SECONDS } from "../../components/policies";
import type { Region } from "../../cli/awsRegion";
import { UsageError } from "../../cli/command";

/** What mfa-session is asked to do, and the checks of it that need neither a file nor AWS. */

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
    /** Where STS is called, and what the session profile gets as `region`; undefined when nothing names one. */
    readonly region?: Region;
}

/**
 * AWS's limits: GetSessionToken 15 min to 36 h; AssumeRole 15 min to the role's maximum (ours: 1 h). A user session
 * is capped at the default `userMfaMaxAgeSeconds` (issue 20 §1): past it, MFASessionsExpire denies all but the
 * bootstrap actions, so a longer session would only look valid while a leaked one lasts longer. This tool reads no
 * stack in user mode; the hand-over's session.sh carries the stack's own value.
 */
function durationLimits(roleMode: boolean, stackRole: boolean): { min: number; max: number; fallback: number } {
    if (!roleMode)
        return { min: 900, max: DEFAULT_USER_MFA_MAX_AGE_SECONDS, fallback: DEFAULT_USER_MFA_MAX_AGE_SECONDS };
    return { min: 900, max: stackRole ? ROLE_MAX_SESSION_SECONDS : 43200, fallback: 3600 };
}

/** sts:AssumeRole's RoleSessionName: 2 to 64 characters of [\w+=,.@-]. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * The RoleSessionName when neither --role-session-name nor the IAM user's name gives one (session.ts picks them
 * first): the profile name made valid (characters AWS refuses become "-", and a one-character name such as `a`
 * becomes `a-mfa-session`), so any profile name works.
 */
export function roleSessionName(req: Pick<SessionRequest, "profile">): string {
    const name = req.profile.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
    return name.length >= 2 ? name : `${name}-mfa-session`;
}

export function sessionProfile(req: Pick<SessionRequest, "profile" | "sessionProfile" | "roleArn" | "stack">): string {
    return req.sessionProfile ?? `${req.profile}-${req.roleArn || req.stack ? "role-session" : "session"}`;
}

/** Checks of the command line alone: each failure is a UsageError (exit 2), before any file is read or AWS called. */
export function validate(req: SessionRequest): { seconds: number } {
    const roleMode = Boolean(req.roleArn || req.stack);
    if (req.profile.trim() === "") throw new UsageError("--profile must name a profile");
    if (req.roleArn && req.stack) throw new UsageError("give --role-arn or --stack, not both");
    if (req.roleArn && !/^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(req.roleArn)) {
        throw new UsageError(`--role-arn must be an IAM role ARN, got ${JSON.stringify(req.roleArn)}`);
    }
    if (req.stack !== undefined && !/^[A-Za-z0-9_.-]+$/.test(req.stack)) {
        throw new UsageError(`--stack must be a stack name such as dev, got ${JSON.stringify(req.stack)}`);
    }
    // sts:GetSessionToken's SerialNumber: 9 to 256 of [\w+=/:,.@-] (a device ARN, or a hardware token's serial).
    if (req.serialNumber !== undefined && !/^[\w+=/:,.@-]{9,256}$/.test(req.serialNumber)) {
        throw new UsageError(`--serial-number must be an MFA device ARN, got ${JSON.stringify(req.serialNumber)}`);
    }
    if (req.tokenCode !== undefined && !/^\d{6}$/.test(req.tokenCode))
        throw new UsageError("--token-code must be 6 digits");
    if (req.roleSessionName !== undefined) {
        if (!roleMode) throw new UsageError("--role-session-name needs --role-arn or --stack");
        if (!SESSION_NAME.test(req.roleSessionName)) {
            throw new UsageError(
                `--role-session-name must be 2 to 64 letters, digits or +=,.@_-, got ${JSON.stringify(req.roleSessionName)}`,
            );
        }
    }
    const target = sessionProfile(req);
    if (!req.printEnv && !/^[^\s[\]]+(?: [^\s[\]]+)*$/.test(target)) {
        throw new UsageError(
            `--session-profile must be a profile name without [ ] or line breaks, got ${JSON.stringify(target)}`,
        );
    }
    if (!req.printEnv && target === req.profile) {
        throw new UsageError("--session-profile must differ from --profile: the long-term keys would be overwritten");
    }
    const { min, max, fallback } = durationLimits(roleMode, Boolean(req.stack));
    const seconds = req.durationSeconds ?? fallback;
    if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
        throw new UsageError(
            `--duration-seconds must be an integer from ${min} to ${max} here, got ${String(req.durationSeconds)}`,
        );
    }
    return { seconds };
}
