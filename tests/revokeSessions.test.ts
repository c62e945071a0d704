import * as assert from "node:assert/strict";
import { userCallers } from "../analysis/callers";
import { decide, oneAdmin } from "./oneAdmin";
import { main, REVOKE_POLICY_NAME, revokeOlderSessionsPolicy } from "../commands/revoke-sessions/policy";

/**
 * The user's kill switch (issue #20 §1), through the IAM evaluation engine: with the revocation Deny attached,
 * sessions issued before the cut-off can do nothing, sessions issued after it and the long-term keys' bootstrap
 * (a new GetSessionToken) are as before. The callers' clock is analysis/callers.ts's fixed NOW, 2026-01-15T09:30:00Z;
 * an MFA session `age` seconds old was issued `age` seconds before it.
 */
const NOW = new Date("2026-01-15T09:30:00Z");

describe("revoking the user's own sessions (issue #20, IAM evaluation)", () => {
    const cutOff = new Date(NOW.getTime() - 30_000);
    const revoked = oneAdmin({}, { name: REVOKE_POLICY_NAME, document: revokeOlderSessionsPolicy(cutOff) });
    const me = userCallers(revoked, revoked.users[0]!);
    const before = oneAdmin();
    const was = userCallers(before, before.users[0]!);

    it("denies everything to a session issued before the cut-off, which was allowed without the Deny", async () => {
        for (const action of ["ec2:RunInstances", "iam:CreateAccessKey", "iam:ListMFADevices"]) {
            assert.equal(await decide(was.mfaSession(60), action), "ALLOW", action);
            assert.equal(await decide(me.mfaSession(60), action), "DENY", action);
        }
    });

    it("leaves a session issued after the cut-off as it was", async () => {
        assert.equal(await decide(me.mfaSession(10), "ec2:RunInstances"), "ALLOW");
    });

    it("leaves the long-term keys to the MFA Deny: a new GetSessionToken works, RunInstances stays denied", async () => {
        assert.equal(await decide(me.keys(), "sts:GetSessionToken"), "ALLOW");
        assert.equal(await decide(me.keys(), "ec2:RunInstances"), "DENY");
    });

    it("is AWS's documented shape, to the second, and refuses an invalid time", () => {
        assert.deepEqual(revokeOlderSessionsPolicy(new Date("2026-12-02T17:00:00.123Z")), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "RevokeOlderSessions",
                    Effect: "Deny",
                    Action: "*",
                    Resource: "*",
                    Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-12-02T17:00:00Z" } },
                },
            ],
        });
        assert.throws(() => revokeOlderSessionsPolicy(new Date("soon")), /not a valid time/);
    });

    it("prints it for --before or now, and exits 2 for a time that is not UTC ISO 8601", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
        assert.equal(await main([], io, () => NOW), 0);
        assert.deepEqual(JSON.parse(out[0]!), revokeOlderSessionsPolicy(NOW));
        assert.match(out[0]!, /"aws:TokenIssueTime": "2026-01-15T09:30:00Z"/);
        assert.equal(await main(["--before", "2026-12-02T17:00:00Z"], io), 0);
        assert.match(out[1]!, /"aws:TokenIssueTime": "2026-12-02T17:00:00Z"/);
        for (const bad of ["yesterday", "2026-12-02 17:00", "2026-12-02T17:00:00+01:00", "2026-13-40T99:00:00Z"])
            assert.equal(await main(["--before", bad], io), 2, bad);
        assert.equal(err.length, 4);
        assert.ok(err.every((l) => l.startsWith("revoke-sessions-policy: --before ")));
    });
});
