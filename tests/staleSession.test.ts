import * as assert from "node:assert/strict";
import { userCallers } from "../analysis/callers";
import type { MfaPolicyOptions } from "../components/policies";
import { ACCOUNT, decide, oneAdmin } from "./oneAdmin";

/**
 * Issue #20 §1 and §5, through the IAM evaluation engine that found them (@cloud-copilot/iam-simulate via
 * analysis/simulate.ts): one leaked MFA session, older than `userMfaMaxAgeSeconds`, must not be able to do anything
 * that outlives it (enrol a second device, mint or re-activate keys, set a password); and bare keys must not create
 * a virtual MFA device under a name another person's profile expects. Decisions only: who decided is the matrix's
 * business (tests/accessMatrix.test.ts).
 */

const IAM = `arn:aws:iam::${ACCOUNT}`;
const ME = "k3s-admin";

const own = `${IAM}:user/${ME}`;
/** Everything a thief holding one stale MFA session would do to keep access after it ends, on the caller's own user. */
const LASTING: readonly (readonly [string, string])[] = [
    ["iam:CreateVirtualMFADevice", `${IAM}:mfa/${ME}-2`],
    ["iam:CreateVirtualMFADevice", `${IAM}:mfa/${ME}`],
    ["iam:EnableMFADevice", own],
    ["iam:ResyncMFADevice", own],
    ["iam:DeleteVirtualMFADevice", `${IAM}:mfa/${ME}`],
    ["iam:CreateAccessKey", own],
    ["iam:UpdateAccessKey", own],
    ["iam:CreateLoginProfile", own],
    ["iam:UpdateLoginProfile", own],
    ["iam:UploadSSHPublicKey", own],
    ["iam:CreateServiceSpecificCredential", own],
    ["iam:UploadSigningCertificate", own],
    ["iam:PutUserPolicy", own],
    ["iam:AttachUserPolicy", own],
    ["iam:CreateUser", `${IAM}:user/backdoor`],
];

describe("one leaked MFA session cannot become lasting access (issue #20, IAM evaluation)", () => {
    for (const options of [{}, { hardened: true }, { userMfaMaxAgeSeconds: 900 }] as MfaPolicyOptions[]) {
        const d = oneAdmin(options);
        const me = userCallers(d, d.users[0]!);
        const limit = options.userMfaMaxAgeSeconds ?? 3600;
        for (const age of [limit, 7200, 129000]) {
            it(`${JSON.stringify(options)}: a session ${age} s old can enrol no device and mint no credential`, async () => {
                const allowed: string[] = [];
                for (const [action, resource] of LASTING)
                    if ((await decide(me.mfaSession(age), action, resource)) === "ALLOW")
                        allowed.push(`${action} on ${resource}`);
                assert.deepEqual(allowed, []);
            });
        }

        it(`${JSON.stringify(options)}: the stale session may still look, and a fresh one may do everything`, async () => {
            for (const action of ["iam:ListMFADevices", "iam:ListAccessKeys"])
                assert.equal(await decide(me.mfaSession(limit), action, own), "ALLOW", action);
            for (const [action, resource] of LASTING)
                assert.equal(await decide(me.mfaSession(limit - 1), action, resource), "ALLOW", action);
        });
    }

    it("leaves the no-MFA bootstrap path as the style has it: scoped enrols with bare keys, hardened does not", async () => {
        const scoped = oneAdmin();
        const keys = userCallers(scoped, scoped.users[0]!).keys();
        for (const [action, resource] of [
            ["iam:CreateVirtualMFADevice", `${IAM}:mfa/${ME}`],
            ["iam:EnableMFADevice", own],
            ["iam:ResyncMFADevice", own],
            ["sts:GetSessionToken", "*"],
        ] as const)
            assert.equal(await decide(keys, action, resource), "ALLOW", action);
        const hard = oneAdmin({ hardened: true });
        const hardKeys = userCallers(hard, hard.users[0]!).keys();
        assert.equal(await decide(hardKeys, "iam:CreateVirtualMFADevice", `${IAM}:mfa/${ME}`), "DENY");
        assert.equal(await decide(hardKeys, "iam:EnableMFADevice", own), "DENY");
    });
});

describe("bare keys create a virtual MFA device only under the caller's own name (issue #20 §5)", () => {
    const d = oneAdmin();
    const me = userCallers(d, d.users[0]!);

    it("refuses another person's name, a longer name and a path, without MFA", async () => {
        for (const name of ["bob", `${ME}-2`, `ops/${ME}`, "K3S-ADMIN"])
            assert.equal(await decide(me.keys(), "iam:CreateVirtualMFADevice", `${IAM}:mfa/${name}`), "DENY", name);
        assert.equal(await decide(me.keys(), "iam:CreateVirtualMFADevice", `${IAM}:mfa/${ME}`), "ALLOW");
    });

    it("lets a fresh MFA session name a device freely (a second, backup device)", async () => {
        assert.equal(await decide(me.mfaSession(60), "iam:CreateVirtualMFADevice", `${IAM}:mfa/bob`), "ALLOW");
    });

    it("accepts the configured device name too, when it is not the user's", async () => {
        const named = oneAdmin({ deviceNames: ["pixel"] });
        const keys = userCallers(named, named.users[0]!).keys();
        for (const [name, decision] of [
            ["pixel", "ALLOW"],
            [ME, "ALLOW"],
            ["bob", "DENY"],
        ] as const)
            assert.equal(await decide(keys, "iam:CreateVirtualMFADevice", `${IAM}:mfa/${name}`), decision, name);
    });
});
