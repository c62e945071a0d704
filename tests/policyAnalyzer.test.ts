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

describe("policy pack under the real analyzer (run-policy-pack over gRPC)", () => {
    before(async () => {
        stack = engineResources(await runProgram(), false);
        hardened = engineResources(await runProgram({ hardened: "true" }), false);
        seed = engineResources(await runProgram({ mfaPolicy: "seed" }), false);
        firstPreview = engineResources(await runProgram({}, undefined, { preview: true }), true);
        pack = await packProcess();
    });

    it("introduces itself to the engine: name, version from policy/package.json, each rule and its level", async () => {
        const info = await pack!.info();
        assert.equal(info.getName(), "k3s-admin-mfa-guardrails");
        assert.match(VERSION, /^\d+\.\d+\.\d+$/);
        assert.equal(info.getVersion(), VERSION);
        const levels = info.getPoliciesList().map((p) => [p.getName(), levelName(p.getEnforcementlevel())]);
        assert.deepEqual(levels, [
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
        it(`reports Bool instead of BoolIfExists in the user's Deny as mandatory${secret ? " (document a secret)" : ""}`, async () => {
            const doc = documentOf(one(stack, "aws:iam/userPolicy:UserPolicy"), "policy");
            doc.Statement[0]!["Condition"] = { Bool: { "aws:MultiFactorAuthPresent": "false" } };
            const text = JSON.stringify(doc);
            const value = secret
                ? { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: text }
                : text;
            const found = await pack!.analyzeStack(changed(stack, "aws:iam/userPolicy:UserPolicy", "policy", value));
            assert.deepEqual(
                found.map((d) => [d.policyName, d.enforcementLevel, d.urn]),
                [["admin-users-require-mfa-deny", "mandatory", one(stack, "aws:iam/user:User").urn]],
            );
            assert.match(
                found[0]!.message,
                /holds AdministratorAccess without an MFA Deny: uses Bool on aws:MultiFactorAuthPresent/,
            );
        });
    }

    it("reports a second trust statement without MFA in the role's assumeRolePolicy as mandatory", async () => {
        const role = one(stack, "aws:iam/role:Role");
        const doc = documentOf(role, "assumeRolePolicy");
        const { Condition: _mfa, ...bare } = doc.Statement[0]!;
        doc.Statement.push(bare);
        const mutant = one(changed([role], role.type, "assumeRolePolicy", JSON.stringify(doc)), role.type);
        const name = "roles-trusting-people-require-mfa";
        assert.deepEqual(await pack!.analyze(mutant), [
            {
                policyName: name,
                enforcementLevel: "mandatory",
                message: `${description(name)}\ntrust policy Allow statement 2 does not require Bool aws:MultiFactorAuthPresent "true"`,
                urn: "",
            },
        ]);
    });

    it("reports a user holding AdministratorAccess without its inline Deny as a mandatory stack violation", async () => {
        const found = await pack!.analyzeStack(stack.filter((r) => r.type !== "aws:iam/userPolicy:UserPolicy"));
        assert.deepEqual(
            found.map((d) => [d.policyName, d.enforcementLevel, d.urn]),
            [["admin-users-require-mfa-deny", "mandatory", one(stack, "aws:iam/user:User").urn]],
        );
        assert.match(found[0]!.message, /none of its inline policies has a Deny statement$/);
    });

    it("judges every rule at a new stack's first preview: the documents are known, only IDs are not", async () => {
        // The trust policy names the user by an ARN built from known parts (AdminUser's knownUserArn).
        assert.equal(one(firstPreview, "aws:iam/user:User").outputs["id"], UNKNOWN);
        assert.notEqual(one(firstPreview, "aws:iam/role:Role").inputs["assumeRolePolicy"], UNKNOWN);
        assert.deepEqual(await analyzeEach(firstPreview), await analyzeEach(stack));
        assert.deepEqual(await pack!.analyzeStack(firstPreview), []);
    });

    it('reports the trust rule as advisory "can\'t run during preview" when assumeRolePolicy is unknown', async () => {
        // As when the trust policy was built from the user's `arn` output, which a preview that creates it lacks.
        const role = one(changed(firstPreview, "aws:iam/role:Role", "assumeRolePolicy", UNKNOWN), "aws:iam/role:Role");
        assert.deepEqual(await pack!.analyze(role), [
            {
                policyName: "roles-trusting-people-require-mfa",
                enforcementLevel: "advisory",
                message: `can't run policy 'roles-trusting-people-require-mfa' from policy pack ${PACK} during preview: string value at .assumeRolePolicy can't be known during preview`,
                urn: "",
            },
        ]);
    });

    it("downgrades the mandatory stack rule to advisory when the inline policy document is unknown at preview", async () => {
        // So such a preview passes, and at update AnalyzeStack runs only once the resources exist.
        const unknownDeny = changed(firstPreview, "aws:iam/userPolicy:UserPolicy", "policy", UNKNOWN);
        assert.deepEqual(await pack!.analyzeStack(unknownDeny), [
            {
                policyName: "admin-users-require-mfa-deny",
                enforcementLevel: "advisory",
                message: `can't run policy 'admin-users-require-mfa-deny' from policy pack ${PACK} during preview: string value at .policy can't be known during preview`,
                urn: "",
            },
        ]);
    });

    it("finds the user's grant and Deny by property dependency when their `user` input is unknown at preview", async () => {
        // As with `user: user.id` on a new user: the engine has the dependency but not the value.
        let unknownUser = changed(firstPreview, "aws:iam/userPolicy:UserPolicy", "user", UNKNOWN);
        unknownUser = changed(unknownUser, "aws:iam/userPolicyAttachment:UserPolicyAttachment", "user", UNKNOWN);
        assert.deepEqual(await pack!.analyzeStack(unknownUser), []);
        const found = await pack!.analyzeStack(unknownUser.filter((r) => r.type !== "aws:iam/userPolicy:UserPolicy"));
        assert.deepEqual(
            found.map((d) => [d.policyName, d.enforcementLevel]),
            [["admin-users-require-mfa-deny", "mandatory"]],
        );
    });

    describe("weakenings of issue #11 §3, as the engine shows them", () => {
        const USER = "aws:iam/user:User";
        const ROLE = "aws:iam/role:Role";
        const INLINE = "aws:iam/userPolicy:UserPolicy";
        const GRANT = "aws:iam/userPolicyAttachment:UserPolicyAttachment";
        const TRUST = "roles-trusting-people-require-mfa";
        const mandatory = (message: string) => [{ policyName: TRUST, enforcementLevel: "mandatory", message, urn: "" }];

        /** The role with its one trust statement changed. */
        function trusting(change: (statement: Record<string, unknown>) => void): EngineResource {
            const role = one(stack, ROLE);
            const doc = documentOf(role, "assumeRolePolicy");
            change(doc.Statement[0]!);
            return one(changed([role], ROLE, "assumeRolePolicy", JSON.stringify(doc)), ROLE);
        }

        it("reports AdministratorAccess through aws.iam.PolicyAttachment without the Deny, at first preview", async () => {
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
            const found = await pack!.analyzeStack(mutant);
            assert.deepEqual(
                found.map((d) => [d.policyName, d.enforcementLevel, d.urn]),
                [["admin-users-require-mfa-deny", "mandatory", user.urn]],
            );
            assert.match(
                found[0]!.message,
                /holds AdministratorAccess through PolicyAttachment k3s-admin-admins without an MFA Deny: none of its inline policies has a Deny statement$/,
            );
        });

        it("reports the Deny narrowed by StringNotEquals aws:RequestedRegion as mandatory", async () => {
            const doc = documentOf(one(stack, INLINE), "policy");
            const deny = doc.Statement[0]!;
            deny["Condition"] = {
                ...(deny["Condition"] as object),
                StringNotEquals: { "aws:RequestedRegion": "us-east-1" },
            };
            const found = await pack!.analyzeStack(changed(stack, INLINE, "policy", JSON.stringify(doc)));
            assert.deepEqual(
                found.map((d) => [d.policyName, d.enforcementLevel]),
                [["admin-users-require-mfa-deny", "mandatory"]],
            );
            assert.match(found[0]!.message, /narrows its condition with StringNotEquals aws:RequestedRegion: /);
        });

        it('reports trust Principal "*" as mandatory, MFA conditions notwithstanding', async () => {
            const role = trusting((s) => (s["Principal"] = "*"));
            assert.deepEqual(
                await pack!.analyze(role),
                mandatory(
                    `${description(TRUST)}\ntrust policy Allow statement 1 admits every AWS principal ("*"): any account's MFA session would pass`,
                ),
            );
        });

        it("reports the trust's aws:MultiFactorAuthAge condition removed as mandatory", async () => {
            const role = trusting((s) => delete (s["Condition"] as Record<string, unknown>)["NumericLessThan"]);
            const found = await pack!.analyze(role);
            assert.deepEqual(
                found.map((d) => [d.policyName, d.enforcementLevel]),
                [[TRUST, "mandatory"]],
            );
            assert.match(found[0]!.message, /Allow statement 1 does not cap aws:MultiFactorAuthAge/);
        });

        it("reports a trust naming another account's root as mandatory, once the user's ARN is known", async () => {
            // The mocks record inputs only; the engine's outputs of a created user carry its ARN.
            const userArn = `arn:aws:iam::123456789012:user/${String(one(stack, USER).inputs["name"])}`;
            const known = changed(stack, USER, "arn", userArn);
            assert.deepEqual(await pack!.analyzeStack(known), []);
            const role = trusting((s) => (s["Principal"] = { AWS: "arn:aws:iam::999999999999:root" }));
            const found = await pack!.analyzeStack(known.map((r) => (r.type === ROLE ? role : r)));
            assert.deepEqual(
                found.map((d) => [d.policyName, d.enforcementLevel, d.urn]),
                [["roles-trusting-people-stay-in-account", "mandatory", role.urn]],
            );
            assert.match(
                found[0]!.message,
                /trusts arn:aws:iam::999999999999:root, outside the account of the stack's IAM users \(123456789012\)$/,
            );
        });

        it("reports only the account rule as advisory \"can't run during preview\" while a new user's ARN is unknown", async () => {
            const unknownArn = changed(firstPreview, USER, "arn", UNKNOWN);
            const name = "roles-trusting-people-stay-in-account";
            assert.deepEqual(await pack!.analyzeStack(unknownArn), [
                {
                    policyName: name,
                    enforcementLevel: "advisory",
                    message: `can't run policy '${name}' from policy pack ${PACK} during preview: string value at .arn can't be known during preview`,
                    urn: "",
                },
            ]);
        });
    });
});
