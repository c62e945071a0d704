import * as assert from "node:assert/strict";
import {
    EvaluationResult,
    GetUserPolicyCommand,
    IAMClient,
    NoSuchEntityException,
    SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { mfaEnforcementPolicy } from "../components/policies";
import { checkEnforcement, CheckDeps, main } from "../scripts/check-enforcement";

const USER_ARN = "arn:aws:iam::123456789012:user/k3s-admin";
const POLICY = "k3s-admin-ui-cli-with-mfa";
const OPTS = { userArn: USER_ARN, policyName: POLICY, maxWaitSeconds: 60 };

const iamMock = mockClient(IAMClient);

/** A fake clock: sleeping advances it, so retries take no real time and their delays can be read back. */
function deps(): CheckDeps & { slept: number[] } {
    let t = 0;
    const slept: number[] = [];
    return {
        iam: new IAMClient({ region: "us-east-1" }),
        now: () => t,
        sleep: async (ms) => {
            slept.push(ms);
            t += ms;
        },
        slept,
    };
}

function result(action: string, decision: "allowed" | "explicitDeny", policyId?: string): EvaluationResult {
    return {
        EvalActionName: action,
        EvalResourceName: "*",
        EvalDecision: decision,
        MatchedStatements: policyId ? [{ SourcePolicyId: policyId, SourcePolicyType: "user" }] : [],
    };
}

const hasMfa = (input: { ContextEntries?: { ContextKeyName?: string }[] }) =>
    (input.ContextEntries ?? []).some((c) => c.ContextKeyName === "aws:MultiFactorAuthPresent");

/** GetUserPolicy's answer: the document comes back URL-encoded, as IAM returns it. */
function policyOutput(doc: object = mfaEnforcementPolicy()) {
    return { UserName: "k3s-admin", PolicyName: POLICY, PolicyDocument: encodeURIComponent(JSON.stringify(doc)) };
}

/** The simulator as it should answer once the stack is deployed: the Deny bites without MFA, and only then. */
function simulateEnforced(denyingPolicy = POLICY) {
    return (input: { ActionNames: string[]; ContextEntries?: [] }) => ({
        EvaluationResults: input.ActionNames.map((a) =>
            hasMfa(input) || a === "sts:GetSessionToken"
                ? result(a, "allowed", "AdministratorAccess")
                : result(a, "explicitDeny", denyingPolicy),
        ),
    });
}

function enforced(denyingPolicy = POLICY): void {
    iamMock.on(GetUserPolicyCommand).resolves(policyOutput());
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(simulateEnforced(denyingPolicy));
}

describe("check-enforcement (IAM SimulatePrincipalPolicy after pulumi up)", () => {
    beforeEach(() => iamMock.reset());

    it("passes when every scenario holds, and says what it proved", async () => {
        enforced();
        const d = deps();
        const summary = await checkEnforcement(OPTS, d);
        assert.match(summary, /^enforcement verified for arn:aws:iam::123456789012:user\/k3s-admin: without MFA/);
        assert.match(summary, /explicitly denied by MustBeSignedInWithMFA/);
        assert.deepEqual(d.slept, []);
        const calls = iamMock.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
        assert.equal(calls.length, 3);
        assert.ok(calls.every((c) => c.PolicySourceArn === USER_ARN));
        assert.deepEqual(calls[1]!.ContextEntries, [
            { ContextKeyName: "aws:MultiFactorAuthPresent", ContextKeyType: "boolean", ContextKeyValues: ["true"] },
            { ContextKeyName: "aws:MultiFactorAuthAge", ContextKeyType: "numeric", ContextKeyValues: ["300"] },
        ]);
    });

    it("fails naming the scenario when the Deny is missing (long-term keys allowed), after bounded retries", async () => {
        iamMock.on(GetUserPolicyCommand).resolves(policyOutput({ Version: "2012-10-17", Statement: [] }));
        iamMock.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
            EvaluationResults: input.ActionNames.map((a) => result(a, "allowed", "AdministratorAccess")),
        }));
        const d = deps();
        await assert.rejects(
            checkEnforcement(OPTS, d),
            /^Error: enforcement check failed after \d+ tries \(\d+ s\): without MFA, ec2:RunInstances was allowed \(expected explicitDeny\)$/,
        );
        assert.ok(d.slept.reduce((a, b) => a + b, 0) <= 60000, `waited ${d.slept.join("+")} ms`);
        assert.deepEqual(d.slept.slice(0, 5), [1000, 2000, 4000, 8000, 15000]);
    });

    it("fails when something other than MustBeSignedInWithMFA does the denying", async () => {
        enforced("SomeOtherPolicy");
        await assert.rejects(
            checkEnforcement({ ...OPTS, maxWaitSeconds: 0 }, deps()),
            /without MFA, ec2:RunInstances was denied by SomeOtherPolicy, not by MustBeSignedInWithMFA in k3s-admin-ui-cli-with-mfa/,
        );
    });

    it("waits out throttling and a not-yet-visible user, then succeeds", async () => {
        iamMock.on(SimulatePrincipalPolicyCommand).callsFake(simulateEnforced());
        iamMock
            .on(GetUserPolicyCommand)
            .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }))
            .rejectsOnce(
                new NoSuchEntityException({ message: "The user with name k3s-admin cannot be found.", $metadata: {} }),
            )
            .resolves(policyOutput());
        const d = deps();
        const summary = await checkEnforcement(OPTS, d);
        assert.match(summary, /\(try 3, 3\.0 s\)$/);
        assert.deepEqual(d.slept, [1000, 2000]);
    });

    it("retries while IAM still shows the policy's old state", async () => {
        iamMock.on(GetUserPolicyCommand).resolves(policyOutput());
        iamMock
            .on(SimulatePrincipalPolicyCommand)
            .resolvesOnce({
                EvaluationResults: [
                    result("ec2:RunInstances", "allowed", "AdministratorAccess"),
                    result("iam:CreateUser", "allowed", "AdministratorAccess"),
                ],
            })
            .callsFake(simulateEnforced());
        const d = deps();
        assert.match(await checkEnforcement(OPTS, d), /try 2/);
    });

    it("stops at once when the deployer may not use the simulator, and names the config key", async () => {
        iamMock.on(GetUserPolicyCommand).resolves(policyOutput());
        iamMock.on(SimulatePrincipalPolicyCommand).rejects(
            Object.assign(
                new Error(
                    "User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: iam:SimulatePrincipalPolicy",
                ),
                {
                    name: "AccessDenied",
                },
            ),
        );
        const d = deps();
        await assert.rejects(
            checkEnforcement(OPTS, d),
            /iam:SimulatePrincipalPolicy .*pulumi config set verifyEnforcement false/,
        );
        assert.deepEqual(d.slept, []);
    });

    describe("command line", () => {
        function capture(): {
            io: { out: (l: string) => void; err: (l: string) => void };
            out: string[];
            err: string[];
        } {
            const out: string[] = [];
            const err: string[] = [];
            return { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, out, err };
        }

        it("prints --help and exits 0", async () => {
            const c = capture();
            assert.equal(await main(["--help"], c.io), 0);
            assert.match(c.out.join("\n"), /^usage: check-enforcement --user-arn ARN --policy-name NAME/);
        });

        it("exits 2 with one line on stderr for missing or unknown flags", async () => {
            const c = capture();
            assert.equal(await main(["--user-arn", USER_ARN], c.io), 2);
            assert.equal(await main(["--user", "x"], c.io), 2);
            assert.equal(c.err.length, 2);
            assert.ok(c.err.every((l) => l.startsWith("check-enforcement: ") && !l.includes("\n")));
        });

        it("passes region and profile to the IAM client, prints the summary and exits 0", async () => {
            enforced();
            const c = capture();
            let seen: (string | undefined)[] = [];
            const code = await main(
                ["--user-arn", USER_ARN, "--policy-name", POLICY, "--region", "eu-west-1", "--profile", "admin"],
                c.io,
                (region, profile) => {
                    seen = [region, profile];
                    return new IAMClient({ region });
                },
            );
            assert.equal(code, 0);
            assert.deepEqual(seen, ["eu-west-1", "admin"]);
            assert.match(c.out[0]!, /^enforcement verified/);
        });

        it("exits 1 with one line on stderr when the check fails", async () => {
            enforced("SomeOtherPolicy");
            const c = capture();
            assert.equal(
                await main(["--user-arn", USER_ARN, "--policy-name", POLICY, "--max-wait-seconds", "0"], c.io),
                1,
            );
            assert.equal(c.err.length, 1);
            assert.match(c.err[0]!, /^check-enforcement: enforcement check failed after 1 tries/);
        });
    });
});
