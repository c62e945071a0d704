/**
 * The kill switch for an IAM user's own sessions (issue #20): the policy AWS documents for "Denying access to
 * temporary security credentials issued before a specific time" (IAM user guide,
 * id_credentials_temp_control-access_disable-perms), as a pure function, and a command that prints it.
 *
 *   npm run -s revoke-sessions-policy [-- --before 2026-12-02T17:00:00Z] > revoke.json
 *
 * Deactivating the user's access keys stops new sessions; AWS documents no effect of that on sessions already
 * issued ("valid until they expire, and they cannot be revoked"; their permissions are the user's, evaluated on every
 * request). This Deny takes every permission from sessions issued before the cut-off. Requests signed with the
 * long-term keys carry no `aws:TokenIssueTime`, and DateLessThan does not match a missing key, so it leaves them (and
 * so GetSessionToken for a new session) to the other policies.
 */
import type { PolicyDocument } from "../../components/policies";
import { EXIT, type Io, parseFlags, usageText, UsageError } from "../../cli/command";

/** The name the IAM console gives the same Deny on a role ("Revoke active sessions"). */
export const REVOKE_POLICY_NAME = "AWSRevokeOlderSessions";
const TOKEN_ISSUE_TIME_KEY = "aws:TokenIssueTime";

/** Every permission denied to temporary credentials issued before `before` (to the second, UTC). */
export function revokeOlderSessionsPolicy(before: Date): PolicyDocument {
    if (Number.isNaN(before.getTime())) throw new Error("the cut-off is not a valid time");
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "RevokeOlderSessions",
                Effect: "Deny",
                Action: "*",
                Resource: "*",
                Condition: { DateLessThan: { [TOKEN_ISSUE_TIME_KEY]: before.toISOString().replace(/\.\d{3}Z$/, "Z") } },
            },
        ],
    };
}

/** The command line: returns the exit status. */
export async function main(argv: readonly string[], io: Io, now: () => Date = () => new Date()): Promise<number> {
    let before: Date;
    try {
        const v = parseFlags([...argv], {
            before: { type: "string" },
            help: { type: "boolean", short: "h", default: false },
        });
        if (v.help) {
            io.out(usageText(__dirname));
            return EXIT.ok;
        }
        const raw = v.before;
        if (raw !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(raw))
            throw new UsageError(
                `--before must be a UTC time such as 2026-12-02T17:00:00Z, got ${JSON.stringify(raw)}`,
            );
        before = raw === undefined ? now() : new Date(raw);
        if (Number.isNaN(before.getTime()))
            throw new UsageError(`--before is not a valid time: ${JSON.stringify(raw)}`);
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        io.err(`revoke-sessions-policy: ${err.message} (see --help)`);
        return EXIT.usage;
    }
    io.out(JSON.stringify(revokeOlderSessionsPolicy(before), null, 2));
    return EXIT.ok;
}
