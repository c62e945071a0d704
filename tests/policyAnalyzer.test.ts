import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { POLICIES } from "../policy/rules";
import { early } from "./early";
import { type Diagnostic, type EngineResource, engineResources, levelName, PolicyPackProcess } from "./fakeEngine";
import { runProgram, UNKNOWN } from "./mocks";

/**
 * The policy pack as `pulumi preview --policy-pack policy` runs it: policy/ started through @pulumi/pulumi's
 * run-policy-pack in a process of its own, spoken to over the analyzer's gRPC interface with requests shaped like
 * the engine's (tests/fakeEngine.ts names the upstream code each step follows). The answers are the policy SDK's
 * own (@pulumi/policy server.ts: `makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`, and their UnknownValueError
 * branch, which reports a rule that reads an unknown value as advisory "can't run … during preview"). The pack
 * starts transpile-only: the CLI type-checks it on every start, which npm test's type-check of policy/ does here.
 */

const POLICY_DIR = path.resolve(__dirname, "..", "policy");
/** The pack's version is policy/package.json's (the analyzer reads it there): bumping it must not break a test. */
const VERSION = (JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string })
    .version;
const PACK = `'k3s-admin-mfa-guardrails@v${VERSION}'`;
const description = (name: string) => POLICIES.find((p) => p.name === name)!.description;
const USER = "aws:iam/user:User";
const INLINE = "aws:iam/userPolicy:UserPolicy";
const GRANT = "aws:iam/userPolicyAttachment:UserPolicyAttachment";
const ROLE = "aws:iam/role:Role";
const TRUST = "roles-trusting-people-require-mfa";

/** The pack's process starts with the run (tests/early.ts): it loads while other files' tests run. */
const packProcess = early(
    () => PolicyPackProcess.start(POLICY_DIR, { typeCheck: false }),
    (p) => p.stop(),
);
let pack: PolicyPackProcess | undefined;
let stack: EngineResource[] = [];
let hardened: EngineResource[] = [];
let seed: EngineResource[] = [];
let firstPreview: EngineResource[] = [];

function one(resources: readonly EngineResource[], type: string): EngineResource {
    const found = resources.filter((r) => r.type === type);
    assert.equal(found.length, 1, `one ${type}`);
    return found[0]!;
}

/** The stack with one resource's property changed, in its inputs and its outputs alike. */
function changed(resources: readonly EngineResource[], type: string, key: string, value: unknown): EngineResource[] {
    return resources.map((r) =>
        r.type === type ? { ...r, inputs: { ...r.inputs, [key]: value }, outputs: { ...r.outputs, [key]: value } } : r,
    );
}

/** A resource of another type declared beside `like`: same parent, its URN built the same way. */
function sibling(
    like: EngineResource,
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    propertyDependencies: Record<string, string[]>,
): EngineResource {
    const urn = like.urn.replace(`${like.type}::${like.name}`, `${type}::${name}`);
    const dependencies = Object.values(propertyDependencies).flat();
    return { ...like, urn, type, name, inputs, outputs: inputs, dependencies, propertyDependencies };
}

type Document = { Statement: Record<string, unknown>[] };
const documentOf = (r: EngineResource, key: string) => JSON.parse(String(r.inputs[key])) as Document;

/** Analyze on every resource, keyed by resource name (resources without diagnostics left out). */
async function analyzeEach(resources: readonly EngineResource[]): Promise<Record<string, Diagnostic[]>> {
    const out: Record<string, Diagnostic[]> = {};
    for (const r of resources) {
        const found = await pack!.analyze(r);
        if (found.length > 0) out[r.name] = found;
    }
    return out;
}

/**
 * A deployment as the engine runs it with this pack (pulumi/pulumi v3.259.0): each resource is analyzed as it
 * registers, before its step (pkg/resource/deploy/step_generator.go `continueStepsFromImport` → `analyzeAll`);
 * during `pulumi up` a mandatory diagnostic makes the resource invalid and the deployment bails before creating it
 * (pkg/resource/deploy/analyze_snapshot.go `analyzeResource`: invalid only when not a dry run); AnalyzeStack runs
 * only once every step has succeeded (pkg/resource/deploy/deployment_executor.go `Execute` → `AnalyzeResources`).
 */
interface Deployment {
    /** The resource whose mandatory diagnostic stops `pulumi up` before it exists, if any. */
    readonly stoppedAt?: string;
    /** Every resource diagnostic, `resource: rule level` (a preview goes on past a mandatory one). */
    readonly resourceDiagnostics: string[];
    /** AnalyzeStack's diagnostics, `rule level` (at `up` only reached when nothing stopped it). */
    readonly stackDiagnostics: string[];
    readonly messages: string[];
}

async function deploy(resources: readonly EngineResource[]): Promise<Deployment> {
    await pack!.newDeployment();
    let stoppedAt: string | undefined;
    const resourceDiagnostics: string[] = [];
    const messages: string[] = [];
    for (const r of resources) {
        for (const d of await pack!.analyze(r)) {
            resourceDiagnostics.push(`${r.name}: ${d.policyName} ${d.enforcementLevel}`);
            messages.push(d.message);
            if (d.enforcementLevel === "mandatory") stoppedAt ??= r.name;
        }
    }
    const stack = await pack!.analyzeStack(resources);
    messages.push(...stack.map((d) => d.message));
    return {
        stoppedAt,
        resourceDiagnostics,
        stackDiagnostics: stack.map((d) => `${d.policyName} ${d.enforcementLevel}`),
        messages,
    };
}

describe("policy pack under the real analyzer (run-policy-pack over gRPC)", () => {
    before(async function () {
        this.timeout(60_000); // four program runs and the pack's own process: seconds, more on a shared machine
        stack = engineResources(await runProgram(), false);
        hardened = engineResources(await runProgram({ hardened: "true" }), false);
        seed = engineResources(await runProgram({ mfaPolicy: "seed" }), false);
        firstPreview = engineResources(await runProgram({}, undefined, { preview: true }), true);
        pack = await packProcess();
    });

    beforeEach(() => pack!.newDeployment());

    it("introduces itself to the engine: name, version from policy/package.json, each rule and its level", async () => {
        const info = await pack!.info();
        assert.equal(info.getName(), "k3s-admin-mfa-guardrails");
        assert.match(VERSION, /^\d+\.\d+\.\d+$/);
        assert.equal(info.getVersion(), VERSION);
        const levels = info.getPoliciesList().map((p) => [p.getName(), levelName(p.getEnforcementlevel())]);
        assert.deepEqual(levels, [
            ["only-the-stacks-resource-types", "mandatory"],
            ["admin-users-as-deployed", "mandatory"],
            ["admin-users-require-mfa-deny", "mandatory"],
            ["roles-trusting-people-require-mfa", "mandatory"],
            ["roles-trusting-people-stay-in-account", "mandatory"],
            ["ec2-instances-require-imdsv2-and-encryption", "mandatory"],
            ["mfa-deny-exempts-delete-virtual-mfa-device", "advisory"],
        ]);
    });

    it("passes the program's resources (default config: the scoped Deny statements) without a diagnostic", async () => {
        assert.deepEqual(await analyzeEach(stack), {});
        assert.deepEqual(await pack!.analyzeStack(stack), []);
    });

    it("passes the program's resources with mfaPolicy: seed, with only the advisory the seed's Deny earns", async () => {
        const name = "mfa-deny-exempts-delete-virtual-mfa-device";
        const advisory =
            "the MFA Deny exempts iam:DeleteVirtualMFADevice; set `hardened true` once the MFA device is enrolled";
        assert.deepEqual(await analyzeEach(seed), {
            "k3s-admin-mfa-policy": [
                {
                    policyName: name,
                    enforcementLevel: "advisory",
                    message: `${description(name)}\n${advisory}`,
                    urn: "",
                },
            ],
        });
        assert.deepEqual(await pack!.analyzeStack(seed), []);
    });

    it("passes the program's resources with hardened: true, advisory included", async () => {
        assert.deepEqual(await analyzeEach(hardened), {});
        assert.deepEqual(await pack!.analyzeStack(hardened), []);
    });

    for (const secret of [false, true]) {
        it(`refuses Bool instead of BoolIfExists in the user's Deny, by resource and by stack${secret ? " (document a secret)" : ""}`, async () => {
            const doc = documentOf(one(stack, INLINE), "policy");
            doc.Statement[0]!["Condition"] = { Bool: { "aws:MultiFactorAuthPresent": "false" } };
            const text = JSON.stringify(doc);
            const value = secret
                ? { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: text }
                : text;
            const found = await deploy(changed(stack, INLINE, "policy", value));
            assert.equal(found.stoppedAt, "k3s-admin-mfa-policy");
            assert.deepEqual(found.stackDiagnostics, ["admin-users-require-mfa-deny mandatory"]);
            assert.match(found.messages[0]!, /its document has no MFA Deny: uses Bool on aws:MultiFactorAuthPresent/);
        });
    }

    it("refuses a second trust statement without MFA in the role's assumeRolePolicy", async () => {
        const role = one(stack, ROLE);
        const doc = documentOf(role, "assumeRolePolicy");
        const { Condition: _mfa, ...bare } = doc.Statement[0]!;
        doc.Statement.push(bare);
        const found = await deploy(changed(stack, ROLE, "assumeRolePolicy", JSON.stringify(doc)));
        assert.equal(found.stoppedAt, "k3s-admin-role");
        assert.deepEqual(found.messages, [`${description(TRUST)}\ntrust policy has 2 statements; exactly one Allow`]);
    });

    it("refuses a user holding AdministratorAccess without its inline Deny, by resource and by stack", async () => {
        const found = await deploy(stack.filter((r) => r.type !== INLINE));
        assert.equal(found.stoppedAt, "k3s-admin-administrator-access");
        const stackFound = await pack!.analyzeStack(stack.filter((r) => r.type !== INLINE));
        assert.deepEqual(
            stackFound.map((d) => [d.policyName, d.enforcementLevel, d.urn]),
            [["admin-users-require-mfa-deny", "mandatory", one(stack, USER).urn]],
        );
        assert.match(
            stackFound[0]!.message,
            /IAM user k3s-admin carries 0 inline policies; exactly one, with the MFA Deny$/,
        );
    });

    it("judges every rule at a new stack's first preview: the documents are known, only IDs are not", async () => {
        // The trust policy names the user by an ARN built from known parts (AdminUser's knownUserArn).
        assert.equal(one(firstPreview, USER).outputs["id"], UNKNOWN);
        assert.notEqual(one(firstPreview, ROLE).inputs["assumeRolePolicy"], UNKNOWN);
        assert.deepEqual(await analyzeEach(firstPreview), await analyzeEach(stack));
        assert.deepEqual(await pack!.analyzeStack(firstPreview), []);
    });

    it("refuses an unknown assumeRolePolicy at preview as mandatory, where the SDK alone would only advise", async () => {
        // As when the trust policy was built from the user's `arn` output, which a preview that creates it lacks.
        const found = await deploy(changed(firstPreview, ROLE, "assumeRolePolicy", UNKNOWN));
        assert.equal(found.stoppedAt, "k3s-admin-role");
        assert.deepEqual(found.resourceDiagnostics, [`k3s-admin-role: ${TRUST} mandatory`]);
        assert.deepEqual(found.stackDiagnostics, ["roles-trusting-people-stay-in-account mandatory"]);
        assert.match(
            found.messages[0]!,
            /k3s-admin-role's `assumeRolePolicy` is not known \(string value at \.assumeRolePolicy can't be known during preview\); the pack judges resolved values only/,
        );
    });

    it("refuses a `user` unknown at preview (IAM acts on the value, not on the dependency)", async () => {
        // As with `user: user.id` on a new user: the engine has the dependency but not the value. The program's
        // own `user: user.name` is known at preview.
        let unknownUser = changed(firstPreview, INLINE, "user", UNKNOWN);
        unknownUser = changed(unknownUser, GRANT, "user", UNKNOWN);
        const found = await deploy(unknownUser);
        assert.equal(found.stoppedAt, "k3s-admin-mfa-policy");
        assert.ok(found.resourceDiagnostics.every((d) => d.endsWith(" mandatory")));
        assert.deepEqual([...new Set(found.stackDiagnostics)], ["admin-users-require-mfa-deny mandatory"]);
        assert.match(
            found.messages.join("\n"),
            /k3s-admin-mfa-policy's `user` is not known \(string value at \.user can't be known during preview\)/,
        );
    });

    describe("weakenings of issue #11 §3, as the engine shows them", () => {
        /** The stack with the role's one trust statement changed. */
        function trusting(change: (statement: Record<string, unknown>) => void): EngineResource[] {
            const doc = documentOf(one(stack, ROLE), "assumeRolePolicy");
            change(doc.Statement[0]!);
            return changed(stack, ROLE, "assumeRolePolicy", JSON.stringify(doc));
        }

        it("refuses AdministratorAccess through aws.iam.PolicyAttachment without the Deny, at first preview", async () => {
            // `users: [user.name]` on a new user: the engine has the dependency; the value stands unknown here.
            const user = one(firstPreview, USER);
            const grant = one(firstPreview, GRANT);
            const attachment = sibling(
                grant,
                "aws:iam/policyAttachment:PolicyAttachment",
                "k3s-admin-admins",
                { name: "admins", users: [UNKNOWN], policyArn: grant.inputs["policyArn"] },
                { users: [user.urn] },
            );
            const mutant = [...firstPreview.filter((r) => r.type !== INLINE && r.type !== GRANT), attachment];
            const found = await deploy(mutant);
            assert.equal(found.stoppedAt, "k3s-admin-admins");
            assert.deepEqual(found.resourceDiagnostics, ["k3s-admin-admins: only-the-stacks-resource-types mandatory"]);
            // And AnalyzeStack: the user has neither the Deny nor the one attachment the stack writes.
            assert.deepEqual(found.messages.slice(1), [
                `${description("admin-users-require-mfa-deny")}\nIAM user k3s-admin carries 0 inline policies; exactly one, with the MFA Deny`,
                `${description("admin-users-require-mfa-deny")}\nIAM user k3s-admin has 0 policy attachments; exactly one, AdministratorAccess`,
            ]);
        });

        it("refuses the Deny narrowed by StringNotEquals aws:RequestedRegion", async () => {
            const doc = documentOf(one(stack, INLINE), "policy");
            const deny = doc.Statement[0]!;
            deny["Condition"] = {
                ...(deny["Condition"] as object),
                StringNotEquals: { "aws:RequestedRegion": "us-east-1" },
            };
            const found = await deploy(changed(stack, INLINE, "policy", JSON.stringify(doc)));
            assert.equal(found.stoppedAt, "k3s-admin-mfa-policy");
            assert.deepEqual(found.stackDiagnostics, ["admin-users-require-mfa-deny mandatory"]);
            assert.match(found.messages[0]!, /narrows its condition with StringNotEquals aws:RequestedRegion: /);
        });

        it('refuses trust Principal "*", MFA conditions notwithstanding', async () => {
            const found = await deploy(trusting((s) => (s["Principal"] = "*")));
            assert.equal(found.stoppedAt, "k3s-admin-role");
            assert.deepEqual(found.messages, [`${description(TRUST)}\ntrust policy must name IAM users as {AWS: …}`]);
        });

        it("refuses the trust's aws:MultiFactorAuthAge condition removed", async () => {
            const found = await deploy(
                trusting((s) => delete (s["Condition"] as Record<string, unknown>)["NumericLessThan"]),
            );
            assert.equal(found.stoppedAt, "k3s-admin-role");
            assert.match(
                found.messages[0]!,
                /trust policy must require NumericLessThan aws:MultiFactorAuthAge from 1 to 3600$/,
            );
        });

        it("refuses a trust naming another account's root once the user's ARN is known: by stack, after `up`", async () => {
            // The mocks record inputs only; the engine's outputs of a created user carry its ARN.
            const userArn = `arn:aws:iam::123456789012:user/${String(one(stack, USER).inputs["name"])}`;
            const known = changed(stack, USER, "arn", userArn);
            assert.deepEqual(await pack!.analyzeStack(known), []);
            const role = one(
                trusting((s) => (s["Principal"] = { AWS: "arn:aws:iam::999999999999:root" })),
                ROLE,
            );
            const found = await deploy(known.map((r) => (r.type === ROLE ? role : r)));
            // A root is a shape the program writes (roleTrust account); its account is known only from the users'
            // ARNs, which Analyze never sees.
            assert.equal(found.stoppedAt, undefined);
            assert.deepEqual(found.stackDiagnostics, ["roles-trusting-people-stay-in-account mandatory"]);
            assert.match(
                found.messages[0]!,
                /role k3s-admin-role trusts arn:aws:iam::999999999999:root: not one of the stack's IAM users \(arn:aws:iam::123456789012:user\/k3s-admin\) or their account's root$/,
            );
        });

        it("leaves the account to `up` while a new user's ARN is unknown: no diagnostic at a first preview", async () => {
            const foreign = changed(firstPreview, USER, "arn", UNKNOWN).map((r) =>
                r.type === ROLE
                    ? one(
                          trusting((s) => (s["Principal"] = { AWS: "arn:aws:iam::999999999999:root" })),
                          ROLE,
                      )
                    : r,
            );
            assert.deepEqual(await pack!.analyzeStack(foreign), []);
        });
    });
});

describe("issue #20 §2: the pack recognises what is allowed, at `pulumi up` before a resource exists", () => {
    const ACCOUNT = "123456789012";
    const ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";
    let base: EngineResource[] = [];
    const runs: Record<string, EngineResource[]> = {};

    /** As the provider returns a created user or role: with its ARN, which AnalyzeStack reads at `up`. */
    const created = (resources: readonly EngineResource[]): EngineResource[] =>
        resources.map((r) =>
            r.type === USER || r.type === ROLE
                ? {
                      ...r,
                      outputs: {
                          ...r.outputs,
                          arn: `arn:aws:iam::${ACCOUNT}:${r.type === USER ? "user" : "role"}/${String(r.inputs["name"])}`,
                      },
                  }
                : r,
        );

    /** A resource declared at the top of the program (no component), as the engine sees it. */
    function topLevel(type: string, name: string, inputs: Record<string, unknown>): EngineResource {
        return {
            urn: `urn:pulumi:dev::k3s-admin-mfa::${type}::${name}`,
            type,
            name,
            parent: "",
            inputs,
            outputs: inputs,
            dependencies: [],
            propertyDependencies: {},
            deleteBeforeReplace: false,
            ignoreChanges: [],
        };
    }

    /** The role with its trust's one statement (and optionally other inputs) changed. */
    function roleWith(change: (statement: Record<string, unknown>) => void, inputs: Record<string, unknown> = {}) {
        return base.map((r) => {
            if (r.type !== ROLE) return r;
            const doc = documentOf(r, "assumeRolePolicy");
            change(doc.Statement[0]!);
            const next = { ...r.inputs, ...inputs, assumeRolePolicy: JSON.stringify(doc) };
            return { ...r, inputs: next, outputs: { ...r.outputs, ...next } };
        });
    }

    // After the describe above, whose runs of the program (default, seed, hardened) this one reuses.
    before(async function () {
        this.timeout(60_000); // three more program runs: seconds, more on a shared machine
        base = created(stack);
        Object.assign(runs, { "mfaPolicy seed": created(seed), "hardened true": created(hardened) });
        const configs: Record<string, Record<string, unknown>> = {
            "a team of three admins": { adminUserNames: ["k3s-admin", "alice", "bob"] },
            "tamperAlarm on, with an e-mail": { tamperAlarm: "true", tamperAlarmEmail: "ops@example.com" },
            "roleTrust account": { roleTrust: "account" },
        };
        for (const [what, config] of Object.entries(configs))
            runs[what] = created(engineResources(await runProgram(config), false));
        pack = await packProcess();
    });

    it("passes the program's own stacks without a mandatory diagnostic, at `up` and at a first preview", async () => {
        const seedAdvisory = ["k3s-admin-mfa-policy: mfa-deny-exempts-delete-virtual-mfa-device advisory"];
        for (const [what, resources] of Object.entries({ default: base, ...runs })) {
            const found = await deploy(resources);
            assert.equal(found.stoppedAt, undefined, `${what}: ${found.messages.join("\n")}`);
            assert.deepEqual(found.resourceDiagnostics, what === "mfaPolicy seed" ? seedAdvisory : [], what);
            assert.deepEqual(found.stackDiagnostics, [], what);
        }
        const preview = await deploy(firstPreview);
        assert.deepEqual(
            [preview.stoppedAt, preview.resourceDiagnostics, preview.stackDiagnostics],
            [undefined, [], []],
        );
    });

    /** Each weakening: `up` stops at `stoppedAt`, before it exists; AnalyzeStack agrees where it can judge. */
    const cases: [string, () => EngineResource[], string][] = [
        [
            "a second UserPolicy with the admin's policy name (PutUserPolicy overwrites the Deny)",
            () => [
                ...base,
                topLevel(INLINE, "notes", {
                    user: "k3s-admin",
                    name: String(one(base, INLINE).inputs["name"]),
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }],
                    }),
                }),
            ],
            "notes",
        ],
        [
            "UserPoliciesExclusive with an empty list on the admin (IAM deletes every inline policy not listed)",
            () => [
                ...base,
                topLevel("aws:iam/userPoliciesExclusive:UserPoliciesExclusive", "only-these", {
                    userName: "k3s-admin",
                    policyNames: [],
                }),
            ],
            "only-these",
        ],
        [
            "the Deny's `user` computed by an apply to another name (the dependency still points at the admin)",
            () => changed(base, INLINE, "user", "k3s-admin-old"),
            "k3s-admin-mfa-policy",
        ],
        [
            "AdministratorAccess attached to a user the stack does not declare",
            () => [...base, topLevel(GRANT, "ops-admin", { user: "ops", policyArn: ADMIN_ARN })],
            "ops-admin",
        ],
        [
            "a new user with IAMFullAccess and no Deny",
            () => [
                ...base,
                topLevel(USER, "eve", { name: "eve", path: "/" }),
                topLevel(GRANT, "eve-iam", { user: "eve", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" }),
            ],
            "eve",
        ],
        [
            "an AdminUser component whose Deny is left out (its User and AdministratorAccess as the program writes them)",
            () => base.filter((r) => r.type !== INLINE),
            "k3s-admin-administrator-access",
        ],
        [
            "a role with AdministratorAccess trusting GitHub OIDC for a whole organisation",
            () => [
                ...base,
                topLevel(ROLE, "deploy", {
                    name: "deploy",
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: {
                                    Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
                                },
                                Action: "sts:AssumeRoleWithWebIdentity",
                                Condition: {
                                    StringLike: { "token.actions.githubusercontent.com:sub": "repo:example-org/*" },
                                },
                            },
                        ],
                    }),
                }),
                topLevel("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "deploy-admin", {
                    role: "deploy",
                    policyArn: ADMIN_ARN,
                }),
            ],
            "deploy",
        ],
        [
            "the trust's sts:RoleSessionName condition removed",
            () => roleWith((s) => delete (s["Condition"] as Record<string, unknown>)["StringEquals"]),
            "k3s-admin-role",
        ],
        [
            "an MFA age of 129600 in the trust",
            () =>
                roleWith(
                    (s) =>
                        ((s["Condition"] as Record<string, unknown>)["NumericLessThan"] = {
                            "aws:MultiFactorAuthAge": "129600",
                        }),
                ),
            "k3s-admin-role",
        ],
        ["maxSessionDuration 43200", () => roleWith(() => undefined, { maxSessionDuration: 43200 }), "k3s-admin-role"],
        [
            "an extra user of the same account added as principal",
            () =>
                roleWith((s) => {
                    const principal = s["Principal"] as { AWS: string };
                    principal.AWS = [principal.AWS, `arn:aws:iam::${ACCOUNT}:user/mallory`] as unknown as string;
                }),
            "k3s-admin-role",
        ],
    ];
    for (const [what, mutant, stoppedAt] of cases) {
        it(`refuses ${what}: \`up\` stops before it exists`, async () => {
            const found = await deploy(mutant());
            assert.equal(found.stoppedAt, stoppedAt, found.messages.join("\n"));
            assert.ok(
                found.resourceDiagnostics.every((d) => !d.endsWith(" advisory") || d.includes("delete-virtual")),
                found.resourceDiagnostics.join("\n"),
            );
        });
    }

    it("refuses a Deny document that depends on a new resource's output: mandatory at preview, judged resolved at `up`", async () => {
        // At preview the document is unknown; the SDK would downgrade a rule that reads it to advisory
        // (@pulumi/policy server.ts, the UnknownValueError branches of makeAnalyzeRpcFun and makeAnalyzeStackRpcFun).
        const preview = await deploy(changed(base, INLINE, "policy", UNKNOWN));
        assert.equal(preview.stoppedAt, "k3s-admin-mfa-policy", preview.messages.join("\n"));
        assert.ok(preview.stackDiagnostics.length > 0, "the stack rule reports it too");
        // None of the SDK's own "can't run policy … from policy pack … during preview" advisories.
        assert.ok(!preview.messages.some((m) => m.includes(`from policy pack ${PACK}`)), preview.messages.join("\n"));
        assert.ok(
            [...preview.resourceDiagnostics, ...preview.stackDiagnostics].every((d) => d.endsWith(" mandatory")),
            [...preview.resourceDiagnostics, ...preview.stackDiagnostics].join("\n"),
        );
        // At `up` the engine sends the resolved document: one without the Deny is stopped before it exists.
        const resolved = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
        });
        const up = await deploy(changed(base, INLINE, "policy", resolved));
        assert.equal(up.stoppedAt, "k3s-admin-mfa-policy", up.messages.join("\n"));
    });
});
