import * as assert from "node:assert/strict";
import * as iam from "@pulumi/aws/iam";
import { MfaRole } from "../components/mfaRole";
import { inputsOf, parseUrn, promiseOf, registrationOf, useMocks } from "./mocks";

const USER_ARN = "arn:aws:iam::123456789012:user/k3s-admin";

type TrustDoc = { Statement: { Effect: string; Principal: { AWS: string }; Action: string; Condition: unknown }[] };

async function trustOf(
    roleTrust: "user" | "account",
    mfaMaxAgeSeconds = 3600,
): Promise<{ role: Record<string, unknown>; doc: TrustDoc }> {
    const mocks = useMocks();
    const user = new iam.User("u", { name: "k3s-admin" });
    const c = new MfaRole("r", {
        roleName: "k3s-admin-mfa",
        userArns: [USER_ARN],
        users: [user],
        roleTrust,
        mfaMaxAgeSeconds,
    });
    const role = await inputsOf(mocks, c.role);
    return { role, doc: role["assumeRolePolicy"] as TrustDoc };
}

describe("MfaRole", () => {
    it("refuses users and ARNs that do not pair up: the role would not follow a recreated user", () => {
        useMocks();
        const user = new iam.User("u", { name: "k3s-admin" });
        const args = { roleName: "k3s-admin-mfa", roleTrust: "user" as const, mfaMaxAgeSeconds: 3600 };
        assert.throws(
            () => new MfaRole("r", { ...args, userArns: [USER_ARN, `${USER_ARN}2`], users: [user] }),
            /^Error: MfaRole needs one user per ARN: 1 users, 2 ARNs$/,
        );
        assert.throws(() => new MfaRole("r2", { ...args, userArns: [], users: [] }), /needs at least one admin user/);
    });

    it("trusts only the admin user by default (roleTrust=user)", async () => {
        const { doc } = await trustOf("user");
        assert.equal(doc.Statement.length, 1);
        assert.deepEqual(doc.Statement[0]!.Principal, { AWS: USER_ARN });
    });

    it("trusts the account root with roleTrust=account, as in seed 000", async () => {
        const { doc } = await trustOf("account");
        assert.deepEqual(doc.Statement[0]!.Principal, { AWS: "arn:aws:iam::123456789012:root" });
    });

    it("requires MFA present and the configured MFA age on the single Allow", async () => {
        const { doc } = await trustOf("user", 1800);
        const s = doc.Statement[0]!;
        assert.equal(s.Effect, "Allow");
        assert.equal(s.Action, "sts:AssumeRole");
        assert.deepEqual(s.Condition, {
            Bool: { "aws:MultiFactorAuthPresent": "true" },
            NumericLessThan: { "aws:MultiFactorAuthAge": "1800" },
            StringEquals: { "sts:RoleSessionName": "${aws:username}" },
        });
    });

    it("hands out sessions of at most one hour and holds no permission policies", async () => {
        const { role } = await trustOf("user");
        assert.equal(role["name"], "k3s-admin-mfa");
        assert.equal(role["maxSessionDuration"], 3600);
        assert.equal(role["managedPolicyArns"], undefined);
        assert.equal(role["inlinePolicies"], undefined);
        assert.match(String(role["description"]), /aws-iam-authenticator/);
    });

    it("detaches and deletes policies put on it outside Pulumi when deleted, so destroy and replacement survive tampering", async () => {
        const { role } = await trustOf("user");
        // terraform-provider-aws role.go deleteRole: `if forceDetach || hasManaged` detach every attached policy,
        // `if forceDetach || hasInline` delete every inline one, then DeleteRole; otherwise IAM answers DeleteConflict.
        assert.equal(role["forceDetachPolicies"], true);
    });

    it("exposes its name and ARN, and is the role's parent", async () => {
        useMocks();
        const c = new MfaRole("r", {
            roleName: "k3s-admin-mfa",
            userArns: [USER_ARN],
            users: [new iam.User("u", { name: "k3s-admin" })],
            roleTrust: "user",
            mfaMaxAgeSeconds: 3600,
        });
        assert.equal(await promiseOf(c.roleName), "k3s-admin-mfa");
        assert.equal(await promiseOf(c.roleArn), "arn:aws:iam::123456789012:role/k3s-admin-mfa");
        const urn = parseUrn(await promiseOf(c.role.urn));
        assert.equal(urn.parentType, "k3s-admin-mfa:iam:MfaRole");
        assert.equal(urn.name, "r-role");
    });

    it("is created after the user, and replaced, deleting first, whenever the user gets a new unique ID", async () => {
        const mocks = useMocks();
        const user = new iam.User("u", { name: "k3s-admin" });
        const c = new MfaRole("r", {
            roleName: "k3s-admin-mfa",
            userArns: [USER_ARN],
            users: [user],
            roleTrust: "user",
            mfaMaxAgeSeconds: 3600,
        });
        await promiseOf(c.roleArn);
        const role = registrationOf(mocks, "aws:iam/role:Role");
        assert.ok(
            role.dependencies.includes(await promiseOf(user.urn)),
            "IAM refuses a trust policy naming a missing user",
        );
        assert.equal(role.deleteBeforeReplace, true, "a fixed role name cannot be created twice");
        // IAM keeps a trust principal as the user's unique ID: a recreated user has a new one, and the engine replaces
        // a resource whose replacementTrigger differs from the recorded one (step_generator.go shouldTriggerReplace).
        assert.equal(role.replacementTrigger, await promiseOf(user.uniqueId));
        assert.match(String(role.replacementTrigger), /^AIDA/);
    });
});
