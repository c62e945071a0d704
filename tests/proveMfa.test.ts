import * as assert from "node:assert/strict";
import { MFA_DENY_SID, type PolicyDocument, type Statement } from "../components/policies";
import { boolInsteadOfBoolIfExists, ProveWorld } from "./standIn/world";

/**
 * Seed 004's experiment against the stand-in (tests/awsStandIn.ts): the real SDK, the real wire formats, and a real
 * IAM evaluation of the documents components/policies.ts builds. Each step's pass, and each step's failure when
 * the stand-in's copy of a policy is broken the way that step exists to catch.
 */
describe("prove-mfa against the EC2/STS/IAM stand-in", () => {
    let w: ProveWorld;
    before(async () => {
        w = await ProveWorld.start();
    });
    after(async () => w.stop());
    beforeEach(() => w.standIn.use());

    const mfaDeny = (doc: PolicyDocument): Statement => doc.Statement.find((s) => s.Sid === MFA_DENY_SID)!;
    const proved = (extra: string[] = []) =>
        w.run(["--outputs", w.outputsFile(), "--token-code", "123456", "--decode-profile", "deployer", ...extra]);

    it("holds all five steps for the deployed policies, one line each, and creates nothing", async () => {
        const r = await proved();
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.deepEqual(r.err, []);
        assert.equal(r.out.length, 6);
        assert.match(
            r.out[0]!,
            /^1\/5 ok {3}ec2:RunInstances DryRun \(t3\.micro, subnet-0123456789abcdef0, ami-0abcdef1234567890\) as k3s-admin, long-term keys of profile k3s-admin -> UnauthorizedOperation, explicit deny by MustBeSignedInWithMFA: as promised/,
        );
        assert.match(
            r.out[1]!,
            // Issue 20 §5: the user's Deny refuses first, so the step says it proved the Deny and not the trust.
            /^2\/5 ok {3}sts:AssumeRole k3s-admin-mfa as k3s-admin, long-term keys .* -> AccessDenied: as promised \(refused by the user's MFA Deny \(the role's trust was not reached: this proves the Deny, not the trust\)\)$/,
        );
        assert.match(
            r.out[2]!,
            /^3\/5 ok {3}sts:GetSessionToken, then ec2:RunInstances DryRun .* as k3s-admin, MFA session -> DryRunOperation \(would have succeeded\): as promised/,
        );
        assert.match(
            r.out[3]!,
            /^4\/5 ok {3}sts:AssumeRole k3s-admin-mfa \(no second code, session name k3s-admin\) as k3s-admin, MFA session -> arn:aws:sts::123456789012:assumed-role\/k3s-admin-mfa\/k3s-admin: as promised/,
        );
        assert.match(
            r.out[4]!,
            /^5\/5 ok {3}iam:ListMFADevices of k3s-admin as k3s-admin, long-term keys .* -> 1 device\(s\), arn:aws:iam::123456789012:mfa\/k3s-admin among them: as promised/,
        );
        assert.match(
            r.out[5]!,
            /^prove-mfa: all 5 steps as the policies promise for k3s-admin \(outputs in .*, us-east-1\)$/,
        );
        assert.deepEqual(w.standIn.world.created, []);
        assert.deepEqual(w.leaked(r), []);
        // The one code was spent once; steps 1, 2 and 5 were signed by the long-term keys, 3 and 4 by the session.
        const calls = w.standIn.log.map(
            (l) => `${l.service}:${l.action} ${l.status}${l.as.endsWith("(MFA)") ? " mfa" : ""}`,
        );
        assert.deepEqual(calls, [
            "sts:GetCallerIdentity 200",
            "ec2:RunInstances 403",
            "sts:DecodeAuthorizationMessage 200",
            "sts:AssumeRole 403",
            "sts:GetSessionToken 200",
            "ec2:RunInstances 412 mfa",
            "sts:AssumeRole 200 mfa",
            "iam:ListMFADevices 200",
        ]);
    });

    it("without --decode-profile, takes any UnauthorizedOperation in step 1 and says how to learn more", async () => {
        const r = await w.run(["--outputs", w.outputsFile(), "--token-code", "234567"]);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.match(r.out[0]!, /-> UnauthorizedOperation: as promised \(denied without MFA; add --decode-profile/);
    });

    it("negative control: with Bool for BoolIfExists, step 1 reports the long-term keys getting through", async () => {
        w.standIn.use({ userPolicy: boolInsteadOfBoolIfExists });
        assert.deepEqual(Object.keys(mfaDeny(w.standIn.world.account.userPolicy).Condition!), ["Bool"]);
        const r = await proved();
        assert.equal(r.code, 1);
        assert.match(
            r.out[0]!,
            /^1\/5 FAIL ec2:RunInstances DryRun .* -> DryRunOperation \(would have succeeded\): NOT as promised \(long-term keys alone can launch EC2/,
        );
        assert.equal(r.err.length, 1);
        assert.match(
            r.err[0]!,
            /^prove-mfa: step 1 is not as the policy promises: long-term keys alone can launch EC2; MustBeSignedInWithMFA must deny it \(BoolIfExists, not Bool\)/,
        );
        assert.deepEqual(w.standIn.world.created, []);
    });

    it("step 1: a refusal by another statement proves nothing about MFA", async () => {
        w.standIn.use({
            userPolicy: (doc) => {
                mfaDeny(doc).Sid = "SomethingElse";
                return doc;
            },
        });
        const r = await proved();
        assert.equal(r.code, 1);
        assert.match(
            r.out[0]!,
            /^1\/5 FAIL .* -> UnauthorizedOperation, explicit deny by SomethingElse: NOT as promised \(refused, but not by MustBeSignedInWithMFA/,
        );
        assert.match(r.err[0]!, /step 1 is not as the policy promises/);
    });

    it("step 2: a role that trusts long-term keys is reported", async () => {
        w.standIn.use({
            // The user's Deny lets AssumeRole through, and the trust policy asks for no MFA: the role is open.
            userPolicy: (doc) => {
                mfaDeny(doc).NotAction!.push("sts:AssumeRole");
                return doc;
            },
            trustPolicy: (doc) => {
                delete doc.Statement[0]!.Condition;
                return doc;
            },
        });
        const r = await proved();
        assert.equal(r.code, 1);
        assert.match(r.out[0]!, /^1\/5 ok /);
        assert.match(
            r.out[1]!,
            /^2\/5 FAIL sts:AssumeRole k3s-admin-mfa .* -> a role session: NOT as promised \(the role admits long-term keys without MFA/,
        );
        assert.match(r.err[0]!, /^prove-mfa: step 2 is not as the policy promises: the role admits long-term keys/);
    });

    it("step 3: an MFA session that cannot launch EC2 is reported, with the statement that denied it", async () => {
        w.standIn.use({
            userPolicy: (doc) => {
                doc.Statement.push({ Sid: "NoEc2AtAll", Effect: "Deny", Action: "ec2:RunInstances", Resource: "*" });
                return doc;
            },
        });
        const r = await proved();
        assert.equal(r.code, 1);
        // Step 1 still holds: MustBeSignedInWithMFA is among the statements that denied it.
        assert.match(r.out[0]!, /^1\/5 ok /);
        assert.match(r.out[2]!, /^3\/5 FAIL .* -> UnauthorizedOperation, explicit deny by NoEc2AtAll: NOT as promised/);
        assert.match(
            r.err[0]!,
            /^prove-mfa: step 3 is not as the policy promises: an MFA session must be able to launch EC2/,
        );
    });

    it("step 4: a role that refuses the user's MFA session is reported", async () => {
        w.standIn.use({
            trustPolicy: (doc) => {
                doc.Statement[0]!.Principal = { AWS: "arn:aws:iam::123456789012:user/someone-else" };
                return doc;
            },
        });
        const r = await proved();
        assert.equal(r.code, 1);
        assert.match(
            r.out[3]!,
            /^4\/5 FAIL sts:AssumeRole .* -> AccessDenied: NOT as promised \(the role refuses a fresh MFA session/,
        );
        assert.match(r.err[0]!, /^prove-mfa: step 4 is not/);
    });

    it("step 5: a bootstrap action that needs MFA is reported", async () => {
        w.standIn.use({
            userPolicy: (doc) => {
                const s = mfaDeny(doc);
                s.NotAction = s.NotAction!.filter((a) => a !== "iam:ListMFADevices");
                return doc;
            },
        });
        const r = await proved();
        assert.equal(r.code, 1);
        assert.match(
            r.out[4]!,
            /^5\/5 FAIL iam:ListMFADevices of k3s-admin .* -> AccessDenied: NOT as promised \(a bootstrap action needs MFA/,
        );
        assert.match(r.err[0]!, /^prove-mfa: step 5 is not/);
    });

    it("asks for the code on the terminal when no --token-code is given, only when step 3 comes", async () => {
        const asked: string[] = [];
        const r = await w.run(["--outputs", w.outputsFile()], {
            prompt: async (q) => {
                asked.push(`${q} after ${w.standIn.log.length} calls`);
                return "345678\n";
            },
        });
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.deepEqual(asked, ["MFA code for arn:aws:iam::123456789012:mfa/k3s-admin:  after 3 calls"]);
    });
});
