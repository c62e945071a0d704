import * as assert from "node:assert/strict";
import { AdminUser } from "../components/adminUser";
import { fakeAccount } from "./fakeAccount";
import { inputsOf, parseUrn, promiseOf, useMocks } from "./mocks";

describe("AdminUser", () => {
    it("creates the user with forceDestroy, so destroy survives console-made keys and MFA devices", async () => {
        const mocks = useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p", tags: { Project: "x" } });
        const user = await inputsOf(mocks, admin.user);
        assert.equal(user["name"], "k3s-admin");
        assert.equal(user["forceDestroy"], true);
        assert.deepEqual(user["tags"], { Project: "x" });
    });

    it("attaches AdministratorAccess (partition-aware) to that user", async () => {
        const mocks = useMocks(fakeAccount({ partition: "aws-us-gov" }));
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p" });
        const attachment = await inputsOf(mocks, admin.adminAttachment);
        assert.equal(attachment["user"], "k3s-admin");
        assert.equal(attachment["policyArn"], "arn:aws-us-gov:iam::aws:policy/AdministratorAccess");
    });

    it("puts the seed's MFA Deny inline on that user, under the configured policy name", async () => {
        const mocks = useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "k3s-admin-ui-cli-with-mfa" });
        const policy = await inputsOf(mocks, admin.mfaPolicy);
        assert.equal(policy["user"], "k3s-admin");
        assert.equal(policy["name"], "k3s-admin-ui-cli-with-mfa");
        // A typed document reaches the provider as an object; check the parts that decide enforcement.
        const doc = policy["policy"] as { Statement: Record<string, unknown>[] };
        assert.equal(doc.Statement.length, 1);
        assert.equal(doc.Statement[0]!["Sid"], "MustBeSignedInWithMFA");
        assert.equal(doc.Statement[0]!["Effect"], "Deny");
        assert.deepEqual(doc.Statement[0]!["Condition"], { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } });
        assert.equal(await promiseOf(admin.policyName), "k3s-admin-ui-cli-with-mfa");
    });

    it("exposes the user's name and ARN", async () => {
        useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p" });
        assert.equal(await promiseOf(admin.userName), "k3s-admin");
        assert.equal(await promiseOf(admin.userArn), "arn:aws:iam::123456789012:user/k3s-admin");
    });

    it("parents every child to the component", async () => {
        useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p" });
        for (const child of [admin.user, admin.mfaPolicy, admin.adminAttachment]) {
            assert.equal(parseUrn(await promiseOf(child.urn)).parentType, "k3s-admin-mfa:iam:AdminUser");
        }
    });

    it("names children from the component name, so two side by side do not collide", async () => {
        const mocks = useMocks();
        const first = new AdminUser("blue", { userName: "blue-admin", policyName: "p" });
        const second = new AdminUser("green", { userName: "green-admin", policyName: "p" });
        await Promise.all([first, second].map((c) => promiseOf(c.adminAttachment.urn)));
        await Promise.all([first, second].map((c) => promiseOf(c.mfaPolicy.urn)));
        const names = mocks.resources.map((r) => `${r.type}::${r.name}`);
        assert.equal(names.length, 6);
        assert.equal(new Set(names).size, 6, `duplicate names: ${names.join(", ")}`);
        assert.ok(names.every((n) => /::(blue|green)-/.test(n)));
    });
});
