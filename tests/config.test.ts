import * as assert from "node:assert/strict";
import { ConfigError, parseConfig, projectConfig, RawConfig } from "../config";

/** Asserts that parsing fails with exactly this message, which names the key, the value and what is allowed. */
function rejects(raw: RawConfig, message: string): void {
    assert.throws(
        () => parseConfig(raw),
        (err: unknown) => err instanceof ConfigError && err.message === message,
        `expected: ${message}`,
    );
}

describe("config", () => {
    it("has the documented defaults", () => {
        assert.deepEqual(parseConfig({}), {
            userName: "k3s-admin",
            policyName: "k3s-admin-ui-cli-with-mfa",
            roleName: "k3s-admin-mfa",
            roleTrust: "user",
            mfaMaxAgeSeconds: 3600,
            createTestInstance: true,
            testInstanceType: "t3.micro",
            testInstanceSubnetId: undefined,
            hardened: false,
            verifyEnforcement: true,
            sourceProfile: "k3s-admin",
            mfaDeviceName: "k3s-admin",
            clusterId: "k3s",
            kubernetesGroups: ["system:masters"],
            aws: {},
        });
    });

    it("derives roleName from userName when unset", () => {
        assert.equal(parseConfig({ userName: "ops.admin" }).roleName, "ops.admin-mfa");
    });

    it("returns a frozen object", () => {
        assert.ok(Object.isFrozen(parseConfig({})));
    });

    it("reads every value when set", () => {
        const c = parseConfig({
            userName: "a+b=c,d.e@f_g-h",
            policyName: "p",
            roleName: "r",
            roleTrust: "account",
            mfaMaxAgeSeconds: "129600",
            createTestInstance: "false",
            testInstanceType: "c7i.metal-24xl",
            testInstanceSubnetId: "subnet-0123456789abcdef0",
            hardened: "true",
            verifyEnforcement: "false",
            sourceProfile: "work",
            mfaDeviceName: "pixel",
            clusterId: "prod.k3s",
            kubernetesGroups: '["k3s:admins", "system:masters"]',
        });
        assert.equal(c.sourceProfile, "work");
        assert.equal(c.mfaDeviceName, "pixel");
        assert.equal(c.clusterId, "prod.k3s");
        assert.deepEqual(c.kubernetesGroups, ["k3s:admins", "system:masters"]);
        assert.equal(c.hardened, true);
        assert.equal(c.verifyEnforcement, false);
        assert.equal(c.userName, "a+b=c,d.e@f_g-h");
        assert.equal(c.roleTrust, "account");
        assert.equal(c.mfaMaxAgeSeconds, 129600);
        assert.equal(c.createTestInstance, false);
        assert.equal(c.testInstanceType, "c7i.metal-24xl");
        assert.equal(c.testInstanceSubnetId, "subnet-0123456789abcdef0");
    });

    describe("rejects, naming the key, the value and what is allowed", () => {
        const iam = "letters, digits and + = , . @ _ -";
        it("userName with a character IAM forbids", () => {
            rejects({ userName: "k3s admin" }, `config \`userName\` must be 1 to 64 ${iam}, got "k3s admin"`);
        });
        it("userName longer than 64", () => {
            rejects(
                { userName: "a".repeat(65) },
                `config \`userName\` must be 1 to 64 ${iam}, got "${"a".repeat(65)}"`,
            );
        });
        it("an empty userName", () => {
            rejects({ userName: "" }, `config \`userName\` must be 1 to 64 ${iam}, got ""`);
        });
        it("policyName longer than 128", () => {
            rejects(
                { policyName: "p".repeat(129) },
                `config \`policyName\` must be 1 to 128 ${iam}, got "${"p".repeat(129)}"`,
            );
        });
        it("roleName with a slash", () => {
            rejects({ roleName: "k3s/admin" }, `config \`roleName\` must be 1 to 64 ${iam}, got "k3s/admin"`);
        });
        it("a derived roleName that would be too long", () => {
            const user = "u".repeat(61);
            rejects({ userName: user }, `config \`roleName\` must be 1 to 64 ${iam}, got "${user}-mfa"`);
        });
        it("roleTrust other than user or account", () => {
            rejects({ roleTrust: "root" }, `config \`roleTrust\` must be one of "user", "account", got "root"`);
        });
        it("mfaMaxAgeSeconds that is not a number", () => {
            rejects(
                { mfaMaxAgeSeconds: "soon" },
                `config \`mfaMaxAgeSeconds\` must be an integer from 1 to 129600, got "soon"`,
            );
        });
        it("mfaMaxAgeSeconds of 0", () => {
            rejects(
                { mfaMaxAgeSeconds: "0" },
                `config \`mfaMaxAgeSeconds\` must be an integer from 1 to 129600, got "0"`,
            );
        });
        it("mfaMaxAgeSeconds beyond GetSessionToken's 36 hours", () => {
            rejects(
                { mfaMaxAgeSeconds: "129601" },
                `config \`mfaMaxAgeSeconds\` must be an integer from 1 to 129600, got "129601"`,
            );
        });
        it("a fractional mfaMaxAgeSeconds", () => {
            rejects(
                { mfaMaxAgeSeconds: "3600.5" },
                `config \`mfaMaxAgeSeconds\` must be an integer from 1 to 129600, got "3600.5"`,
            );
        });
        it("createTestInstance other than true or false", () => {
            rejects({ createTestInstance: "yes" }, `config \`createTestInstance\` must be true or false, got "yes"`);
        });
        it("testInstanceType not in family.size form", () => {
            rejects(
                { testInstanceType: "micro" },
                `config \`testInstanceType\` must be an EC2 instance type of the form family.size, such as t3.micro, got "micro"`,
            );
        });
        it("testInstanceSubnetId that is not a subnet ID", () => {
            rejects(
                { testInstanceSubnetId: "vpc-0123456789abcdef0" },
                `config \`testInstanceSubnetId\` must be a subnet ID such as subnet-0123456789abcdef0, got "vpc-0123456789abcdef0"`,
            );
        });
        it("hardened other than true or false", () => {
            rejects({ hardened: "1" }, `config \`hardened\` must be true or false, got "1"`);
        });
        it("verifyEnforcement other than true or false", () => {
            rejects({ verifyEnforcement: "no" }, `config \`verifyEnforcement\` must be true or false, got "no"`);
        });
        it("sourceProfile with a space", () => {
            rejects(
                { sourceProfile: "my keys" },
                `config \`sourceProfile\` must be an AWS profile name: 1 to 64 letters, digits and _ . @ + -, got "my keys"`,
            );
        });
        it("mfaDeviceName with a slash", () => {
            rejects(
                { mfaDeviceName: "phone/1" },
                `config \`mfaDeviceName\` must be an MFA device name: 1 to 226 ${iam}, got "phone/1"`,
            );
        });
        it("clusterId starting with a dash", () => {
            rejects(
                { clusterId: "-k3s" },
                `config \`clusterId\` must be a cluster ID: up to 100 letters, digits and . _ -, starting with a letter or digit, got "-k3s"`,
            );
        });
        for (const groups of ["system:masters", "[]", '["ok", ""]', "[1]"]) {
            it(`kubernetesGroups ${groups}`, () => {
                rejects(
                    { kubernetesGroups: groups },
                    `config \`kubernetesGroups\` must be a JSON list of one or more Kubernetes group names, such as ["system:masters"], got ${JSON.stringify(groups)}`,
                );
            });
        }
        it("an unknown key, so a typo does not silently fall back to a default", () => {
            assert.throws(
                () => parseConfig({ mfaMaxAge: "60" }),
                /^ConfigError: config `mfaMaxAge` is not a setting of this project \(known: userName, .*kubernetesGroups\), got "60"$/,
            );
        });
    });

    it("never prints a value the stack stores as a secret", () => {
        assert.throws(
            () => parseConfig({ userName: "hunter 2" }, new Set(["userName"])),
            (err: unknown) =>
                err instanceof Error && err.message.endsWith("got [secret]") && !err.message.includes("hunter"),
        );
    });

    it("carries the AWS provider's region and profile for tools that must reach the same account", () => {
        assert.deepEqual(parseConfig({}, new Set(), { region: "eu-west-1", profile: "admin" }).aws, {
            region: "eu-west-1",
            profile: "admin",
        });
    });

    it("keeps only this project's keys, without their prefix", () => {
        assert.deepEqual(projectConfig({ "aws:region": "us-east-1", "k3s-admin-mfa:userName": "x" }), {
            userName: "x",
        });
    });
});
