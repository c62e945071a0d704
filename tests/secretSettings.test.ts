import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseConfig } from "../config";
import { runProgram, secretSetting } from "./mocks";

/**
 * Issue 19, item 8: a setting stored with `pulumi config set --secret` stays a secret all the way, into every
 * resource input and output that carries it, or the program refuses it. runProgram hands the SDK the secret keys as
 * the Automation API does (tests/mocks.ts, SecretSetting), and config.ts asks the SDK which keys are secret.
 */

const isEnvelope = (v: unknown): boolean =>
    typeof v === "object" &&
    v !== null &&
    (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;

/** Where `needle` appears in clear in a serialized value: every path outside a secret envelope. */
function inClear(value: unknown, needle: string, at = "$"): string[] {
    if (typeof value === "string") return value.includes(needle) ? [at] : [];
    if (isEnvelope(value) || typeof value !== "object" || value === null) return [];
    return Object.entries(value).flatMap(([k, v]) => inClear(v, needle, `${at}.${k}`));
}

const EMAIL = "ops-pager@example.com";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";

describe("secret settings stay secret (issue 19, item 8)", () => {
    it("carries a secret tamperAlarmEmail into the subscription's endpoint as a secret", async () => {
        const run = await runProgram({ tamperAlarm: "true", tamperAlarmEmail: secretSetting(EMAIL) });
        const sub = run.registrations.find((r) => r.type === "aws:sns/topicSubscription:TopicSubscription");
        assert.ok(sub, "the subscription is declared");
        assert.ok(isEnvelope(sub.object["endpoint"]), "endpoint is sent to the engine as a secret");
        assert.deepEqual(
            run.registrations.flatMap((r) => inClear(r.object, EMAIL, r.name)),
            [],
        );
    });

    it("leaves a tamperAlarmEmail set in clear as it is", async () => {
        const run = await runProgram({ tamperAlarm: "true", tamperAlarmEmail: EMAIL });
        const sub = run.registrations.find((r) => r.type === "aws:sns/topicSubscription:TopicSubscription");
        assert.equal(sub?.object["endpoint"], EMAIL);
    });

    it("carries secret aws: provider settings into the enforcement check only as secrets", async () => {
        const run = await runProgram({
            "aws:region": "eu-west-1",
            "aws:accessKey": secretSetting(ACCESS_KEY),
            "aws:secretKey": secretSetting(SECRET_KEY),
        });
        const check = run.registrations.find((r) => r.type === "command:local:Command");
        assert.ok(check, "the enforcement check is declared");
        assert.ok(isEnvelope(check.object["environment"]), "its environment is sent to the engine as a secret");
        for (const needle of [ACCESS_KEY, SECRET_KEY])
            assert.deepEqual(
                run.registrations.flatMap((r) => inClear(r.object, needle, r.name)),
                [],
            );
    });

    it("refuses, before any resource, a secret setting that Pulumi would store in clear", async () => {
        const message =
            "config `userName` is stored as a secret, but it names resources or shapes policies and outputs that " +
            "Pulumi stores in plain text, so it cannot stay secret: set it again without --secret " +
            "(only `tamperAlarmEmail` and `aws:` settings can be secrets)";
        assert.throws(
            () => parseConfig({ userName: "alice" }, new Set(["userName"])),
            (err: unknown) => err instanceof ConfigError && err.message === message,
        );
        const docs = fs.readFileSync(path.join(__dirname, "..", "docs", "secret-settings.md"), "utf8");
        assert.ok(docs.includes(`\n${message}\n`), "docs/secret-settings.md quotes the message as it is");
        // Through the SDK's own secret keys, as `pulumi up` runs the program.
        await assert.rejects(runProgram({ userName: secretSetting("alice") }), (err: Error) => err.message === message);
        await assert.rejects(
            runProgram({ "aws:region": secretSetting("eu-west-1") }),
            /^Error: config `aws:region` is stored as a secret, but the region is part of resource ARNs and of the outputs/,
        );
        await assert.rejects(
            runProgram({ mfaMaxAgeSeconds: secretSetting(900) }),
            /config `mfaMaxAgeSeconds` is stored as a secret/,
        );
    });
});
