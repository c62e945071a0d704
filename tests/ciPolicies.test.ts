import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { allowedContextKeysForRequest, type Simulation } from "@cloud-copilot/iam-simulate";
import { simulate } from "../analysis/simulate";
import type { PolicyDocument } from "../components/policies";
import { tamperKeyPolicy } from "../components/tamperAlarm";
import { ACCOUNT, INVOKE_READS, RESOURCE_READS, type Read, readsOf, ROLE, USER } from "./providerReads";

/**
 * The IAM policies CI's roles are made of (ci/aws/*.json, issue #13), decided by an IAM evaluation engine
 * (@cloud-copilot/iam-simulate, as analysis/matrix.ts uses it). Every read a preview, a refresh and the
 * post-deploy check make is allowed; writes and other principals' resources are not.
 */

const DIR = path.resolve(__dirname, "..", "ci", "aws");
const REPO = "acme/k3s-admin-mfa";
const IAM = `arn:aws:iam::${ACCOUNT}`;
const OIDC = `${IAM}:oidc-provider/token.actions.githubusercontent.com`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:k3s-admin-mfa-tamper-alarm`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const RULE = `arn:aws:events:us-east-1:${ACCOUNT}:rule/k3s-admin-rule-1a2b3c4`;

/** A shipped file with the placeholders the README tells people to replace filled in. */
function load(file: string): PolicyDocument {
    const text = fs.readFileSync(path.join(DIR, file), "utf8");
    return JSON.parse(text.replace(/ACCOUNT_ID/g, ACCOUNT).replace(/OWNER\/REPO/g, REPO)) as PolicyDocument;
}

type Request = Read;

/**
 * Every read a preview with `--refresh` makes, of every resource type and invoke the program can declare
 * (tests/providerReads.ts; tests/ciReads.test.ts proves the map covers what the program declares).
 */
const STACK_READS: readonly Request[] = readsOf({
    types: Object.keys(RESOURCE_READS),
    tokens: Object.keys(INVOKE_READS),
});

/** The post-deploy check (checks/enforcement.ts attempt, checks/simulation.ts simulate). */
const CHECK_READS: readonly Request[] = [
    ["sts:GetCallerIdentity", "*", "enforcement.ts sameAccount"],
    ["iam:GetUserPolicy", USER, "enforcement.ts denySids"],
    ["iam:GetRole", ROLE, "enforcement.ts attempt (the stored trust policy)"],
    ["iam:SimulatePrincipalPolicy", USER, "simulation.ts simulate (PolicySourceArn: the user)"],
    ["iam:ListAccessKeys", USER, "enforcement.ts enrolmentWindow"],
    ["iam:ListMFADevices", USER, "enforcement.ts enrolmentWindow"],
    // ValidatePolicy has no resource type (service authorization reference): it can only be granted on "*".
    ["access-analyzer:ValidatePolicy", "*", "validatePolicies.ts findingsOf (both stored documents)"],
];

/** Writes and reads of things that are not ours: what a stolen CI session must not be able to do. */
const REFUSED: readonly Request[] = [
    ["iam:PutUserPolicy", USER, "rewrite the MFA Deny"],
    ["iam:DeleteUserPolicy", USER, "drop the MFA Deny"],
    ["iam:DetachUserPolicy", USER, "detach AdministratorAccess"],
    ["iam:AttachUserPolicy", `${IAM}:user/someone`, "grant another user admin"],
    ["iam:CreateAccessKey", USER, "mint keys for the admin"],
    ["iam:CreateUser", `${IAM}:user/someone-new`, "create an identity"],
    ["iam:UpdateAssumeRolePolicy", ROLE, "open the MFA role's trust"],
    ["iam:DeleteRole", ROLE, "delete the MFA role"],
    ["iam:PassRole", ROLE, "hand the role to a service"],
    ["iam:GetUser", `${IAM}:user/someone-else`, "read a user that is not ours"],
    ["iam:GetRole", `${IAM}:role/OrganizationAccountAccessRole`, "read a role that is not ours"],
    ["sts:AssumeRole", ROLE, "assume the MFA role"],
    ["ec2:RunInstances", `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`, "launch an instance"],
    ["ec2:TerminateInstances", `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`, "terminate"],
    ["ec2:AuthorizeSecurityGroupIngress", `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-0123`, "open the SG"],
    ["ec2:ModifyInstanceAttribute", `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`, "change it"],
    ["ssm:PutParameter", `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/anything`, "write a parameter"],
    ["ssm:GetParameter", `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/prod/db-password`, "read our secrets"],
    ["s3:GetObject", "arn:aws:s3:::my-state-bucket/.pulumi/stacks/dev.json", "read the state bucket"],
    ["kms:Decrypt", KEY, "decrypt with the tamper alarm's key"],
    ["kms:PutKeyPolicy", KEY, "rewrite the tamper alarm key's policy"],
    ["kms:ScheduleKeyDeletion", KEY, "delete the tamper alarm's key"],
    ["kms:DisableKey", KEY, "silence the alarm by disabling its key"],
    ["sns:Publish", TOPIC, "send a false alarm"],
    ["sns:SetTopicAttributes", TOPIC, "rewrite the topic's policy"],
    ["sns:Unsubscribe", TOPIC, "unsubscribe the admins' address (authorized against the topic)"],
    ["sns:GetTopicAttributes", `arn:aws:sns:us-east-1:${ACCOUNT}:someone-elses-topic`, "read another topic"],
    ["events:DisableRule", RULE, "silence the alarm by disabling its rule"],
    ["events:PutRule", RULE, "rewrite the alarm's pattern"],
    ["events:RemoveTargets", RULE, "cut the alarm from its topic"],
    ["events:DescribeRule", `arn:aws:events:us-east-1:${ACCOUNT}:rule/someone-elses-rule`, "read another rule"],
];

/**
 * A KMS key admits only what its key policy allows, IAM policies included only when the key policy delegates to
 * the account (KMS developer guide, "Key policies"): the tamper alarm's key is judged with its own policy.
 */
const keyPolicyOf = (resource: string) =>
    resource.startsWith(`arn:aws:kms:`) ? tamperKeyPolicy("aws", ACCOUNT, TOPIC) : undefined;

async function decide(policy: PolicyDocument, [action, resource]: Request): Promise<string> {
    const keyPolicy = keyPolicyOf(resource);
    const simulation: Simulation = {
        ...(keyPolicy ? { resourcePolicy: keyPolicy } : {}),
        request: {
            principal: `arn:aws:sts::${ACCOUNT}:assumed-role/github-ci/GitHubActions`,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: {},
        },
        identityPolicies: [{ name: "ci", policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    };
    const result = await simulate(simulation);
    if (result.resultType === "error") throw new Error(`${action} on ${resource}: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
}

const actionsOf = (doc: PolicyDocument): string[] =>
    doc.Statement.flatMap((s) => [(s as { Action?: string | string[] }).Action ?? []].flat());

function permissionsSuite(file: string, reads: readonly Request[]): void {
    describe(`${file}: the role's permissions`, () => {
        const policy = load(file);
        for (const read of reads) {
            it(`allows ${read[0]} on ${read[1]} (${read[2]})`, async () => {
                assert.equal(await decide(policy, read), "Allowed");
            });
        }
        for (const write of REFUSED) {
            it(`refuses ${write[0]} on ${write[1]} (${write[2]})`, async () => {
                assert.notEqual(await decide(policy, write), "Allowed");
            });
        }
        it("grants only reads, no wildcard actions, and nothing the list above does not use", () => {
            const actions = actionsOf(policy);
            for (const a of actions)
                assert.match(
                    a,
                    /^((sts|iam|ec2|ssm|events|sns|kms):(Get|List|Describe|SimulatePrincipalPolicy)|access-analyzer:ValidatePolicy$)/,
                );
            assert.ok(!actions.some((a) => a.includes("*")), "no wildcard in an action");
            assert.deepEqual([...new Set(actions)].sort(), [...new Set(reads.map((r) => r[0]))].sort());
            for (const s of policy.Statement) assert.ok(!("Principal" in s), "an identity policy names no principal");
        });
    });
}

permissionsSuite("preview-permissions.json", STACK_READS);
permissionsSuite("drift-permissions.json", [...STACK_READS, ...CHECK_READS]);

describe("ci/aws: the preview role cannot run the enforcement check", () => {
    // Looked up by action, not by position: the list grows.
    const read = (action: string) => CHECK_READS.find((r) => r[0] === action)!;
    for (const action of ["iam:SimulatePrincipalPolicy", "access-analyzer:ValidatePolicy"]) {
        it(`refuses ${action} to the pull-request role (only the check calls it)`, async () => {
            assert.notEqual(await decide(load("preview-permissions.json"), read(action)), "Allowed");
        });
    }
});

/**
 * The engine's data does not list GitHub's `sub` and `aud` keys for sts:AssumeRoleWithWebIdentity (it knows the
 * newer claims such as `…:repository`), so it would drop them from the request and every call would be refused,
 * whatever the policy says. Both sides are renamed to two string claims it knows; the operators, missing-key rules
 * and principal matching stay the engine's own. The first test notices when the data learns the real keys.
 */
const RENAME: Record<string, string> = {
    "token.actions.githubusercontent.com:sub": "token.actions.githubusercontent.com:job_workflow_ref",
    "token.actions.githubusercontent.com:aud": "token.actions.githubusercontent.com:workflow",
};
const renamed = (text: string) => Object.entries(RENAME).reduce((t, [from, to]) => t.split(from).join(to), text);

async function assume(
    file: string,
    claims: { sub?: string; aud?: string },
    principal = OIDC,
    action = "sts:AssumeRoleWithWebIdentity",
): Promise<string> {
    const context: Record<string, string> = {};
    if (claims.sub !== undefined) context[RENAME["token.actions.githubusercontent.com:sub"]!] = claims.sub;
    if (claims.aud !== undefined) context[RENAME["token.actions.githubusercontent.com:aud"]!] = claims.aud;
    const result = await simulate({
        request: {
            principal,
            action,
            resource: { resource: `${IAM}:role/github-ci`, accountId: ACCOUNT },
            contextVariables: context,
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: JSON.parse(renamed(JSON.stringify(load(file)))),
    });
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    if (result.resultType === "single") assert.deepEqual(result.result.ignoredContextKeys ?? [], []);
    return result.overallResult;
}

describe("ci/aws: GitHub OIDC trust policies", () => {
    it("stand in for sub and aud only while the engine's data lacks them", async () => {
        const keys = await allowedContextKeysForRequest(
            "sts",
            "AssumeRoleWithWebIdentity",
            `${IAM}:role/x`,
            false,
            undefined,
        );
        for (const [real, standIn] of Object.entries(RENAME)) {
            assert.ok(!keys.includes(real), `the engine now knows ${real}: drop the renaming`);
            assert.ok(keys.includes(standIn), `the engine no longer knows ${standIn}`);
        }
    });

    const AUD = "sts.amazonaws.com";
    const cases: [string, string, { sub?: string; aud?: string }, string, string?][] = [
        [
            "preview-trust.json",
            "admits this repository's jobs in the preview environment (after its reviewers approve)",
            { sub: `repo:${REPO}:environment:preview`, aud: AUD },
            "Allowed",
        ],
        [
            "preview-trust.json",
            "refuses this repository's pull requests outside the environment (a PR that drops `environment:`)",
            { sub: `repo:${REPO}:pull_request`, aud: AUD },
            "ImplicitlyDenied",
        ],
        [
            "preview-trust.json",
            "refuses another environment of this repository",
            { sub: `repo:${REPO}:environment:preview-unreviewed`, aud: AUD },
            "ImplicitlyDenied",
        ],
        [
            "preview-trust.json",
            "refuses another repository's preview environment",
            { sub: "repo:mallory/k3s-admin-mfa:environment:preview", aud: AUD },
            "ImplicitlyDenied",
        ],
        [
            "preview-trust.json",
            "refuses a branch push of this repository",
            { sub: `repo:${REPO}:ref:refs/heads/main`, aud: AUD },
            "ImplicitlyDenied",
        ],
        [
            "preview-trust.json",
            "refuses a token without aud",
            { sub: `repo:${REPO}:environment:preview` },
            "ImplicitlyDenied",
        ],
        [
            "preview-trust.json",
            "refuses a token for another audience",
            { sub: `repo:${REPO}:environment:preview`, aud: "sigstore" },
            "ImplicitlyDenied",
        ],
        [
            "preview-trust.json",
            "refuses a token from another OIDC provider",
            { sub: `repo:${REPO}:environment:preview`, aud: AUD },
            "ImplicitlyDenied",
            `${IAM}:oidc-provider/gitlab.com`,
        ],
        [
            "drift-trust.json",
            "admits the default branch of this repository",
            { sub: `repo:${REPO}:ref:refs/heads/main`, aud: AUD },
            "Allowed",
        ],
        [
            "drift-trust.json",
            "refuses pull requests",
            { sub: `repo:${REPO}:pull_request`, aud: AUD },
            "ImplicitlyDenied",
        ],
        [
            "drift-trust.json",
            "refuses another branch",
            { sub: `repo:${REPO}:ref:refs/heads/feature`, aud: AUD },
            "ImplicitlyDenied",
        ],
        [
            "drift-trust.json",
            "refuses another repository's main",
            { sub: "repo:mallory/k3s-admin-mfa:ref:refs/heads/main", aud: AUD },
            "ImplicitlyDenied",
        ],
        [
            "drift-trust.json",
            "refuses a token without aud",
            { sub: `repo:${REPO}:ref:refs/heads/main` },
            "ImplicitlyDenied",
        ],
    ];
    for (const [file, what, claims, expected, principal] of cases) {
        it(`${file} ${what}`, async () => {
            assert.equal(await assume(file, claims, principal), expected);
        });
    }

    it("admits web identity only: no IAM user or role of the account may assume the CI roles", async () => {
        for (const file of ["preview-trust.json", "drift-trust.json"]) {
            assert.notEqual(await assume(file, {}, USER, "sts:AssumeRole"), "Allowed");
        }
    });
});
