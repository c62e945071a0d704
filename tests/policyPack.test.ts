import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import {
    adminUsersRequireMfaDeny,
    instancesRequireImdsv2AndEncryption,
    isBootstrapAction,
    mfaDenyKeepsDeviceDeletionExempt,
    POLICIES,
    rolesTrustingPeopleRequireMfa,
} from "../policy/rules";
import { runProgram } from "./mocks";
import { type PlainResource, violations } from "./policyHarness";

/** The happy path, built afresh for each test so one test can change one field. */
function mfaDeny(): Record<string, unknown> {
    return {
        Sid: "MustBeSignedInWithMFA",
        Effect: "Deny",
        NotAction: ["sts:GetSessionToken", "iam:ListMFADevices", "iam:EnableMFADevice", "iam:CreateVirtualMFADevice"],
        Resource: "*",
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    };
}

function adminStack(deny: Record<string, unknown> | null = mfaDeny(), asJson = false): PlainResource[] {
    const policy = { Version: "2012-10-17", Statement: deny ? [deny] : [] };
    return [
        { type: "aws:iam/user:User", name: "u", props: { name: "k3s-admin" } },
        {
            type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            name: "a",
            props: { user: "k3s-admin", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
        },
        {
            type: "aws:iam/userPolicy:UserPolicy",
            name: "p",
            props: { user: "k3s-admin", policy: asJson ? JSON.stringify(policy) : policy },
        },
    ];
}

function role(statements: Record<string, unknown>[]): PlainResource[] {
    return [
        {
            type: "aws:iam/role:Role",
            name: "r",
            props: { assumeRolePolicy: { Version: "2012-10-17", Statement: statements } },
        },
    ];
}

function trust(principal: unknown = { AWS: "arn:aws:iam::123456789012:user/k3s-admin" }): Record<string, unknown> {
    return {
        Effect: "Allow",
        Principal: principal,
        Action: "sts:AssumeRole",
        Condition: {
            Bool: { "aws:MultiFactorAuthPresent": "true" },
            NumericLessThan: { "aws:MultiFactorAuthAge": "3600" },
        },
    };
}

function instance(props: Record<string, unknown> = {}): PlainResource[] {
    return [
        {
            type: "aws:ec2/instance:Instance",
            name: "i",
            props: { metadataOptions: { httpTokens: "required" }, rootBlockDevice: { encrypted: true }, ...props },
        },
    ];
}

describe("policy pack: admin users require the MFA Deny (stack rule)", () => {
    it("passes the happy path, as an object or as a JSON string", async () => {
        assert.deepEqual(await violations(adminUsersRequireMfaDeny, adminStack()), []);
        assert.deepEqual(await violations(adminUsersRequireMfaDeny, adminStack(mfaDeny(), true)), []);
    });

    it("ignores users without AdministratorAccess", async () => {
        const stack = adminStack(null).filter((r) => r.type !== "aws:iam/userPolicyAttachment:UserPolicyAttachment");
        assert.deepEqual(await violations(adminUsersRequireMfaDeny, stack), []);
    });

    for (const [what, change, message] of [
        [
            "no inline Deny at all",
            () => null,
            /holds AdministratorAccess without an MFA Deny: none of its inline policies has a Deny statement/,
        ],
        [
            "Bool instead of BoolIfExists",
            (d: Record<string, unknown>) => ({ ...d, Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }),
            /uses Bool on aws:MultiFactorAuthPresent/,
        ],
        [
            "no condition",
            (d: Record<string, unknown>) => ({ ...d, Condition: undefined }),
            /BoolIfExists aws:MultiFactorAuthPresent "false"/,
        ],
        ["an Allow instead of a Deny", (d: Record<string, unknown>) => ({ ...d, Effect: "Allow" }), /is not a Deny/],
        [
            "a non-bootstrap exemption",
            (d: Record<string, unknown>) => ({ ...d, NotAction: ["sts:GetSessionToken", "ec2:RunInstances"] }),
            /exempts ec2:RunInstances/,
        ],
        [
            "Action instead of NotAction",
            (d: Record<string, unknown>) => ({ ...d, NotAction: undefined, Action: "ec2:*" }),
            /must deny with NotAction/,
        ],
        [
            "a narrower Resource",
            (d: Record<string, unknown>) => ({ ...d, Resource: "arn:aws:s3:::bucket" }),
            /Resource "\*"/,
        ],
    ] as const) {
        it(`reports ${what}`, async () => {
            const deny = (change as (d: Record<string, unknown>) => Record<string, unknown> | null)(mfaDeny());
            const found = await violations(adminUsersRequireMfaDeny, adminStack(deny));
            assert.equal(found.length, 1, found.join("\n"));
            assert.match(found[0]!, /^IAM user k3s-admin holds AdministratorAccess without an MFA Deny: /);
            assert.match(found[0]!, message);
        });
    }

    it("accepts exactly the bootstrap kinds of action", () => {
        for (const a of [
            "sts:GetSessionToken",
            "iam:ResyncMFADevice",
            "iam:ListUsers",
            "iam:GetAccountSummary",
            "iam:DeleteVirtualMFADevice",
        ]) {
            assert.ok(isBootstrapAction(a), a);
        }
        for (const a of [
            "sts:AssumeRole",
            "iam:CreateAccessKey",
            "iam:DeactivateMFADevice",
            "iam:*",
            "*",
            "iam:GetUser",
        ]) {
            assert.ok(!isBootstrapAction(a), a);
        }
    });
});

describe("policy pack: roles trusting people require MFA", () => {
    it("passes a single MFA-conditioned Allow", async () => {
        assert.deepEqual(await violations(rolesTrustingPeopleRequireMfa, role([trust()])), []);
    });

    it("reports a second Allow without the MFA condition", async () => {
        const { Condition: _c, ...bare } = trust();
        assert.deepEqual(await violations(rolesTrustingPeopleRequireMfa, role([trust(), bare])), [
            'trust policy Allow statement 2 does not require Bool aws:MultiFactorAuthPresent "true"',
        ]);
    });

    it("reports BoolIfExists true (it would admit requests with no MFA key) for an account root", async () => {
        const s = {
            ...trust({ AWS: "arn:aws:iam::123456789012:root" }),
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } },
        };
        assert.equal((await violations(rolesTrustingPeopleRequireMfa, role([s]))).length, 1);
    });

    it("leaves service roles alone", async () => {
        const service = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };
        assert.deepEqual(await violations(rolesTrustingPeopleRequireMfa, role([service])), []);
    });
});

describe("policy pack: EC2 instances", () => {
    it("passes IMDSv2 with an encrypted root volume", async () => {
        assert.deepEqual(await violations(instancesRequireImdsv2AndEncryption, instance()), []);
    });
    it("reports optional IMDS tokens", async () => {
        const found = await violations(
            instancesRequireImdsv2AndEncryption,
            instance({ metadataOptions: { httpTokens: "optional" } }),
        );
        assert.deepEqual(found, ['IMDSv2 is not required: set metadataOptions.httpTokens "required"']);
    });
    it("reports an unencrypted root volume", async () => {
        const found = await violations(
            instancesRequireImdsv2AndEncryption,
            instance({ rootBlockDevice: { encrypted: false } }),
        );
        assert.deepEqual(found, ["the root volume is not encrypted: set rootBlockDevice.encrypted true"]);
    });
});

describe("policy pack: advisory on iam:DeleteVirtualMFADevice", () => {
    it("advises when the Deny exempts it, and is quiet when it does not", async () => {
        const exempting = adminStack({
            ...mfaDeny(),
            NotAction: ["sts:GetSessionToken", "iam:DeleteVirtualMFADevice"],
        });
        assert.equal((await violations(mfaDenyKeepsDeviceDeletionExempt, exempting)).length, 1);
        assert.deepEqual(await violations(mfaDenyKeepsDeviceDeletionExempt, adminStack()), []);
        assert.equal(mfaDenyKeepsDeviceDeletionExempt.enforcementLevel, "advisory");
    });
});

describe("policy pack over what the program declares", () => {
    async function packOver(config: Record<string, string>): Promise<Record<string, string[]>> {
        const run = await runProgram(config);
        const resources = run.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
        const out: Record<string, string[]> = {};
        for (const rule of POLICIES) out[rule.name] = await violations(rule, resources);
        return out;
    }

    it("passes every mandatory rule for the default config, with the one advisory the seed policy earns", async () => {
        assert.deepEqual(await packOver({}), {
            "admin-users-require-mfa-deny": [],
            "roles-trusting-people-require-mfa": [],
            "ec2-instances-require-imdsv2-and-encryption": [],
            "mfa-deny-exempts-delete-virtual-mfa-device": [
                "the MFA Deny exempts iam:DeleteVirtualMFADevice; set `hardened true` once the MFA device is enrolled",
            ],
        });
    });

    it("passes every rule, advisory included, with hardened=true and roleTrust=account", async () => {
        const out = await packOver({ hardened: "true", roleTrust: "account" });
        assert.deepEqual(Object.values(out).flat(), []);
    });
});

describe("policy pack: publishable on its own (`pulumi policy publish` packs only policy/)", () => {
    const POLICY = path.resolve(__dirname, "..", "policy");
    const json = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    const sources = fs.readdirSync(POLICY).filter((f) => f.endsWith(".ts"));
    const packageOf = (spec: string) =>
        spec
            .split("/")
            .slice(0, spec.startsWith("@") ? 2 : 1)
            .join("/");

    it("has a tsconfig that reaches nothing outside policy/, with the root's strict options", () => {
        const read = ts.readConfigFile(path.join(POLICY, "tsconfig.json"), ts.sys.readFile);
        assert.equal(read.error, undefined);
        const config = read.config as {
            extends?: unknown;
            include?: string[];
            compilerOptions: Record<string, unknown>;
        };
        assert.equal(config.extends, undefined);
        assert.deepEqual(config.include, ["*.ts"]);
        const root = ts.readConfigFile(path.resolve(POLICY, "..", "tsconfig.json"), ts.sys.readFile).config as {
            compilerOptions: Record<string, unknown>;
        };
        for (const option of ["strict", "noUnusedLocals", "noUnusedParameters", "noImplicitReturns"]) {
            assert.equal(config.compilerOptions[option], true, option);
            assert.equal(root.compilerOptions[option], true, option);
        }
    });

    it("imports nothing from outside policy/, and every package it imports is in policy/package.json", () => {
        const { dependencies } = json(path.join(POLICY, "package.json")) as { dependencies: Record<string, string> };
        for (const file of sources) {
            const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(POLICY, file), "utf8"));
            for (const { fileName: spec } of importedFiles) {
                if (spec.startsWith("."))
                    assert.ok(!path.relative(POLICY, path.resolve(POLICY, spec)).startsWith(".."), `${file}: ${spec}`);
                else assert.ok(packageOf(spec) in dependencies, `${file}: ${spec}`);
            }
        }
    });

    it("lists what run-policy-pack needs, at the versions the repository's own node_modules has", () => {
        // Without typescript and ts-node, run-policy-pack falls back to the TypeScript 3.8 it vendors, which
        // rejects the ES2022 target; from this repository they resolve from the root's node_modules instead.
        const pack = json(path.join(POLICY, "package.json")) as {
            version?: string;
            dependencies: Record<string, string>;
        };
        const root = json(path.resolve(POLICY, "..", "package.json")) as Record<string, Record<string, string>>;
        assert.ok(pack.version, "PolicyPack reads its version from package.json");
        assert.deepEqual(Object.keys(pack.dependencies).sort(), [
            "@pulumi/policy",
            "@pulumi/pulumi",
            "ts-node",
            "typescript",
        ]);
        for (const [name, range] of Object.entries(pack.dependencies)) {
            assert.equal(range, root["dependencies"]![name] ?? root["devDependencies"]![name], name);
        }
    });
});
