import * as assert from "node:assert/strict";
import { GetRoleCommand, NoSuchEntityException, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { mfaEnforcementPolicy, mfaTrustPolicy } from "../components/policies";
import { CheckError, checkEnforcement } from "../checks/enforcement";
import {
    account,
    admin,
    analyzerMock,
    deps,
    excluded,
    hasMfa,
    iamMock,
    OPTS,
    POLICY,
    ROLE_ARN,
    roleOutput,
    simulations,
    stsMock,
    USER_ARN,
} from "./iamAccount";

describe("check-enforcement: what our Deny and the role's trust do, against a real account", () => {
    beforeEach(() => {
        iamMock.reset();
        stsMock.reset();
        analyzerMock.reset();
    });

    it("passes when every scenario holds, and says what it proved", async () => {
        account();
        const d = deps();
        const summary = await checkEnforcement(OPTS, d);
        assert.match(summary, /^enforcement verified for arn:aws:iam::123456789012:user\/k3s-admin: without MFA /);
        assert.match(
            summary,
            /role k3s-admin-mfa, as IAM stores it, trusts the user only with MFA younger than 3600 s and under their own session name \(try 1, 0\.0 s\); IAM Access Analyzer finds no error or security warning in /,
        );
        assert.deepEqual(d.slept, []);
        const calls = simulations();
        assert.equal(calls.length, 5);
        assert.ok(calls.every((c) => c.PolicySourceArn === USER_ARN && c.PolicyExclusionList === undefined));
        // The role scenarios: the role as resource, its live trust policy as resource policy, the user as caller.
        const onRole = calls.filter((c) => c.ResourceArns !== undefined);
        assert.deepEqual(
            onRole.map((c) => [c.ActionNames, c.ResourceArns, c.CallerArn, c.ResourceOwner]),
            [
                [["sts:AssumeRole"], [ROLE_ARN], USER_ARN, undefined],
                [["sts:AssumeRole"], [ROLE_ARN], USER_ARN, undefined],
            ],
        );
        assert.deepEqual(
            JSON.parse(onRole[0]!.ResourcePolicy!),
            mfaTrustPolicy({ principalArn: USER_ARN, mfaMaxAgeSeconds: 3600 }),
        );
    });

    it("reports an SCP's implicitDeny with MFA separately and does not fail on it", async () => {
        account((action, input) =>
            hasMfa(input) && action === "ec2:RunInstances" && !excluded(input).includes("scp")
                ? {
                      EvalDecision: "implicitDeny",
                      MatchedStatements: [],
                      OrganizationsDecisionDetail: { AllowedByOrganizations: false },
                  }
                : {},
        );
        const summary = await checkEnforcement(OPTS, deps());
        assert.match(summary, /; not counted against the check: an Organizations SCP denies ec2:RunInstances$/);
        const again = simulations().filter((c) => c.PolicyExclusionList !== undefined);
        assert.deepEqual(
            again.map((c) => [c.ActionNames, excluded(c)]),
            [[["ec2:RunInstances"], ["scp"]]],
        );
    });

    it("sees our Deny behind an SCP that denies first without MFA", async () => {
        account((action, input) =>
            !hasMfa(input) && action === "iam:CreateUser" && !excluded(input).includes("scp")
                ? {
                      EvalDecision: "explicitDeny",
                      MatchedStatements: [],
                      OrganizationsDecisionDetail: { AllowedByOrganizations: false },
                  }
                : {},
        );
        assert.match(await checkEnforcement(OPTS, deps()), /an Organizations SCP denies iam:CreateUser$/);
    });

    it("reports a permissions boundary the same way", async () => {
        account((action, input) =>
            hasMfa(input) && action === "iam:CreateUser" && !excluded(input).includes("permission-boundary")
                ? {
                      EvalDecision: "implicitDeny",
                      MatchedStatements: [],
                      PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
                  }
                : {},
        );
        assert.match(
            await checkEnforcement(OPTS, deps()),
            /not counted against the check: a permissions boundary denies iam:CreateUser$/,
        );
    });

    it("fails when our Deny does not match without MFA, even where an SCP denies the action anyway", async () => {
        account((action, input) =>
            hasMfa(input) || action === "sts:GetSessionToken"
                ? {}
                : excluded(input).includes("scp")
                  ? { EvalDecision: "allowed", MatchedStatements: admin }
                  : {
                        EvalDecision: "explicitDeny",
                        MatchedStatements: [],
                        OrganizationsDecisionDetail: { AllowedByOrganizations: false },
                    },
        );
        await assert.rejects(
            checkEnforcement({ ...OPTS, maxWaitSeconds: 0 }, deps()),
            /: without MFA, ec2:RunInstances was allowed by AdministratorAccess \(expected denied by MustBeSignedInWithMFA in k3s-admin-ui-cli-with-mfa\)$/,
        );
    });

    it("does not take a group's policy of the same name for the user's own Deny", async () => {
        account((action, input) =>
            hasMfa(input) || action === "sts:GetSessionToken"
                ? {}
                : { MatchedStatements: [{ SourcePolicyId: POLICY, SourcePolicyType: "group" }] },
        );
        await assert.rejects(
            checkEnforcement({ ...OPTS, maxWaitSeconds: 0 }, deps()),
            /without MFA, ec2:RunInstances was explicitDeny by k3s-admin-ui-cli-with-mfa/,
        );
    });

    it("fails naming the role when its stored trust policy names a deleted user's unique ID", async () => {
        // The simulator still says allowed: it drops trust policies for sts:AssumeRole (aws/aws-cli#10314).
        account(undefined, mfaTrustPolicy({ principalArn: "AIDAABCDEFGHIJKLMNOPQ", mfaMaxAgeSeconds: 3600 }));
        const d = deps();
        await assert.rejects(
            checkEnforcement(OPTS, d),
            /\): role k3s-admin-mfa: with a fresh MFA sign-in the user may not assume it: its trust policy names AIDAABCDEFGHIJKLMNOPQ/,
        );
        assert.deepEqual(d.slept.slice(0, 5), [1000, 2000, 4000, 8000, 15000]);
        assert.ok(d.slept.reduce((a, b) => a + b, 0) <= 60000);
    });

    it("fails when the stored trust policy accepts an MFA sign-in older than mfaMaxAgeSeconds", async () => {
        account(undefined, mfaTrustPolicy({ principalArn: USER_ARN, mfaMaxAgeSeconds: 43200 }));
        await assert.rejects(
            checkEnforcement({ ...OPTS, maxWaitSeconds: 0 }, deps()),
            /lets the user assume it with an MFA sign-in 3601 s old$/,
        );
    });

    it("stops at once when its credentials reach another account than the user's", async () => {
        account();
        stsMock.on(GetCallerIdentityCommand).resolves({ Account: "999999999999" });
        const d = deps();
        await assert.rejects(
            checkEnforcement(OPTS, d),
            /reach account 999999999999, but .* is in 123456789012: .*verifyEnforcement false/,
        );
        assert.deepEqual(d.slept, []);
    });

    it("waits out throttling and a not-yet-visible role, then succeeds", async () => {
        account();
        iamMock
            .on(GetRoleCommand)
            .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }))
            .rejectsOnce(new NoSuchEntityException({ message: "The role cannot be found.", $metadata: {} }))
            .resolves(roleOutput());
        const d = deps();
        const retries: string[] = [];
        assert.match(
            await checkEnforcement(OPTS, { ...d, onRetry: (l) => retries.push(l) }),
            /\(try 3, 3\.0 s\); IAM Access Analyzer /,
        );
        assert.deepEqual(d.slept, [1000, 2000]);
        // Each retry is told as it happens, with what is awaited, so a terminal does not sit silent for a minute.
        assert.deepEqual(retries, [
            "try 1 (0 s of at most 60 s): IAM answered Throttling; IAM may still be catching up, asking again in 1 s",
            "try 2 (1 s of at most 60 s): IAM answered NoSuchEntityException; IAM may still be catching up, asking again in 2 s",
        ]);
    });

    it("accepts the seed's single statement as well as the scoped style's tightening statements", async () => {
        account(undefined, undefined, undefined, mfaEnforcementPolicy({ style: "seed" }));
        assert.match(await checkEnforcement(OPTS, deps()), /^enforcement verified for /);
    });

    it("fails when the inline policy holds a Deny of its own that is not ours (it could mask what we judge)", async () => {
        const doc = mfaEnforcementPolicy();
        doc.Statement.push({ Sid: "Mine", Effect: "Deny", Action: "ec2:RunInstances", Resource: "*" });
        account(undefined, undefined, undefined, doc);
        await assert.rejects(
            checkEnforcement({ ...OPTS, maxWaitSeconds: 0 }, deps()),
            /holds Deny MustBeSignedInWithMFA, OnlyOwnUserWithoutMFA, OnlyOwnDeviceNameWithoutMFA, NoMFADeviceDeletionWithoutMFA, MFASessionsExpire, Mine, not /,
        );
    });

    describe("the enrolment window (active access keys, no MFA device)", () => {
        it("is reported on its own line after the proof when the user has active keys and no device", async () => {
            account(undefined, undefined, { activeKeys: 1, devices: 0 });
            const lines = (await checkEnforcement(OPTS, deps())).split("\n");
            assert.equal(lines.length, 2);
            assert.match(lines[0]!, /^enforcement verified for /);
            assert.equal(
                lines[1],
                "ENROLMENT WINDOW OPEN: k3s-admin has 1 active access key(s) and no MFA device, so whoever holds the " +
                    "keys can enrol their own device: enrol it now (README: Daily use) or deactivate the keys until then",
            );
        });

        it("fails the check instead with --fail-on-enrolment-window, as the nightly drift run asks (issue #20)", async () => {
            account(undefined, undefined, { activeKeys: 2, devices: 0 });
            await assert.rejects(
                checkEnforcement({ ...OPTS, failOnEnrolmentWindow: true }, deps()),
                (err: Error) =>
                    err instanceof CheckError &&
                    /^ENROLMENT WINDOW OPEN: k3s-admin has 2 active access key\(s\) and no MFA device/.test(
                        err.message,
                    ),
            );
            // Closed: the flag changes nothing.
            iamMock.reset();
            account(undefined, undefined, { activeKeys: 1, devices: 1 });
            assert.equal(
                (await checkEnforcement({ ...OPTS, failOnEnrolmentWindow: true }, deps())).split("\n").length,
                1,
            );
        });

        it("is closed once a device is enrolled, and while the keys are only inactive or absent", async () => {
            for (const credentials of [
                { devices: 1 },
                { activeKeys: 0, inactiveKeys: 2, devices: 0 },
                { activeKeys: 0, devices: 0 },
            ]) {
                iamMock.reset();
                account(undefined, undefined, credentials);
                // One line, the verdict alone: no window line follows it.
                const lines = (await checkEnforcement(OPTS, deps())).split("\n");
                assert.equal(lines.length, 1, JSON.stringify(credentials));
                assert.match(lines[0]!, /^enforcement verified for /, JSON.stringify(credentials));
            }
        });
    });

    describe("a second MFA device on the admin (issue #20: a thief's device passes every MFA check)", () => {
        it("fails the check at once, naming every device and what to do, after the proof held", async () => {
            account(undefined, undefined, { devices: 2 });
            const d = deps();
            await assert.rejects(
                checkEnforcement(OPTS, d),
                (err: Error) =>
                    err instanceof CheckError &&
                    err.message ===
                        "SECOND MFA DEVICE: k3s-admin has 2 MFA devices (arn:aws:iam::123456789012:mfa/k3s-admin-0 " +
                            "enabled 1970-01-01, arn:aws:iam::123456789012:mfa/k3s-admin-1 enabled 1970-01-01), more " +
                            "than the 1 expected; whoever holds a device and the keys passes every MFA check. If one " +
                            "is not the person's, deactivate it (aws iam deactivate-mfa-device --user-name k3s-admin " +
                            "--serial-number <arn>), deactivate the keys and revoke the user's sessions " +
                            "(docs/threat-model.md); if all are theirs, raise --max-mfa-devices",
            );
            // Not IAM catching up: no retry.
            assert.deepEqual(d.slept, []);
        });

        it("passes a person's backup device when --max-mfa-devices allows it, and fails the one beyond", async () => {
            account(undefined, undefined, { devices: 2 });
            assert.match(await checkEnforcement({ ...OPTS, maxMfaDevices: 2 }, deps()), /^enforcement verified for /);
            iamMock.reset();
            account(undefined, undefined, { devices: 3 });
            await assert.rejects(checkEnforcement({ ...OPTS, maxMfaDevices: 2 }, deps()), /has 3 MFA devices/);
        });
    });

    it("stops at once when the deployer may not use the simulator, and names the config key", async () => {
        account();
        iamMock
            .on(SimulatePrincipalPolicyCommand)
            .rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));
        const d = deps();
        await assert.rejects(
            checkEnforcement(OPTS, d),
            /iam:SimulatePrincipalPolicy, .*pulumi config set verifyEnforcement false/,
        );
        assert.deepEqual(d.slept, []);
    });
});
