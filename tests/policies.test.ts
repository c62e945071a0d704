import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    administratorAccessArn,
    MFA_BOOTSTRAP_ACTIONS,
    mfaDenyStatement,
    mfaEnforcementPolicy,
    mfaTrustPolicy,
    trustedPrincipalArn,
} from "../components/policies";

// The seed's list (seed 004), in the seed's order, typed out again on purpose: the test is the second witness.
const SEED_NOT_ACTION = [
    "sts:GetSessionToken",
    "iam:ResyncMFADevice",
    "iam:ListVirtualMFADevices",
    "iam:ListUsers",
    "iam:ListServiceSpecificCredentials",
    "iam:ListSSHPublicKeys",
    "iam:ListMFADevices",
    "iam:ListAccountAliases",
    "iam:ListAccessKeys",
    "iam:GetAccountSummary",
    "iam:EnableMFADevice",
    "iam:DeleteVirtualMFADevice",
    "iam:CreateVirtualMFADevice",
];

describe("MFA enforcement policy (the user's inline Deny)", () => {
    it("mfaPolicy seed: the seed's document byte for byte, as seed 004 prints it", () => {
        // The seed's JSON block, copied from shared/seeds/004 unchanged (only the Markdown fence removed).
        const seed = fs.readFileSync(path.join(__dirname, "fixtures", "seed-004-policy.json"), "utf8");
        assert.equal(`${JSON.stringify(mfaEnforcementPolicy({ style: "seed" }), null, 4)}\n`, seed);
    });

    it("scoped (the default) starts with the seed's statement, field for field", () => {
        const seed = mfaEnforcementPolicy({ style: "seed" }).Statement[0]!;
        assert.deepEqual(mfaEnforcementPolicy().Statement[0], { ...seed });
        assert.deepEqual(mfaEnforcementPolicy({ style: "scoped", partition: "aws-cn" }).Statement[0], { ...seed });
    });

    it("the seed's statement, field by field", () => {
        const doc = mfaEnforcementPolicy({ style: "seed" });
        assert.equal(doc.Version, "2012-10-17");
        assert.equal(doc.Statement.length, 1);
        const s = doc.Statement[0]!;
        assert.deepEqual(Object.keys(s).sort(), ["Condition", "Effect", "NotAction", "Resource", "Sid"]);
        assert.equal(s.Sid, "MustBeSignedInWithMFA");
        assert.equal(s.Effect, "Deny");
        assert.deepEqual(s.NotAction, SEED_NOT_ACTION);
        assert.equal(s.Resource, "*");
        assert.deepEqual(s.Condition, { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } });
    });

    it("uses BoolIfExists, never Bool, so requests signed by long-term keys (no MFA key at all) are denied", () => {
        const condition = mfaDenyStatement().Condition ?? {};
        assert.deepEqual(Object.keys(condition), ["BoolIfExists"]);
        assert.equal(condition.Bool, undefined);
    });

    it("denies with NotAction (everything but the bootstrap list), not Action", () => {
        const s = mfaDenyStatement();
        assert.equal(s.Action, undefined);
        assert.equal(s.NotAction?.length, 13);
    });

    it("hands out a fresh copy each time, so no caller can widen the shared exemption list", () => {
        mfaDenyStatement().NotAction!.push("ec2:RunInstances");
        assert.deepEqual(mfaDenyStatement().NotAction, SEED_NOT_ACTION);
        assert.ok(Object.isFrozen(MFA_BOOTSTRAP_ACTIONS));
    });
});

describe("hardened MFA enforcement policy", () => {
    it("no longer exempts creating, enabling or deleting an MFA device, and keeps the rest in the seed's order", () => {
        const s = mfaEnforcementPolicy({ hardened: true }).Statement[0]!;
        const removed = ["iam:DeleteVirtualMFADevice", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice"];
        assert.deepEqual(
            s.NotAction,
            SEED_NOT_ACTION.filter((a) => !removed.includes(a)),
        );
        assert.deepEqual(s.Condition, { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } });
        assert.equal(s.Sid, "MustBeSignedInWithMFA");
    });

    it("is the default when hardened is false", () => {
        assert.deepEqual(mfaEnforcementPolicy({ hardened: false }), mfaEnforcementPolicy());
    });

    it("cannot be asked of the seed style, which is the seed's statement exactly", () => {
        assert.throws(() => mfaEnforcementPolicy({ style: "seed", hardened: true }), /cannot be hardened/);
    });

    it("scoped: scopes only the exemptions it still has, and needs no separate device-deletion Deny", () => {
        const doc = mfaEnforcementPolicy({ hardened: true });
        assert.deepEqual(
            doc.Statement.map((s) => s.Sid),
            ["MustBeSignedInWithMFA", "OnlyOwnUserWithoutMFA", "MFASessionsExpire"],
        );
        assert.ok(!(doc.Statement[1]!.Action as string[]).includes("iam:EnableMFADevice"));
    });
});

describe("scoped MFA enforcement policy (the default): what it adds to the seed's statement", () => {
    const doc = mfaEnforcementPolicy({ partition: "aws-us-gov", userMfaMaxAgeSeconds: 7200 });
    const bySid = (sid: string) => doc.Statement.find((s) => s.Sid === sid)!;

    it("holds the seed's Deny and four more Deny statements, and nothing that allows", () => {
        assert.deepEqual(
            doc.Statement.map((s) => [s.Sid, s.Effect]),
            [
                ["MustBeSignedInWithMFA", "Deny"],
                ["OnlyOwnUserWithoutMFA", "Deny"],
                ["OnlyOwnDeviceNameWithoutMFA", "Deny"],
                ["NoMFADeviceDeletionWithoutMFA", "Deny"],
                ["MFASessionsExpire", "Deny"],
            ],
        );
    });

    it("denies the exemptions that take a user on any user but the caller's own, while MFA is absent", () => {
        assert.deepEqual(bySid("OnlyOwnUserWithoutMFA"), {
            Sid: "OnlyOwnUserWithoutMFA",
            Effect: "Deny",
            Action: [
                "iam:ResyncMFADevice",
                "iam:ListServiceSpecificCredentials",
                "iam:ListSSHPublicKeys",
                "iam:ListMFADevices",
                "iam:ListAccessKeys",
                "iam:EnableMFADevice",
            ],
            // Literally ${aws:username}: IAM's policy variable, resolved per request to the caller's user name.
            NotResource: "arn:aws-us-gov:iam::*:user/${aws:username}",
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        });
    });

    it("creates a virtual MFA device without MFA only under the caller's own name (issue #20 §5)", () => {
        assert.deepEqual(bySid("OnlyOwnDeviceNameWithoutMFA"), {
            Sid: "OnlyOwnDeviceNameWithoutMFA",
            Effect: "Deny",
            Action: "iam:CreateVirtualMFADevice",
            NotResource: "arn:aws-us-gov:iam::*:mfa/${aws:username}",
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        });
        const named = mfaEnforcementPolicy({ deviceNames: ["pixel"] }).Statement.find(
            (s) => s.Sid === "OnlyOwnDeviceNameWithoutMFA",
        );
        assert.deepEqual(named?.NotResource, ["arn:aws:iam::*:mfa/${aws:username}", "arn:aws:iam::*:mfa/pixel"]);
        // A wildcard or a policy variable in a name would widen what bare keys may create.
        for (const bad of ["*", "a?", "${aws:userid}", "ops/pixel", ""])
            assert.throws(() => mfaEnforcementPolicy({ deviceNames: [bad] }), /not an MFA device name/, bad);
    });

    it("deletes no MFA device without MFA (AWS's current sample no longer exempts it)", () => {
        assert.deepEqual(bySid("NoMFADeviceDeletionWithoutMFA"), {
            Sid: "NoMFADeviceDeletionWithoutMFA",
            Effect: "Deny",
            Action: "iam:DeleteVirtualMFADevice",
            Resource: "*",
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        });
    });

    it("ends an MFA session's powers at the configured age, keeping only the bootstrap actions that change nothing", () => {
        // Issue #20: the device writes (create, enable, resync, delete) outlive the session, so they go too.
        const writes = [
            "iam:ResyncMFADevice",
            "iam:EnableMFADevice",
            "iam:DeleteVirtualMFADevice",
            "iam:CreateVirtualMFADevice",
        ];
        assert.deepEqual(bySid("MFASessionsExpire"), {
            Sid: "MFASessionsExpire",
            Effect: "Deny",
            NotAction: SEED_NOT_ACTION.filter((a) => !writes.includes(a)),
            Resource: "*",
            Condition: { NumericGreaterThanEquals: { "aws:MultiFactorAuthAge": "7200" } },
        });
        assert.equal(
            mfaEnforcementPolicy().Statement.at(-1)!.Condition!.NumericGreaterThanEquals!["aws:MultiFactorAuthAge"],
            "3600",
        );
    });
});

describe("MFA trust policy (the role)", () => {
    const userArn = "arn:aws:iam::123456789012:user/k3s-admin";

    it("is ONE Allow of sts:AssumeRole, with no Deny or second Allow to bypass MFA", () => {
        const doc = mfaTrustPolicy({ principalArn: userArn, mfaMaxAgeSeconds: 3600 });
        assert.equal(doc.Version, "2012-10-17");
        assert.equal(doc.Statement.length, 1);
        const s = doc.Statement[0]!;
        assert.equal(s.Effect, "Allow");
        assert.equal(s.Action, "sts:AssumeRole");
        assert.deepEqual(s.Principal, { AWS: userArn });
    });

    it("requires MFA present (Bool true), an MFA age below the limit and the caller's own session name, in one statement", () => {
        const s = mfaTrustPolicy({ principalArn: userArn, mfaMaxAgeSeconds: 900 }).Statement[0]!;
        assert.deepEqual(s.Condition, {
            Bool: { "aws:MultiFactorAuthPresent": "true" },
            NumericLessThan: { "aws:MultiFactorAuthAge": "900" },
            // Literally ${aws:username}: IAM resolves it per request to the calling user's name.
            StringEquals: { "sts:RoleSessionName": "${aws:username}" },
        });
    });

    it("names several admins in the same one statement, and one admin as a plain string, as before", () => {
        const bob = "arn:aws:iam::123456789012:user/bob";
        const team = mfaTrustPolicy({ principalArn: [userArn, bob], mfaMaxAgeSeconds: 3600 });
        assert.equal(team.Statement.length, 1);
        assert.deepEqual(team.Statement[0]!.Principal, { AWS: [userArn, bob] });
        assert.deepEqual(mfaTrustPolicy({ principalArn: [userArn], mfaMaxAgeSeconds: 3600 }).Statement[0]!.Principal, {
            AWS: userArn,
        });
    });

    it("trusts only the admin user for roleTrust=user", () => {
        assert.equal(trustedPrincipalArn(userArn, "user"), userArn);
    });

    it("trusts the user's account root for roleTrust=account, in the user's partition", () => {
        assert.equal(trustedPrincipalArn(userArn, "account"), "arn:aws:iam::123456789012:root");
        assert.equal(
            trustedPrincipalArn("arn:aws-us-gov:iam::210987654321:user/ops/k3s-admin", "account"),
            "arn:aws-us-gov:iam::210987654321:root",
        );
    });

    it("refuses to derive an account root from something that is not a user ARN", () => {
        assert.throws(() => trustedPrincipalArn("arn:aws:iam::123456789012:role/x", "account"), /not an IAM user ARN/);
    });
});

describe("AdministratorAccess ARN", () => {
    it("follows the partition", () => {
        assert.equal(administratorAccessArn("aws"), "arn:aws:iam::aws:policy/AdministratorAccess");
        assert.equal(administratorAccessArn("aws-cn"), "arn:aws-cn:iam::aws:policy/AdministratorAccess");
    });
});
