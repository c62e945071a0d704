import * as assert from "node:assert/strict";
import { mfaTrustPolicy, trustedPrincipalArn } from "../components/policies";
import { evaluateTrust, isUniqueId, trustProblem } from "../checks/trustPolicy";

const USER = "arn:aws:iam::123456789012:user/k3s-admin";
const ROLE = "arn:aws:iam::123456789012:role/k3s-admin-mfa";
const TARGET = { userArn: USER, roleArn: ROLE, mfaMaxAgeSeconds: 3600, freshAge: 300 };
const fresh = { callerArn: USER, mfaPresent: true, mfaAge: 300, roleSessionName: "k3s-admin" };

/** The trust policy as IAM hands it back from GetRole: the stack's document after a JSON round trip. */
const stored = (principalArn: string | string[] = USER, mfaMaxAgeSeconds = 3600) =>
    JSON.parse(JSON.stringify(mfaTrustPolicy({ principalArn, mfaMaxAgeSeconds }))) as unknown;

describe("the role's trust policy as IAM stores it (evaluated locally: the simulator ignores trust policies)", () => {
    it("admits the user with a fresh MFA sign-in, and not without MFA or with one at or past the limit", () => {
        assert.equal(evaluateTrust(stored(), fresh).decision, "allowed");
        assert.equal(
            evaluateTrust(stored(), { callerArn: USER, roleSessionName: "k3s-admin" }).decision,
            "implicitDeny",
        );
        for (const mfaAge of [3600, 3601]) {
            assert.equal(evaluateTrust(stored(), { ...fresh, mfaAge }).decision, "implicitDeny");
        }
        assert.equal(trustProblem(TARGET, stored()), undefined);
    });

    it("admits the user through an account-root principal (roleTrust account) and the bare account ID", () => {
        assert.equal(evaluateTrust(stored(trustedPrincipalArn(USER, "account")), fresh).decision, "allowed");
        assert.equal(evaluateTrust(stored("123456789012"), fresh).decision, "allowed");
        assert.equal(evaluateTrust(stored("arn:aws:iam::999999999999:root"), fresh).decision, "implicitDeny");
    });

    it("admits a session only under the caller's own user name (sts:RoleSessionName = ${aws:username})", () => {
        assert.equal(evaluateTrust(stored(), { ...fresh, roleSessionName: "bob" }).decision, "implicitDeny");
        assert.equal(evaluateTrust(stored(), { ...fresh, roleSessionName: "K3S-ADMIN" }).decision, "implicitDeny");
        const bob = "arn:aws:iam::123456789012:user/bob";
        const team = stored([USER, bob]);
        assert.equal(evaluateTrust(team, { ...fresh, callerArn: bob, roleSessionName: "bob" }).decision, "allowed");
        assert.equal(evaluateTrust(team, { ...fresh, callerArn: bob }).decision, "implicitDeny");
    });

    it("fails a stored trust policy that lets the user take another person's session name", () => {
        const doc = stored() as { Statement: { Condition: Record<string, unknown> }[] };
        delete doc.Statement[0]!.Condition["StringEquals"];
        assert.equal(
            trustProblem(TARGET, doc),
            "role k3s-admin-mfa: its trust policy lets the user assume it under another person's session name",
        );
    });

    it("names the role and the unique ID when IAM has rewritten the principal of a deleted user", () => {
        const problem = trustProblem(TARGET, stored("AIDAABCDEFGHIJKLMNOPQ"));
        assert.match(problem ?? "", /^role k3s-admin-mfa: with a fresh MFA sign-in the user may not assume it: /);
        assert.match(problem ?? "", /names AIDAABCDEFGHIJKLMNOPQ, the unique ID of a deleted user/);
        assert.ok(isUniqueId("AROAABCDEFGHIJKLMNOPQ") && !isUniqueId(USER));
    });

    it("fails a trust policy whose MFA age limit is longer than the stack's", () => {
        assert.equal(
            trustProblem(TARGET, stored(USER, 86400)),
            "role k3s-admin-mfa: its trust policy lets the user assume it with an MFA sign-in 3601 s old",
        );
    });

    it("fails a trust policy edited to drop the MFA condition, or to add a second Allow without it", () => {
        const doc = stored() as { Statement: { Condition?: unknown; Sid?: string }[] };
        const open = { ...doc.Statement[0]!, Sid: "ConsoleEdit", Condition: undefined };
        assert.match(trustProblem(TARGET, { ...doc, Statement: [doc.Statement[0], open] }) ?? "", /without MFA$/);
    });

    it("follows IAM on a missing MFA key: Bool does not match it, BoolIfExists does", () => {
        const allowIfExists = {
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { AWS: USER },
                    Action: "sts:AssumeRole",
                    Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } },
                },
            ],
        };
        assert.equal(evaluateTrust(allowIfExists, { callerArn: USER }).decision, "allowed");
    });

    it("lets a matching Deny win, and calls what it cannot evaluate unknown rather than guessing", () => {
        const deny = { Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:*" };
        const doc = stored() as { Statement: unknown[] };
        assert.equal(evaluateTrust({ Statement: [...doc.Statement, deny] }, fresh).decision, "explicitDeny");
        const ip = {
            Effect: "Allow",
            Principal: { AWS: USER },
            Action: "sts:AssumeRole",
            Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        };
        assert.deepEqual(evaluateTrust({ Statement: [ip] }, { callerArn: USER }), {
            decision: "unknown",
            unknown: "IpAddress on aws:SourceIp",
        });
        assert.match(trustProblem(TARGET, { Statement: [...doc.Statement, ip] }) ?? "", /cannot prove .*IpAddress/);
    });
});
