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

describe("config: several admins (adminUserNames)", () => {
    it("is userName alone when empty, as the CLI passes the declared default", () => {
        assert.deepEqual(parseConfig({ adminUserNames: "[]" }).admins, parseConfig({}).admins);
    });

    it("puts userName first, each person with their own profile and device name", () => {
        const c = parseConfig({ userName: "bob", adminUserNames: '["alice", "bob", "carol"]' });
        assert.equal(c.userName, "bob");
        assert.equal(c.roleName, "bob-mfa");
        assert.deepEqual(c.admins, [
            { userName: "bob", sourceProfile: "bob", mfaDeviceName: "bob" },
            { userName: "alice", sourceProfile: "alice", mfaDeviceName: "alice" },
            { userName: "carol", sourceProfile: "carol", mfaDeviceName: "carol" },
        ]);
    });

    it("gives everyone an explicit sourceProfile: the profile's name on each person's own machine", () => {
        const c = parseConfig({ userName: "alice", adminUserNames: '["alice", "bob"]', sourceProfile: "k3s" });
        assert.deepEqual(
            c.admins.map((a) => a.sourceProfile),
            ["k3s", "k3s"],
        );
    });

    it("fails early, with the number, when the trust policy would outgrow IAM's quota", () => {
        const names = Array.from({ length: 40 }, (_, i) => `administrator-${String(i).padStart(2, "0")}`);
        const raw = { userName: names[0]!, adminUserNames: JSON.stringify(names) };
        assert.throws(
            () => parseConfig(raw),
            /^ConfigError: config `adminUserNames` makes the role's trust policy \d{4} characters for 40 users, over IAM's quota of 2048 \(raise "Role trust policy length" in Service Quotas, or use roleTrust account\), got/,
        );
        // The account root is one principal, whatever the team's size.
        assert.equal(parseConfig({ ...raw, roleTrust: "account" }).admins.length, 40);
        assert.equal(parseConfig({ ...raw, adminUserNames: JSON.stringify(names.slice(0, 20)) }).admins.length, 20);
    });
});

describe("config: the tamper alarm", () => {
    it("fails before any resource when its event pattern would outgrow EventBridge's limit, naming the list", () => {
        const names = Array.from({ length: 60 }, (_, i) => `administrator-${String(i).padStart(2, "0")}`);
        const raw = { userName: names[0]!, adminUserNames: JSON.stringify(names), roleTrust: "account" };
        assert.equal(parseConfig(raw).admins.length, 60);
        assert.throws(
            () => parseConfig({ ...raw, tamperAlarm: "true" }),
            /^ConfigError: config `tamperAlarm`: the tamper alarm's event pattern for 60 admin users is \d+ characters, over EventBridge's event pattern size limit of 2048: list fewer or shorter names in config `adminUserNames`/,
        );
    });
});

describe("config", () => {
    it("has the documented defaults", () => {
        assert.deepEqual(parseConfig({}), {
            userName: "k3s-admin",
            admins: [{ userName: "k3s-admin", sourceProfile: "k3s-admin", mfaDeviceName: "k3s-admin" }],
            adminUserNames: [],
            policyName: "k3s-admin-ui-cli-with-mfa",
            roleName: "k3s-admin-mfa",
            roleTrust: "user",
            mfaMaxAgeSeconds: 3600,
            createTestInstance: true,
            testInstanceType: "t3.micro",
            testInstanceSubnetId: undefined,
            testInstanceFollowLatestAmi: false,
            testInstanceProfile: undefined,
            hardened: false,
            mfaPolicy: "scoped",
            userMfaMaxAgeSeconds: 3600,
            verifyEnforcement: true,
            maxMfaDevices: 1,
            tamperAlarm: false,
            tamperAlarmEmail: undefined,
            sourceProfile: "k3s-admin",
            mfaDeviceName: "k3s-admin",
            clusterId: "k3s",
            kubernetesGroups: ["k3s-admins"],
            kubeconfigCluster: "default",
            aws: {},
            awsSecretKeys: [],
            previousUserNames: {},
            allowUserDeletion: false,
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
            mfaMaxAgeSeconds: "3600",
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
        assert.equal(c.mfaMaxAgeSeconds, 3600);
        assert.equal(c.createTestInstance, false);
        assert.equal(c.testInstanceType, "c7i.metal-24xl");
        assert.equal(c.testInstanceSubnetId, "subnet-0123456789abcdef0");
    });

    describe("rejects, naming the key, the value and what is allowed", () => {
        const iam = "letters, digits and + = , . @ _ -";
        const age = "must be an integer from 1 to 3600";
        const long = (c: string, n: number) => c.repeat(n);
        // [behaviour, raw config, the whole expected message after "config `key` "]
        const cases: [string, RawConfig, string][] = [
            [
                "userName with a character IAM forbids",
                { userName: "k3s admin" },
                `\`userName\` must be 2 to 64 ${iam} (the role's session is named after the user, and STS needs at least 2 characters), got "k3s admin"`,
            ],
            [
                "userName longer than 64",
                { userName: long("a", 65) },
                `\`userName\` must be 2 to 64 ${iam} (the role's session is named after the user, and STS needs at least 2 characters), got "${long("a", 65)}"`,
            ],
            [
                "an empty userName",
                { userName: "" },
                `\`userName\` must be 2 to 64 ${iam} (the role's session is named after the user, and STS needs at least 2 characters), got ""`,
            ],
            [
                "policyName longer than 128",
                { policyName: long("p", 129) },
                `\`policyName\` must be 1 to 128 ${iam}, got "${long("p", 129)}"`,
            ],
            [
                "roleName with a slash",
                { roleName: "k3s/admin" },
                `\`roleName\` must be 1 to 64 ${iam}, got "k3s/admin"`,
            ],
            [
                "a derived roleName that would be too long",
                { userName: long("u", 61) },
                `\`roleName\` must be 1 to 64 ${iam}, got "${long("u", 61)}-mfa"`,
            ],
            [
                "roleTrust other than user or account",
                { roleTrust: "root" },
                `\`roleTrust\` must be one of "user", "account", got "root"`,
            ],
            [
                "mfaMaxAgeSeconds that is not a number",
                { mfaMaxAgeSeconds: "soon" },
                `\`mfaMaxAgeSeconds\` ${age}, got "soon"`,
            ],
            ["mfaMaxAgeSeconds of 0", { mfaMaxAgeSeconds: "0" }, `\`mfaMaxAgeSeconds\` ${age}, got "0"`],
            [
                "mfaMaxAgeSeconds beyond GetSessionToken's 36 hours",
                { mfaMaxAgeSeconds: "129601" },
                `\`mfaMaxAgeSeconds\` ${age}, got "129601"`,
            ],
            [
                // An older MFA sign-in is the one old session an attacker may hold; the pack refuses such a trust.
                "mfaMaxAgeSeconds beyond the role's hour",
                { mfaMaxAgeSeconds: "3601" },
                `\`mfaMaxAgeSeconds\` ${age}, got "3601"`,
            ],
            [
                "a fractional mfaMaxAgeSeconds",
                { mfaMaxAgeSeconds: "3600.5" },
                `\`mfaMaxAgeSeconds\` ${age}, got "3600.5"`,
            ],
            [
                "createTestInstance other than true or false",
                { createTestInstance: "yes" },
                `\`createTestInstance\` must be true or false, got "yes"`,
            ],
            [
                "testInstanceType not in family.size form",
                { testInstanceType: "micro" },
                `\`testInstanceType\` must be an EC2 instance type of the form family.size, such as t3.micro, got "micro"`,
            ],
            [
                "testInstanceSubnetId that is not a subnet ID",
                { testInstanceSubnetId: "vpc-0123456789abcdef0" },
                `\`testInstanceSubnetId\` must be a subnet ID such as subnet-0123456789abcdef0, got "vpc-0123456789abcdef0"`,
            ],
            ["hardened other than true or false", { hardened: "1" }, `\`hardened\` must be true or false, got "1"`],
            [
                "mfaPolicy not scoped or seed",
                { mfaPolicy: "strict" },
                '`mfaPolicy` must be one of "scoped", "seed", got "strict"',
            ],
            [
                "userMfaMaxAgeSeconds below GetSessionToken's shortest session",
                { userMfaMaxAgeSeconds: "600" },
                '`userMfaMaxAgeSeconds` must be an integer from 900 to 129600, got "600"',
            ],
            [
                "hardened together with the seed's exact document",
                { mfaPolicy: "seed", hardened: "true" },
                "`hardened` true changes the seed's statement, but `mfaPolicy` is \"seed\" (the seed's document exactly): set one of them back",
            ],
            [
                "a session age limit the seed's document cannot express",
                { mfaPolicy: "seed", userMfaMaxAgeSeconds: "7200" },
                '`userMfaMaxAgeSeconds` has no effect with `mfaPolicy` "seed" (the seed\'s document has no age limit): unset it, or use mfaPolicy "scoped", got "7200"',
            ],
            [
                // IAM lets a user hold up to 8 MFA devices; 0 would fail every admin who enrolled one.
                "maxMfaDevices beyond IAM's 8 devices",
                { maxMfaDevices: "9" },
                `\`maxMfaDevices\` must be an integer from 1 to 8, got "9"`,
            ],
            ["maxMfaDevices of 0", { maxMfaDevices: "0" }, `\`maxMfaDevices\` must be an integer from 1 to 8, got "0"`],
            [
                "verifyEnforcement other than true or false",
                { verifyEnforcement: "no" },
                `\`verifyEnforcement\` must be true or false, got "no"`,
            ],
            [
                "sourceProfile with a space",
                { sourceProfile: "my keys" },
                `\`sourceProfile\` must be an AWS profile name: 1 to 64 letters, digits and _ . @ + -, got "my keys"`,
            ],
            [
                "mfaDeviceName with a slash",
                { mfaDeviceName: "phone/1" },
                `\`mfaDeviceName\` must be an MFA device name: 1 to 226 ${iam}, got "phone/1"`,
            ],
            [
                "clusterId starting with a dash",
                { clusterId: "-k3s" },
                `\`clusterId\` must be a cluster ID: up to 100 letters, digits and . _ -, starting with a letter or digit, got "-k3s"`,
            ],
            ...["system:masters", "[]", '["ok", ""]', "[1]"].map((groups): [string, RawConfig, string] => [
                `kubernetesGroups ${groups}`,
                { kubernetesGroups: groups },
                `\`kubernetesGroups\` must be a list of one or more Kubernetes group names, set with \`pulumi config set --path "kubernetesGroups[0]" k3s:admins\`, got ${JSON.stringify(groups)}`,
            ]),
        ];
        for (const [behaviour, raw, message] of cases) {
            it(behaviour, () => rejects(raw, `config ${message}`));
        }
        it("an unknown key, so a typo does not silently fall back to a default", () => {
            assert.throws(
                () => parseConfig({ mfaMaxAge: "60" }),
                /^ConfigError: config `mfaMaxAge` is not a setting of this project \(known: userName, .*kubeconfigCluster\), got "60"$/,
            );
        });
    });

    it("never prints a value the stack stores as a secret", () => {
        assert.throws(
            () => parseConfig({ tamperAlarm: "true", tamperAlarmEmail: "hunter 2" }, new Set(["tamperAlarmEmail"])),
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
