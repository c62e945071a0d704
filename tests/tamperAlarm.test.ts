import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Provider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import { TamperAlarm, type TamperAlarmArgs } from "../components/tamperAlarm";
import { ROLE_EVENTS, SELF_EVENTS, tamperEventPattern, USER_EVENTS } from "../components/tamperPattern";
import { fakeAccount } from "./fakeAccount";
import { MockAws, parseUrn, promiseOf, registrationOf, useMocks } from "./mocks";

/**
 * EventBridge's matching, for the operators our pattern uses: no maintained offline matcher exists on npm (the
 * serverless-offline plugin's is internal to a server), so this follows the documented semantics ("Creating event
 * patterns", "Content filtering", "Comparison operators" in the EventBridge user guide; aws/event-ruler is the
 * engine behind them): every field named must match (AND); a list matches if any entry does (OR); an event array
 * matches if any element does; `$or` takes any of its patterns; a missing field matches only `{"exists": false}`;
 * `equals-ignore-case` compares strings without regard to case ("Equals (ignore case)" in "Comparison operators for
 * use in event patterns"; event-ruler folds case the same way for ASCII, all IAM names allow).
 */
export function matches(pattern: unknown, event: unknown): boolean {
    if (Array.isArray(pattern)) return leafMatches(pattern, event);
    const fields = Object.entries(pattern as Record<string, unknown>);
    const obj = event !== null && typeof event === "object" && !Array.isArray(event) ? event : {};
    return fields.every(([key, sub]) =>
        key === "$or"
            ? (sub as unknown[]).some((alt) => matches(alt, event))
            : matches(sub, (obj as Record<string, unknown>)[key]),
    );
}

function leafMatches(options: unknown[], value: unknown): boolean {
    const values = Array.isArray(value) ? value : [value];
    return options.some((opt) => values.some((v) => optionMatches(opt, v, value === undefined)));
}

function optionMatches(opt: unknown, v: unknown, missing: boolean): boolean {
    if (opt === null || typeof opt !== "object") return !missing && v === opt;
    const [[op, arg], ...rest] = Object.entries(opt as Record<string, unknown>);
    if (rest.length > 0) throw new Error(`one operator per entry: ${JSON.stringify(opt)}`);
    const isLeaf = !missing && (v === null || typeof v !== "object");
    switch (op) {
        case "exists":
            return arg === isLeaf;
        case "prefix":
            return typeof v === "string" && v.startsWith(String(arg));
        case "suffix":
            return typeof v === "string" && v.endsWith(String(arg));
        case "equals-ignore-case":
            return typeof v === "string" && typeof arg === "string" && v.toLowerCase() === arg.toLowerCase();
        case "anything-but":
            return isLeaf && !(Array.isArray(arg) ? arg : [arg]).includes(v);
        default:
            throw new Error(`operator ${op} is not implemented by this matcher`);
    }
}

const FIXTURES = path.join(__dirname, "fixtures", "cloudtrail");
type Event = { source: string; detail: Record<string, unknown> & { requestParameters: unknown } };
const fixture = (name: string): Event => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as Event;
/** The fixture with one change to its detail, as the policy-pack tests change one field of a happy path. */
const changed = (name: string, detail: Record<string, unknown>): Event => {
    const e = fixture(name);
    return { ...e, detail: { ...e.detail, ...detail } };
};

const USERS = ["k3s-admin", "alice"];
const ROLE = "k3s-admin-mfa";
const PATTERN = tamperEventPattern(USERS, ROLE);

describe("the EventBridge matcher the alarm's tests rely on", () => {
    // Examples from the EventBridge user guide's pages on event patterns and content filtering.
    it("follows the documented semantics for values, lists, arrays, prefix, suffix, anything-but and exists", () => {
        assert.ok(matches({ source: ["aws.ec2"] }, { source: "aws.ec2" }));
        assert.ok(!matches({ source: ["aws.ec2"] }, { source: "aws.ec2x" }));
        assert.ok(matches({ detail: { state: ["running", "stopped"] } }, { detail: { state: "stopped" } }));
        assert.ok(matches({ resources: ["arn:a"] }, { resources: ["arn:b", "arn:a"] }));
        assert.ok(matches({ time: [{ prefix: "2017-10-02" }] }, { time: "2017-10-02T18:43:48Z" }));
        assert.ok(matches({ f: [{ suffix: ".png" }] }, { f: "a.png" }));
        assert.ok(!matches({ s: [{ "anything-but": "initializing" }] }, { s: "initializing" }));
        assert.ok(!matches({ s: [{ "anything-but": "initializing" }] }, {}));
        assert.ok(matches({ d: { c: [{ exists: false }] } }, { d: {} }));
        assert.ok(matches({ d: { c: [{ exists: false }] } }, { d: null }));
        assert.ok(!matches({ d: { c: [{ exists: false }] } }, { d: { c: "x" } }));
        assert.ok(!matches({ d: { c: ["x"] } }, { d: null }));
        assert.ok(matches({ $or: [{ a: ["1"] }, { b: ["2"] }], z: ["3"] }, { b: "2", z: "3" }));
        assert.ok(!matches({ $or: [{ a: ["1"] }, { b: ["2"] }], z: ["3"] }, { b: "2", z: "4" }));
        assert.ok(matches({ name: [{ "equals-ignore-case": "alice" }] }, { name: "ALICE" }));
        assert.ok(matches({ name: [{ "equals-ignore-case": "alice" }] }, { name: "Alice" }));
        assert.ok(!matches({ name: [{ "equals-ignore-case": "alice" }] }, { name: "alicex" }));
        assert.ok(!matches({ name: [{ "equals-ignore-case": "alice" }] }, {}));
        assert.ok(!matches({ name: [{ "equals-ignore-case": "1" }] }, { name: 1 }));
        assert.throws(() => matches({ a: [{ wildcard: "*" }] }, { a: "x" }), /not implemented/);
    });
});

describe("the tamper alarm's event pattern", () => {
    const weakening = [
        ...["put-user-policy", "delete-user-policy", "attach-user-policy", "detach-user-policy"],
        ...["deactivate-mfa-device", "deactivate-mfa-device-self", "delete-virtual-mfa-device"],
        ...["create-access-key", "create-access-key-self", "create-login-profile", "update-login-profile"],
        ...["update-assume-role-policy", "delete-role", "attach-role-policy", "put-role-policy"],
        // Issue #20: what a thief does after a leak.
        ...["enable-mfa-device", "resync-mfa-device", "create-virtual-mfa-device-self"],
        ...["update-access-key", "update-access-key-self", "update-user", "add-user-to-group"],
        ...["put-user-permissions-boundary", "delete-user-permissions-boundary"],
        ...["upload-ssh-public-key", "create-service-specific-credential", "upload-signing-certificate-self"],
        ...["change-password-self"],
        ...["update-role", "update-role-description", "put-role-permissions-boundary"],
        ...["delete-role-permissions-boundary", "tag-role"],
    ];
    for (const name of weakening) {
        it(`fires on ${name} for our user or role`, () => assert.ok(matches(PATTERN, fixture(name))));
    }

    it("has a fixture for every event name it watches", () => {
        const covered = new Set(weakening.map((n) => fixture(n).detail["eventName"]));
        for (const e of [...USER_EVENTS, ...SELF_EVENTS, ...ROLE_EVENTS]) assert.ok(covered.has(e), e);
    });

    it("fires for every admin in the list, not only the first", () => {
        const rp = { userName: "alice", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" };
        assert.ok(matches(PATTERN, changed("attach-user-policy", { requestParameters: rp })));
    });

    it("fires whatever casing the caller typed the name in: IAM does not distinguish names by case", () => {
        for (const [name, field, value] of [
            ["put-user-policy", "userName", "K3S-ADMIN"],
            ["enable-mfa-device", "userName", "K3s-Admin"],
            ["update-user", "userName", "ALICE"],
            ["update-assume-role-policy", "roleName", "K3S-ADMIN-MFA"],
            ["update-role", "roleName", "k3s-Admin-MFA"],
        ] as const) {
            const rp = { ...(fixture(name).detail.requestParameters as object), [field]: value };
            assert.ok(matches(PATTERN, changed(name, { requestParameters: rp })), `${name} ${value}`);
        }
    });

    it("stays quiet for a name that only starts or ends like ours", () => {
        for (const [name, field, value] of [
            ["enable-mfa-device", "userName", "k3s-admin2"],
            ["update-user", "userName", "k3s-admi"],
            ["put-user-permissions-boundary", "userName", "x-alice"],
            ["update-role", "roleName", "k3s-admin-mfa-old"],
        ] as const) {
            const rp = { ...(fixture(name).detail.requestParameters as object), [field]: value };
            assert.ok(!matches(PATTERN, changed(name, { requestParameters: rp })), `${name} ${value}`);
        }
    });

    it("stays quiet for another user's credentials and policies", () => {
        for (const name of [
            "put-user-policy",
            "attach-user-policy",
            "create-access-key",
            "deactivate-mfa-device",
            "enable-mfa-device",
            "resync-mfa-device",
            "update-access-key",
            "update-user",
            "add-user-to-group",
            "put-user-permissions-boundary",
            "delete-user-permissions-boundary",
            "upload-ssh-public-key",
            "create-service-specific-credential",
        ]) {
            const rp = { ...(fixture(name).detail.requestParameters as object), userName: "intern" };
            assert.ok(!matches(PATTERN, changed(name, { requestParameters: rp })), name);
        }
    });

    it("stays quiet when another user changes their own credentials", () => {
        const other = { ...(fixture("create-access-key-self").detail["userIdentity"] as object), userName: "intern" };
        for (const name of [
            "create-access-key-self",
            "deactivate-mfa-device-self",
            "delete-virtual-mfa-device",
            "create-virtual-mfa-device-self",
            "update-access-key-self",
            "upload-signing-certificate-self",
            "change-password-self",
        ]) {
            assert.ok(!matches(PATTERN, changed(name, { userIdentity: other })), name);
        }
    });

    it("stays quiet for another role", () => {
        for (const name of [
            "update-assume-role-policy",
            "delete-role",
            "attach-role-policy",
            "put-role-policy",
            "update-role",
            "update-role-description",
            "put-role-permissions-boundary",
            "delete-role-permissions-boundary",
            "tag-role",
        ]) {
            const rp = { ...(fixture(name).detail.requestParameters as object), roleName: "ci-deployer" };
            assert.ok(!matches(PATTERN, changed(name, { requestParameters: rp })), name);
        }
    });

    it("stays quiet for read-only calls on our user (GetUserPolicy, ListAccessKeys)", () => {
        assert.ok(!matches(PATTERN, fixture("get-user-policy")));
        assert.ok(!matches(PATTERN, fixture("list-access-keys")));
    });

    it("stays quiet for our user's calls to another service (STS GetSessionToken)", () => {
        assert.ok(!matches(PATTERN, fixture("sts-get-session-token")));
    });

    it("stays quiet for a user call that names a role, or a role call that names a user", () => {
        assert.ok(!matches(PATTERN, changed("delete-role", { requestParameters: { roleName: "k3s-admin" } })));
        assert.ok(!matches(PATTERN, changed("put-user-policy", { requestParameters: { userName: ROLE } })));
    });

    // Issue #20's events and the case-blind names cost capacity: 50 admins fitted before, 17 do now.
    it("fits EventBridge's 2048-character limit for a team of 17 admins with names of up to 10 characters", () => {
        const team = (n: number) => Array.from({ length: n }, (_, i) => `k3s-adm-${String(i).padStart(2, "0")}`);
        assert.ok(JSON.stringify(tamperEventPattern(team(17), ROLE)).length <= 2048);
        assert.throws(() => tamperEventPattern(team(19), ROLE), /over EventBridge's event pattern size limit/);
    });

    it("fails at preview, naming the setting, when the names outgrow the limit", () => {
        const team = Array.from({ length: 50 }, (_, i) => `firstname.lastname${i}`);
        assert.throws(
            () => tamperEventPattern(team, ROLE, { userNamesSetting: "adminUserNames" }),
            /event pattern for 50 admin users is \d+ characters, over EventBridge's event pattern size limit of 2048: list fewer or shorter names in config `adminUserNames`/,
        );
    });

    it("refuses an empty, blank or duplicated name", () => {
        assert.throws(() => tamperEventPattern([], ROLE), /at least one user name/);
        assert.throws(() => tamperEventPattern(["a", "a"], ROLE), /user name "a" twice/);
        assert.throws(() => tamperEventPattern(["alice", "Alice"], ROLE), /user name "Alice" twice/);
        assert.throws(() => tamperEventPattern(["a"], " "), /role name " ": blank/);
    });
});

/** The shared mocks (registrations recorded), plus the ARNs AWS gives the alarm's resources, in their own region. */
function alarmMocks(region = "eu-west-1"): MockAws {
    const mocks = useMocks(fakeAccount({ region }));
    const base = mocks.newResource.bind(mocks);
    mocks.newResource = (args) => {
        const result = base(args);
        const i = args.inputs as Record<string, string>;
        const at = (service: string, rest: string) => `arn:aws:${service}:${i["region"]}:123456789012:${rest}`;
        if (args.type === "aws:cloudwatch/eventRule:EventRule") {
            result.state["name"] = `${args.name}-abc123`;
            result.state["arn"] = at("events", `rule/${args.name}-abc123`);
        }
        if (args.type === "aws:sns/topic:Topic") result.state["arn"] = at("sns", i["name"]!);
        if (args.type === "aws:kms/key:Key")
            result.state["arn"] = at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab");
        return result;
    };
    return mocks;
}

async function alarm(extra: Partial<TamperAlarmArgs> = {}, opts: pulumi.ComponentResourceOptions = {}) {
    const mocks = alarmMocks();
    const a = new TamperAlarm("k3s-admin", { userNames: USERS, roleName: ROLE, ...extra }, opts);
    await Promise.all([a.topicArn, a.target.urn, (a.subscription ?? a.target).urn].map(promiseOf));
    return { a, mocks, reg: (type: string) => registrationOf(mocks, type) };
}

const CHILD_TYPES = [
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:kms/key:Key",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
];

describe("TamperAlarm", () => {
    it("puts every resource in us-east-1, where IAM's events arrive, whatever the stack's region", async () => {
        const { reg } = await alarm();
        for (const type of CHILD_TYPES) {
            assert.equal(reg(type).object["region"], "us-east-1", type);
            // The stack's own provider (its profile, keys and default tags), not one with settings copied in.
            assert.equal(reg(type).provider, "", type);
        }
    });

    it("uses a provider given in opts, still in us-east-1", async () => {
        const mocks = alarmMocks();
        const provider = new Provider("elsewhere", { region: "eu-central-1" });
        const a = new TamperAlarm("k3s-admin", { userNames: USERS, roleName: ROLE }, { providers: { aws: provider } });
        await Promise.all([a.topicArn, a.target.urn].map(promiseOf));
        const reg = (type: string) => registrationOf(mocks, type);
        const ref = `${await promiseOf(provider.urn)}::${await promiseOf(provider.id)}`;
        for (const type of CHILD_TYPES) {
            assert.equal(reg(type).provider, ref, type);
            assert.equal(reg(type).object["region"], "us-east-1", type);
        }
    });

    it("gives the rule the pattern as JSON, enabled", async () => {
        const { reg } = await alarm();
        const rule = reg("aws:cloudwatch/eventRule:EventRule").object;
        assert.deepEqual(JSON.parse(String(rule["eventPattern"])), PATTERN);
        assert.equal(rule["state"], "ENABLED");
    });

    it("encrypts the topic with a rotating key of its own that EventBridge may use for this topic only", async () => {
        const { a, reg } = await alarm();
        const topic = reg("aws:sns/topic:Topic").object;
        assert.equal(topic["kmsMasterKeyId"], await promiseOf(a.key.arn));
        const key = reg("aws:kms/key:Key").object;
        assert.equal(key["enableKeyRotation"], true);
        assert.equal(key["deletionWindowInDays"], 7);
        const topicArn = "arn:aws:sns:us-east-1:123456789012:k3s-admin-mfa-tamper-alarm";
        assert.equal(await promiseOf(a.topicArn), topicArn);
        // What the key allows, spelled out: the account administers it; EventBridge only encrypts for this topic.
        const policy = JSON.parse(String(key["policy"])) as { Statement: Record<string, unknown>[] };
        assert.deepEqual(
            policy.Statement.map((s) => [s["Effect"], s["Principal"], s["Action"], s["Condition"]]),
            [
                ["Allow", { AWS: "arn:aws:iam::123456789012:root" }, "kms:*", undefined],
                [
                    "Allow",
                    { Service: "events.amazonaws.com" },
                    ["kms:GenerateDataKey*", "kms:Decrypt"],
                    { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": topicArn } },
                ],
            ],
        );
    });

    it("lets only the alarm's rule publish to the topic", async () => {
        const { a, reg } = await alarm();
        const policy = JSON.parse(String(reg("aws:sns/topicPolicy:TopicPolicy").object["policy"]));
        const [statement] = policy.Statement;
        assert.equal(policy.Statement.length, 1);
        assert.deepEqual(statement.Principal, { Service: "events.amazonaws.com" });
        assert.equal(statement.Action, "sns:Publish");
        assert.equal(statement.Resource, await promiseOf(a.topicArn));
        assert.deepEqual(statement.Condition, { ArnEquals: { "aws:SourceArn": await promiseOf(a.rule.arn) } });
        const target = reg("aws:cloudwatch/eventTarget:EventTarget").object;
        assert.equal(target["arn"], await promiseOf(a.topicArn));
        assert.equal(target["rule"], await promiseOf(a.rule.name));
    });

    it("subscribes the e-mail address only when one is given", async () => {
        const without = await alarm();
        assert.equal(without.a.subscription, undefined);
        assert.equal(without.mocks.registrations.filter((r) => r.type.includes("topicSubscription")).length, 0);
        const { reg } = await alarm({ email: "ops@example.com" });
        const sub = reg("aws:sns/topicSubscription:TopicSubscription").object;
        assert.equal(sub["protocol"], "email");
        assert.equal(sub["endpoint"], "ops@example.com");
        assert.equal(sub["region"], "us-east-1");
    });

    it("parents every child to the component", async () => {
        const { a } = await alarm({ email: "ops@example.com" });
        for (const child of [a.rule, a.key, a.topic, a.topicPolicy, a.target, a.subscription!]) {
            assert.equal(parseUrn(await promiseOf(child.urn)).parentType, "k3s-admin-mfa:monitoring:TamperAlarm");
        }
    });

    it("refuses a list of names too large for one rule, naming the setting", async () => {
        alarmMocks();
        const many = Array.from({ length: 80 }, (_, i) => `firstname.lastname${i}`);
        assert.throws(
            () => new TamperAlarm("t", { userNames: many, roleName: ROLE }),
            /over EventBridge's event pattern size limit of 2048: list fewer or shorter names$/,
        );
    });
});
