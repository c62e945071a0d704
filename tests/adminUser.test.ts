import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AdminUser } from "../components/adminUser";
import { mfaEnforcementPolicy } from "../components/policies";
import { PROJECT } from "../config";
import { fakeAccount } from "./fakeAccount";
import { inputsOf, MockAws, parseUrn, promiseOf, registrationOf, useMocks } from "./mocks";

describe("AdminUser", () => {
    it("creates the user protected and without forceDestroy: nothing deletes a person's keys or MFA device unasked", async () => {
        const mocks = useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p", tags: { Project: "x" } });
        const user = await inputsOf(mocks, admin.user);
        assert.equal(user["name"], "k3s-admin");
        // terraform-provider-aws user.go resourceUserDelete: without force_destroy it removes only group
        // memberships, so IAM refuses (DeleteConflict) to delete a user who still has keys or an MFA device.
        assert.equal(user["forceDestroy"], false);
        assert.equal(registrationOf(mocks, "aws:iam/user:User").protect, true);
        assert.deepEqual(user["tags"], { Project: "x" });
    });

    it("with allowDeletion, is unprotected and force-destroyed: keys, MFA devices, password and foreign policies go with it", async () => {
        const mocks = useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p", allowDeletion: true });
        // With force_destroy, resourceUserDelete first runs deleteUserPolicies, detachUserPolicies,
        // deleteUserAccessKeys, deleteUserSSHKeys, deleteUserVirtualMFADevices, deactivateUserMFADevices,
        // deleteUserLoginProfile, deleteUserSigningCertificates and deleteServiceSpecificCredentials.
        assert.equal((await inputsOf(mocks, admin.user))["forceDestroy"], true);
        assert.equal(registrationOf(mocks, "aws:iam/user:User").protect, false);
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
        assert.deepEqual(doc, mfaEnforcementPolicy());
        assert.equal(doc.Statement[0]!["Sid"], "MustBeSignedInWithMFA");
        assert.equal(doc.Statement[0]!["Effect"], "Deny");
        assert.deepEqual(doc.Statement[0]!["Condition"], { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } });
        assert.equal(await promiseOf(admin.policyName), "k3s-admin-ui-cli-with-mfa");
    });

    it("takes the policy's style and session age limit from its args", async () => {
        const mocks = useMocks();
        const seed = new AdminUser("s", { userName: "u", policyName: "p", mfaPolicy: "seed" });
        assert.deepEqual((await inputsOf(mocks, seed.mfaPolicy))["policy"], mfaEnforcementPolicy({ style: "seed" }));
        const capped = new AdminUser("c", { userName: "v", policyName: "p", userMfaMaxAgeSeconds: 900 });
        assert.deepEqual(
            (await inputsOf(mocks, capped.mfaPolicy))["policy"],
            mfaEnforcementPolicy({ userMfaMaxAgeSeconds: 900 }),
        );
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

    it("lets bare keys create the person's device under its configured name, when that is not the user's", async () => {
        const mocks = useMocks();
        // A renamed user keeps the device enrolled under their old name (IAM does not rename devices), and
        // `mfaDeviceName` may name any device: the Deny's own-name scoping must admit that name, and only it.
        const admin = new AdminUser("a", { userName: "alice", policyName: "p", mfaDeviceName: "alice-phone" });
        const own = await inputsOf(mocks, admin.user).then(() => inputsOf(mocks, admin.mfaPolicy));
        assert.deepEqual(
            own["policy"],
            mfaEnforcementPolicy({ style: "scoped", hardened: false, deviceNames: ["alice-phone"] }),
        );
        const same = useMocks();
        const plain = new AdminUser("b", { userName: "bob", policyName: "p", mfaDeviceName: "bob" });
        assert.deepEqual((await inputsOf(same, plain.mfaPolicy))["policy"], mfaEnforcementPolicy({ style: "scoped" }));
    });

    it("deletes the old user before creating a replacement: its name is fixed", async () => {
        const mocks = useMocks();
        await promiseOf(new AdminUser("a", { userName: "k3s-admin", policyName: "p" }).userArn);
        assert.equal(registrationOf(mocks, "aws:iam/user:User").deleteBeforeReplace, true);
    });

    it("knows its ARN during a preview that creates it, built from partition, account, path and name", async () => {
        const mocks = useMocks(fakeAccount({ partition: "aws-cn", accountId: "210987654321" }), true);
        const admin = new AdminUser("a", { userName: "ops", policyName: "p" });
        assert.equal(await promiseOf(admin.knownUserArn), "arn:aws-cn:iam::210987654321:user/ops");
        // What IAM reports is unknown until the user exists, exactly as the engine previews a create.
        assert.equal(await promiseOf(admin.userArn), undefined);
        assert.equal(registrationOf(mocks, "aws:iam/user:User").object["path"], "/");
    });

    it("fails the update if IAM reports another ARN than the one its documents name", async () => {
        class ElsewhereIam extends MockAws {
            override newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
                const result = super.newResource(args);
                if (args.type === "aws:iam/user:User")
                    result.state["arn"] = "arn:aws:iam::123456789012:user/x/k3s-admin";
                return result;
            }
        }
        await pulumi.runtime.setMocks(new ElsewhereIam(fakeAccount()), PROJECT, "dev", false);
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p" });
        await assert.rejects(
            promiseOf(admin.userArn),
            /IAM reports the user's ARN as arn:aws:iam::123456789012:user\/x\/k3s-admin, expected arn:aws:iam::123456789012:user\/k3s-admin/,
        );
    });
});
