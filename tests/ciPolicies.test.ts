import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { allowedContextKeysForRequest, type Simulation } from "@cloud-copilot/iam-simulate";
import { simulate } from "../analysis/simulate";
import type { PolicyDocument } from "../components/policies";

/**
 * The IAM policies CI's roles are made of (ci/aws/*.json, issue #13), decided by an IAM evaluation engine
 * (@cloud-copilot/iam-simulate, as analysis/matrix.ts uses it). Every read a preview, a refresh and the
 * post-deploy check make is allowed; writes and other principals' resources are not.
 */

const DIR = path.resolve(__dirname, "..", "ci", "aws");
const ACCOUNT = "123456789012";
const REPO = "acme/k3s-admin-mfa";
const IAM = `arn:aws:iam::${ACCOUNT}`;
const USER = `${IAM}:user/k3s-admin`;
const ROLE = `${IAM}:role/k3s-admin-mfa`;
const OIDC = `${IAM}:oidc-provider/token.actions.githubusercontent.com`;
const al2023 = (arch: string, account: string) =>
    `arn:aws:ssm:us-east-1:${account}:parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;

/** A shipped file with the placeholders the README tells people to replace filled in. */
function load(file: string): PolicyDocument {
    const text = fs.readFileSync(path.join(DIR, file), "utf8");
    return JSON.parse(text.replace(/ACCOUNT_ID/g, ACCOUNT).replace(/OWNER\/REPO/g, REPO)) as PolicyDocument;
}

type Request = readonly [action: string, resource: string, why: string];

/** The invokes the program makes on every preview (components/adminUser.ts, components/testInstance.ts). */
const PREVIEW_READS: readonly Request[] = [
    ["sts:GetCallerIdentity", "*", "aws.getCallerIdentity; the provider's credential check"],
    ["ec2:DescribeInstanceTypes", "*", "aws.ec2.getInstanceType (the type's architectures)"],
    // AWS's public parameters have no owner account in their ARN; the file's `*:*` covers both spellings, and the
    // engine needs one, so the caller's account stands in.
    ["ssm:GetParameter", al2023("x86_64", ACCOUNT), "aws.ssm.getParameter, x86_64 types"],
    ["ssm:GetParameter", al2023("arm64", ACCOUNT), "aws.ssm.getParameter, arm64 types"],
    ["ec2:DescribeVpcs", "*", "aws.ec2.getVpcs (is-default)"],
    ["ec2:DescribeInstanceTypeOfferings", "*", "aws.ec2.getInstanceTypeOfferings"],
    ["ec2:DescribeSubnets", "*", "aws.ec2.getSubnets / getSubnet"],
];

/** What the provider's Read functions call on `--refresh` (terraform-provider-aws, named per line). */
const REFRESH_READS: readonly Request[] = [
    ["iam:GetUser", USER, "iam/user.go resourceUserRead: findUserByName"],
    ["iam:ListUserTags", USER, "iam/user.go userTags (tag interceptor)"],
    ["iam:GetUserPolicy", USER, "iam/user_policy.go resourceUserPolicyRead"],
    ["iam:ListUserPolicies", USER, "iam/user_policy.go (import by user)"],
    ["iam:ListAttachedUserPolicies", USER, "iam/user_policy_attachment.go resourceUserPolicyAttachmentRead"],
    ["iam:GetRole", ROLE, "iam/role.go resourceRoleRead: findRoleByName"],
    ["iam:ListRoleTags", ROLE, "iam/role.go roleTags (tag interceptor)"],
    ["iam:ListRolePolicies", ROLE, "iam/role.go readRoleInlinePolicies: readRolePolicyNames"],
    ["iam:GetRolePolicy", ROLE, "iam/role.go readRoleInlinePolicies, for each inline policy"],
    ["iam:ListAttachedRolePolicies", ROLE, "iam/role.go readRolePolicyAttachments"],
    ["ec2:DescribeSecurityGroups", "*", "ec2/vpc_security_group.go resourceSecurityGroupRead"],
    ["ec2:DescribeSecurityGroupRules", "*", "ec2/vpc_security_group.go (rules)"],
    ["ec2:DescribeInstances", "*", "ec2/ec2_instance.go resourceInstanceRead: findInstanceByID"],
    ["ec2:DescribeInstanceTypes", "*", "ec2/ec2_instance.go resourceInstanceRead: findInstanceTypeByName"],
    ["ec2:DescribeInstanceAttribute", "*", "resourceInstanceRead: disableApiStop, disableApiTermination, userData"],
    ["ec2:DescribeInstanceCreditSpecifications", "*", "resourceInstanceRead: burstable (t3) types"],
    ["ec2:DescribeVolumes", "*", "resourceInstanceRead: readBlockDevices, readVolumeTags"],
    ["ec2:DescribeTags", "*", "resourceInstanceRead: readVolumeTags"],
    ["ec2:DescribeImages", "*", "resourceInstanceRead: readBlockDevices (the image's root device name)"],
];

/** The post-deploy check (scripts/enforcement.ts attempt, scripts/simulation.ts simulate). */
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
];

async function decide(policy: PolicyDocument, [action, resource]: Request): Promise<string> {
    const simulation: Simulation = {
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
                    /^((sts|iam|ec2|ssm):(Get|List|Describe|SimulatePrincipalPolicy)|access-analyzer:ValidatePolicy$)/,
                );
            assert.ok(!actions.some((a) => a.includes("*")), "no wildcard in an action");
            assert.deepEqual([...new Set(actions)].sort(), [...new Set(reads.map((r) => r[0]))].sort());
            for (const s of policy.Statement) assert.ok(!("Principal" in s), "an identity policy names no principal");
        });
    });
}

permissionsSuite("preview-permissions.json", [...PREVIEW_READS, ...REFRESH_READS]);
permissionsSuite("drift-permissions.json", [...PREVIEW_READS, ...REFRESH_READS, ...CHECK_READS]);

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
            "admits this repository's pull requests",
            { sub: `repo:${REPO}:pull_request`, aud: AUD },
            "Allowed",
        ],
        [
            "preview-trust.json",
            "refuses another repository's pull requests",
            { sub: "repo:mallory/k3s-admin-mfa:pull_request", aud: AUD },
            "ImplicitlyDenied",
        ],
        [
            "preview-trust.json",
            "refuses a branch push of this repository",
            { sub: `repo:${REPO}:ref:refs/heads/main`, aud: AUD },
            "ImplicitlyDenied",
        ],
        ["preview-trust.json", "refuses a token without aud", { sub: `repo:${REPO}:pull_request` }, "ImplicitlyDenied"],
        [
            "preview-trust.json",
            "refuses a token for another audience",
            { sub: `repo:${REPO}:pull_request`, aud: "sigstore" },
            "ImplicitlyDenied",
        ],
        [
            "preview-trust.json",
            "refuses a token from another OIDC provider",
            { sub: `repo:${REPO}:pull_request`, aud: AUD },
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
