import * as assert from "node:assert/strict";
import { AdminUser } from "../components/adminUser";
import { EnforcementCheck, shellQuote } from "../components/enforcementCheck";
import { mfaEnforcementPolicy } from "../components/policies";
import { inputsOf, parseUrn, promiseOf, useMocks } from "./mocks";

describe("EnforcementCheck (the proof inside pulumi up)", () => {
    it("runs the simulator script for the created user and its inline policy, in the provider's region and profile", async () => {
        const mocks = useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "k3s-admin-ui-cli-with-mfa" });
        const c = new EnforcementCheck("a", { admin, region: "eu-west-1", profile: "admin" });
        const cmd = await inputsOf(mocks, c.check);
        assert.equal(
            cmd["create"],
            "'node' '-r' 'ts-node/register/transpile-only' 'scripts/check-enforcement.ts' " +
                "'--user-arn' 'arn:aws:iam::123456789012:user/k3s-admin' '--policy-name' 'k3s-admin-ui-cli-with-mfa' " +
                "'--region' 'eu-west-1' '--profile' 'admin' '--max-wait-seconds' '60'",
        );
    });

    it("leaves region and profile to the deployer's environment when the stack sets none", async () => {
        const mocks = useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p" });
        const cmd = await inputsOf(mocks, new EnforcementCheck("a", { admin }).check);
        assert.doesNotMatch(String(cmd["create"]), /--region|--profile/);
    });

    it("re-runs when the user or either policy changes: all of them are triggers", async () => {
        const mocks = useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p", hardened: true });
        const cmd = await inputsOf(mocks, new EnforcementCheck("a", { admin }).check);
        assert.deepEqual(cmd["triggers"], [
            "arn:aws:iam::123456789012:user/k3s-admin",
            "p",
            JSON.stringify(mfaEnforcementPolicy({ hardened: true })),
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ]);
    });

    it("is the command's parent, and exposes the command's output as its summary", async () => {
        useMocks();
        const admin = new AdminUser("a", { userName: "k3s-admin", policyName: "p" });
        const c = new EnforcementCheck("a", { admin });
        assert.equal(parseUrn(await promiseOf(c.check.urn)).parentType, "k3s-admin-mfa:iam:EnforcementCheck");
        assert.equal(await promiseOf(c.summary), "not run under mocks");
    });

    it("quotes words for the shell, including a single quote", () => {
        assert.equal(shellQuote("a b"), "'a b'");
        assert.equal(shellQuote("it's"), `'it'\\''s'`);
    });
});
