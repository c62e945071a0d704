import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkEnvironment, ruleFor, SettingError } from "../components/enforcementCheck";
import { ASSUME_ROLES_ENV, STS_REGION_ENV } from "../cli/awsSession";

/** Each `aws:` setting as the Pulumi CLI hands it to the program: a string, JSON for lists and objects. */
const PASSED: [string, string, Record<string, string>][] = [
    ["region", "eu-west-1", { AWS_REGION: "eu-west-1" }],
    [
        "profile",
        "admin",
        { AWS_PROFILE: "admin", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_SESSION_TOKEN: "" },
    ],
    ["sharedCredentialsFiles", '["~/.aws/ci-credentials"]', { AWS_SHARED_CREDENTIALS_FILE: "~/.aws/ci-credentials" }],
    ["sharedConfigFiles", '["/etc/aws/config"]', { AWS_CONFIG_FILE: "/etc/aws/config" }],
    [
        "assumeRoles",
        '[{"roleArn":"arn:aws:iam::1:role/r"}]',
        { [ASSUME_ROLES_ENV]: '[{"roleArn":"arn:aws:iam::1:role/r"}]' },
    ],
    ["stsRegion", "us-west-2", { [STS_REGION_ENV]: "us-west-2" }],
    [
        "endpoints",
        '[{"iam":"http://localhost:4566","s3":"http://s3"}]',
        { AWS_ENDPOINT_URL_IAM: "http://localhost:4566" },
    ],
    ["customCaBundle", "/etc/ssl/corp.pem", { NODE_EXTRA_CA_CERTS: "/etc/ssl/corp.pem" }],
    [
        "ec2MetadataServiceEndpoint",
        "http://[fd00:ec2::254]",
        { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://[fd00:ec2::254]" },
    ],
    ["ec2MetadataServiceEndpointMode", "IPv6", { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" }],
    ["useFipsEndpoint", "true", { AWS_USE_FIPS_ENDPOINT: "true" }],
    ["useDualstackEndpoint", "true", { AWS_USE_DUALSTACK_ENDPOINT: "true" }],
    ["insecure", "false", {}],
    ["allowedAccountIds", '["123456789012"]', {}],
    ["defaultTags", '{"tags":{"a":"b"}}', {}],
    ["skipCredentialsValidation", "true", {}],
    // Keys the installed provider does not know (a typo, v6's singular assumeRole): the provider ignores them, so
    // they cannot move the check to another account; loadConfig warns about them instead.
    ["regon", "eu-west-1", {}],
    ["assumeRole", '{"roleArn":"arn:aws:iam::1:role/r"}', {}],
];

const REFUSED: [string, string, RegExp][] = [
    ["assumeRoleWithWebIdentity", '{"roleArn":"arn:aws:iam::1:role/r"}', /web identity/],
    ["httpProxy", "http://proxy:3128", /proxy/],
    ["httpsProxy", "http://proxy:3128", /proxy/],
    ["noProxy", "localhost", /proxy/],
    ["insecure", "true", /TLS/],
    ["sharedCredentialsFiles", '["/a","/b"]', /more than one file/],
    ["sharedConfigFiles", "/etc/aws/config", /not a JSON list/],
    ["assumeRoles", '[{"sessionName":"s"}]', /without a roleArn/],
];

describe("the stack's aws: settings, carried over to the enforcement check or refused", () => {
    for (const [key, raw, env] of PASSED) {
        it(`carries aws:${key} over as ${Object.keys(env).join(", ") || "nothing (no bearing on the account)"}`, () => {
            assert.deepEqual(checkEnvironment({ [key]: raw }), env);
        });
    }

    for (const [key, raw, why] of REFUSED) {
        it(`refuses aws:${key} = ${raw} in one line naming it and verifyEnforcement false`, () => {
            assert.throws(
                () => checkEnvironment({ [key]: raw }),
                (e: Error) =>
                    e instanceof SettingError &&
                    e.message.startsWith(`aws:${key} `) &&
                    why.test(e.message) &&
                    e.message.endsWith("`pulumi config set verifyEnforcement false`") &&
                    !e.message.includes("\n"),
            );
        });
    }

    it("refuses by key alone, before any value is known, when no value could pass", () => {
        assert.throws(() => ruleFor("httpsProxy"), /aws:httpsProxy/);
        assert.equal(ruleFor("userAgents"), "ignore");
        assert.doesNotThrow(() => ruleFor("sharedCredentialsFiles"));
    });

    it("lets the provider's static keys win over any profile, and never quotes a value in an error", () => {
        const env = checkEnvironment({ profile: "admin", accessKey: "AKID", secretKey: "wJalr", token: "tok" });
        assert.deepEqual(env, {
            AWS_PROFILE: "",
            AWS_ACCESS_KEY_ID: "AKID",
            AWS_SECRET_ACCESS_KEY: "wJalr",
            AWS_SESSION_TOKEN: "tok",
        });
        assert.equal(checkEnvironment({ accessKey: "AKID", secretKey: "wJalr" })["AWS_SESSION_TOKEN"], "");
        assert.throws(
            () => checkEnvironment({ secretKey: "wJalr-secret" }),
            (e: Error) => /^aws:accessKey and aws:secretKey/.test(e.message) && !e.message.includes("wJalr"),
        );
        assert.deepEqual(checkEnvironment({ region: undefined }), {});
    });

    it("has a decision for every setting of the installed @pulumi/aws provider", () => {
        const vars = fs.readFileSync(
            path.join(require.resolve("@pulumi/aws/package.json"), "..", "config", "vars.d.ts"),
            "utf8",
        );
        const keys = [...vars.matchAll(/^export declare const (\w+):/gm)].map((m) => m[1]!);
        assert.ok(keys.length > 30, `found ${keys.length} settings`);
        const unknown = keys.filter((k) => {
            try {
                ruleFor(k);
                return false;
            } catch (e) {
                return /does not know/.test((e as Error).message);
            }
        });
        assert.deepEqual(unknown, []);
    });
});
