import * as assert from "node:assert/strict";
import { MFA_BOOTSTRAP_ACTIONS } from "../components/policies";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import {
    adminUsersRequireMfaDeny,
    instancesRequireImdsv2AndEncryption,
    mfaDenyKeepsDeviceDeletionExempt,
    POLICIES,
    rolesTrustingPeopleRequireMfa,
} from "../policy/rules";
import { isBootstrapAction } from "../policy/documents";
import { runProgram } from "./mocks";
import { type PlainResource, packViolations, violations } from "./policyHarness";

function instance(props: Record<string, unknown> = {}): PlainResource[] {
    return [
        {
            type: "aws:ec2/instance:Instance",
            name: "i",
            props: { metadataOptions: { httpTokens: "required" }, rootBlockDevice: { encrypted: true }, ...props },
        },
    ];
}

const ACCOUNT = "123456789012";
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/k3s-admin`;
const ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";
const WITHOUT_MFA = { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } };
// The program's own exemption list: the documents the pack must accept are the ones the program writes.
const BOOTSTRAP = [...MFA_BOOTSTRAP_ACTIONS];
type Json = Record<string, unknown>;

/** Statement 1 of the user's inline policy: the seed's statement verbatim. */
function seedDeny(): Json {
    return {
        Sid: "MustBeSignedInWithMFA",
        Effect: "Deny",
        NotAction: [...BOOTSTRAP],
        Resource: "*",
        Condition: WITHOUT_MFA,
    };
}

/** The default (`scoped`) inline policy of issue #11: the seed's Deny, then three more Deny statements. */
function scopedPolicy(deny: Json = seedDeny()): Json {
    const userActions = ["ResyncMFADevice", "ListServiceSpecificCredentials", "ListSSHPublicKeys", "ListMFADevices"];
    return {
        Version: "2012-10-17",
        Statement: [
            deny,
            {
                Sid: "OnlyOwnUserWithoutMFA",
                Effect: "Deny",
                Action: [...userActions, "ListAccessKeys", "EnableMFADevice"].map((a) => `iam:${a}`),
                NotResource: "arn:aws:iam::*:user/${aws:username}",
                Condition: WITHOUT_MFA,
            },
            {
                Sid: "NoMFADeviceDeletionWithoutMFA",
                Effect: "Deny",
                Action: "iam:DeleteVirtualMFADevice",
                Resource: "*",
                Condition: WITHOUT_MFA,
            },
            {
                Sid: "MFASessionsExpire",
                Effect: "Deny",
                NotAction: [...BOOTSTRAP],
                Resource: "*",
                Condition: { NumericGreaterThanEquals: { "aws:MultiFactorAuthAge": "3600" } },
            },
        ],
    };
}

const ALLOW_EVERYTHING = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*:*", Resource: "*" }] };

/** The user as the engine knows it once it exists: its ARN tells the account. */
const adminUser = (): PlainResource => ({
    type: "aws:iam/user:User",
    name: "u",
    props: { name: "k3s-admin", arn: USER_ARN },
});

function inlinePolicy(policy: unknown, name = "p"): PlainResource {
    return { type: "aws:iam/userPolicy:UserPolicy", name, props: { user: "k3s-admin", policy } };
}

const adminAttachment = (): PlainResource => ({
    type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    name: "a",
    props: { user: "k3s-admin", policyArn: ADMIN_ARN },
});

/** The mapped role's trust statement as MfaRole writes it (roleTrust=user, mfaMaxAgeSeconds 3600). */
function mfaTrust(changes: Json = {}): Json {
    return {
        Sid: "AssumeOnlyWithRecentMFA",
        Effect: "Allow",
        Principal: { AWS: USER_ARN },
        Action: "sts:AssumeRole",
        Condition: {
            Bool: { "aws:MultiFactorAuthPresent": "true" },
            NumericLessThan: { "aws:MultiFactorAuthAge": "3600" },
        },
        ...changes,
    };
}

/** A role of any origin, trusting these statements. */
function role(...statements: Json[]): PlainResource {
    return {
        type: "aws:iam/role:Role",
        name: "r",
        props: { assumeRolePolicy: { Version: "2012-10-17", Statement: statements } },
    };
}

/** The role MfaRole declares (its URN names the component), trusting these statements. */
function mfaRole(...statements: Json[]): PlainResource {
    return { ...role(...statements), parents: ["k3s-admin-mfa:iam:MfaRole"] };
}

/** The default config's IAM resources; each mutation test below changes one route. */
function defaultStack(policy: unknown = scopedPolicy()): PlainResource[] {
    return [adminUser(), inlinePolicy(policy), adminAttachment(), mfaRole(mfaTrust())];
}

/** The user with AdministratorAccess and an inline policy of this one Deny (`null`: a policy with no statement). */
function seedStack(deny: Json | null = seedDeny(), asJson = false): PlainResource[] {
    const policy = { Version: "2012-10-17", Statement: deny ? [deny] : [] };
    return [adminUser(), adminAttachment(), inlinePolicy(asJson ? JSON.stringify(policy) : policy)];
}

/** The user and the role, with neither grant nor Deny: mutations add the grant their own way. */
const bare = (...more: PlainResource[]): PlainResource[] => [adminUser(), mfaRole(mfaTrust()), ...more];

const adminsGroup = (): PlainResource => ({ type: "aws:iam/group:Group", name: "g", props: { name: "admins" } });
const groupMembership = (): PlainResource => ({
    type: "aws:iam/groupMembership:GroupMembership",
    name: "gm",
    props: { name: "admins-members", group: "admins", users: ["k3s-admin"] },
});

/** The mandatory violations of the whole pack, as `rule: message`. */
async function mandatory(stack: readonly PlainResource[]): Promise<string[]> {
    const found = await packViolations(POLICIES, stack);
    return found.filter((v) => v.level === "mandatory").map((v) => `${v.rule}: ${v.message}`);
}

describe("policy pack: admin users require the MFA Deny (stack rule)", () => {
    it("passes the happy path, as an object or as a JSON string", async () => {
        assert.deepEqual(await violations(adminUsersRequireMfaDeny, seedStack()), []);
        assert.deepEqual(await violations(adminUsersRequireMfaDeny, seedStack(seedDeny(), true)), []);
    });

    it("ignores users without AdministratorAccess", async () => {
        const stack = seedStack(null).filter((r) => r.type !== "aws:iam/userPolicyAttachment:UserPolicyAttachment");
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
        [
            "an Allow instead of a Deny",
            (d: Record<string, unknown>) => ({ ...d, Effect: "Allow" }),
            /none of its inline policies has a Deny statement/,
        ],
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
            const deny = (change as (d: Json) => Json | null)(seedDeny());
            const found = await violations(adminUsersRequireMfaDeny, seedStack(deny));
            assert.equal(found.length, 1, found.join("\n"));
            assert.match(found[0]!, /^IAM user k3s-admin holds AdministratorAccess\b.* without an MFA Deny: /);
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
            "IAM:listusers",
        ]) {
            assert.ok(isBootstrapAction(a), a);
        }
        for (const a of [
            "sts:AssumeRole",
            "iam:CreateAccessKey",
            "iam:DeactivateMFADevice",
            "iam:*",
            "iam:List*",
            "*",
            "iam:GetUser",
            "iam:ListRoles",
        ]) {
            assert.ok(!isBootstrapAction(a), a);
        }
    });
});

describe("policy pack: roles trusting people require MFA", () => {
    it("passes a single MFA-conditioned Allow", async () => {
        assert.deepEqual(await violations(rolesTrustingPeopleRequireMfa, [role(mfaTrust())]), []);
    });

    it("reports a second Allow without the MFA condition", async () => {
        const { Condition: _c, ...bare } = mfaTrust();
        assert.deepEqual(await violations(rolesTrustingPeopleRequireMfa, [role(mfaTrust(), bare)]), [
            'trust policy Allow statement 2 does not require Bool aws:MultiFactorAuthPresent "true"',
        ]);
    });

    it("reports BoolIfExists true (it would admit requests with no MFA key) for an account root", async () => {
        const s = {
            ...mfaTrust({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } },
        };
        assert.equal((await violations(rolesTrustingPeopleRequireMfa, [role(s)])).length, 1);
    });

    it("leaves service roles alone", async () => {
        const service = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };
        assert.deepEqual(await violations(rolesTrustingPeopleRequireMfa, [role(service)]), []);
    });
});

describe("policy pack: the documents of issue #11 pass", () => {
    const json = (doc: unknown) => JSON.stringify(doc);
    const hardened = BOOTSTRAP.filter((a) => !/VirtualMFADevice$|EnableMFADevice$/.test(a));
    for (const [what, stack] of [
        ["the scoped default, as objects", () => defaultStack()],
        ["the scoped default, as the JSON strings the engine sends", () => defaultStack(json(scopedPolicy()))],
        ["the seed's single statement", () => defaultStack({ Version: "2012-10-17", Statement: [seedDeny()] })],
        [
            "the scoped policy with hardened: fewer exemptions, no device-deletion statement",
            () => {
                const doc = scopedPolicy({ ...seedDeny(), NotAction: hardened }) as { Statement: Json[] };
                doc.Statement = doc.Statement.filter((s) => s["Sid"] !== "NoMFADeviceDeletionWithoutMFA");
                return defaultStack(doc);
            },
        ],
        [
            "condition keys and Bool values in another case, Bool values as JSON booleans",
            () => [
                adminUser(),
                inlinePolicy({
                    Statement: [
                        { ...seedDeny(), Condition: { BoolIfExists: { "AWS:multifactorAuthPresent": false } } },
                    ],
                }),
                adminAttachment(),
                mfaRole(
                    mfaTrust({
                        Condition: {
                            Bool: { "aws:multifactorauthpresent": "TRUE" },
                            NumericLessThan: { "AWS:MultiFactorAuthAge": 3600 },
                        },
                    }),
                ),
            ],
        ],
        [
            "a trust narrowed by StringEquals sts:RoleSessionName ${aws:username}, and a Deny beside its Allow",
            () => [
                ...defaultStack().filter((r) => r.type !== "aws:iam/role:Role"),
                mfaRole(
                    mfaTrust({
                        Condition: {
                            ...(mfaTrust()["Condition"] as Json),
                            StringEquals: { "sts:RoleSessionName": "${aws:username}" },
                        },
                    }),
                    {
                        Effect: "Deny",
                        Principal: "*",
                        Action: "sts:AssumeRole",
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ),
            ],
        ],
        [
            "roleTrust=account: the root of the user's own account, as ARN or as bare ID",
            () => [
                ...defaultStack().filter((r) => r.type !== "aws:iam/role:Role"),
                mfaRole(mfaTrust({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT] } })),
            ],
        ],
        [
            "a user carrying the Deny beside an inline Allow *:* (the Deny wins)",
            () => [...defaultStack(), inlinePolicy(ALLOW_EVERYTHING, "p2")],
        ],
        [
            "a new user whose ARN the engine does not know yet (the account is not judged)",
            () => [{ ...adminUser(), props: { name: "k3s-admin" } }, ...defaultStack().slice(1)],
        ],
    ] as const) {
        it(`passes ${what}`, async () => {
            assert.deepEqual(await mandatory(stack()), []);
        });
    }
});

describe("policy pack: weakening the MFA rules fails, however it is done (issue #11 §3)", () => {
    const noDeny = (grant: string) =>
        new RegExp(
            `^admin-users-require-mfa-deny: IAM user k3s-admin holds ${grant} without an MFA Deny: none of its inline policies has a Deny statement$`,
        );
    const narrowed = (extra: Json) =>
        defaultStack(scopedPolicy({ ...seedDeny(), Condition: { ...WITHOUT_MFA, ...extra } }));
    const trusting = (changes: Json) => [...defaultStack().slice(0, 3), mfaRole(mfaTrust(changes))];
    const trustRule = (problem: string) =>
        new RegExp(`^roles-trusting-people-require-mfa: trust policy Allow statement 1 ${problem}`);
    const noMfa = { Condition: undefined };
    for (const [what, stack, expected] of [
        [
            "AdministratorAccess through aws.iam.PolicyAttachment's users, the inline Deny removed",
            () =>
                bare({
                    type: "aws:iam/policyAttachment:PolicyAttachment",
                    name: "pa",
                    props: { name: "admins", users: ["k3s-admin"], policyArn: ADMIN_ARN },
                }),
            noDeny("AdministratorAccess through PolicyAttachment pa"),
        ],
        [
            "AdministratorAccess through a group: GroupPolicyAttachment + GroupMembership, the inline Deny removed",
            () =>
                bare(adminsGroup(), groupMembership(), {
                    type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                    name: "ga",
                    props: { group: "admins", policyArn: ADMIN_ARN },
                }),
            noDeny("AdministratorAccess through group admins"),
        ],
        [
            "AdministratorAccess through a group: GroupPolicyAttachment + UserGroupMembership, linked by dependency only",
            () =>
                bare(
                    adminsGroup(),
                    {
                        type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                        name: "ga",
                        props: { group: "AGPA-not-a-name", policyArn: ADMIN_ARN },
                        dependsOn: { group: ["g"] },
                    },
                    {
                        type: "aws:iam/userGroupMembership:UserGroupMembership",
                        name: "ugm",
                        props: { user: "AIDA-not-a-name", groups: ["AGPA-not-a-name"] },
                        dependsOn: { user: ["u"], groups: ["g"] },
                    },
                ),
            noDeny("AdministratorAccess through group admins"),
        ],
        [
            "AdministratorAccess through aws.iam.PolicyAttachment's groups, to a group not declared in the stack",
            () =>
                bare(
                    { ...groupMembership(), props: { group: "ops", users: ["k3s-admin"] } },
                    {
                        type: "aws:iam/policyAttachment:PolicyAttachment",
                        name: "pa",
                        props: { name: "ops", groups: ["ops"], policyArn: ADMIN_ARN },
                    },
                ),
            noDeny("AdministratorAccess through group ops \\(PolicyAttachment pa\\)"),
        ],
        [
            "AdministratorAccess through UserPolicyAttachmentsExclusive",
            () =>
                bare({
                    type: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
                    name: "ex",
                    props: { userName: "k3s-admin", policyArns: [ADMIN_ARN] },
                }),
            noDeny("AdministratorAccess through UserPolicyAttachmentsExclusive ex"),
        ],
        [
            "an inline Allow *:* on * (aws.iam.UserPolicy) and no Deny",
            () => bare(inlinePolicy(ALLOW_EVERYTHING)),
            noDeny("an inline Allow of \\*:\\* on \\* \\(UserPolicy p\\)"),
        ],
        [
            'an inline Allow "*" on "*" in the policy of a group the user is in (aws.iam.GroupPolicy)',
            () =>
                bare(adminsGroup(), groupMembership(), {
                    type: "aws:iam/groupPolicy:GroupPolicy",
                    name: "gp",
                    props: {
                        group: "admins",
                        policy: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
                    },
                }),
            noDeny("an inline Allow of \\*:\\* on \\* \\(group admins, GroupPolicy gp\\)"),
        ],
        [
            "a customer-managed aws.iam.Policy allowing *:*, attached by dependency (its ARN unknown at preview)",
            () =>
                bare(
                    { type: "aws:iam/policy:Policy", name: "pol", props: { policy: JSON.stringify(ALLOW_EVERYTHING) } },
                    {
                        ...adminAttachment(),
                        props: { user: "k3s-admin", policyArn: "not-yet-known" },
                        dependsOn: { policyArn: ["pol"] },
                    },
                ),
            noDeny("customer-managed policy pol \\(Allow \\*:\\* on \\*\\)"),
        ],
        [
            "a customer-managed aws.iam.Policy allowing *:*, attached to the user's group by ARN",
            () =>
                bare(
                    adminsGroup(),
                    groupMembership(),
                    {
                        type: "aws:iam/policy:Policy",
                        name: "pol",
                        props: { policy: ALLOW_EVERYTHING, arn: `arn:aws:iam::${ACCOUNT}:policy/everything` },
                    },
                    {
                        type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                        name: "ga",
                        props: { group: "admins", policyArn: `arn:aws:iam::${ACCOUNT}:policy/everything` },
                    },
                ),
            noDeny("customer-managed policy pol \\(Allow \\*:\\* on \\*\\) through group admins"),
        ],
        [
            "the Deny narrowed by StringNotEquals aws:RequestedRegion us-east-1",
            () => narrowed({ StringNotEquals: { "aws:RequestedRegion": "us-east-1" } }),
            /holds AdministratorAccess without an MFA Deny: narrows its condition with StringNotEquals aws:RequestedRegion: /,
        ],
        [
            "the Deny narrowed by a second key under BoolIfExists (aws:ViaAWSService)",
            () => narrowed({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false" } }),
            /narrows its condition with BoolIfExists aws:ViaAWSService: /,
        ],
        [
            "the Deny exempting a wildcard (iam:List*) instead of the listed bootstrap actions",
            () => defaultStack(scopedPolicy({ ...seedDeny(), NotAction: ["sts:GetSessionToken", "iam:List*"] })),
            /exempts iam:List\*, which is not an MFA-bootstrap action/,
        ],
        [
            'trust Principal "*", MFA conditions kept',
            () => trusting({ Principal: "*" }),
            trustRule("admits every AWS principal"),
        ],
        [
            'trust Principal {AWS: "*"}, MFA conditions kept',
            () => trusting({ Principal: { AWS: "*" } }),
            trustRule("admits every AWS principal"),
        ],
        [
            "trust naming another account's root",
            () => trusting({ Principal: { AWS: "arn:aws:iam::999999999999:root" } }),
            /^roles-trusting-people-stay-in-account: role r trusts arn:aws:iam::999999999999:root, outside the account of the stack's IAM users \(123456789012\)$/,
        ],
        [
            "trust naming a user of the same name in another account",
            () => trusting({ Principal: { AWS: "arn:aws:iam::999999999999:user/k3s-admin" } }),
            /^roles-trusting-people-stay-in-account: role r trusts arn:aws:iam::999999999999:user\/k3s-admin/,
        ],
        [
            "the trust's aws:MultiFactorAuthAge condition removed",
            () => trusting({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }),
            trustRule("does not cap aws:MultiFactorAuthAge"),
        ],
        [
            "a second MFA age accepted (values of one key are ORed)",
            () =>
                trusting({
                    Condition: {
                        ...(mfaTrust()["Condition"] as Json),
                        NumericLessThan: { "aws:MultiFactorAuthAge": ["3600", "999999"] },
                    },
                }),
            trustRule("does not cap aws:MultiFactorAuthAge"),
        ],
        [
            "an MFA age above 36 h",
            () =>
                trusting({
                    Condition: {
                        ...(mfaTrust()["Condition"] as Json),
                        NumericLessThan: { "aws:MultiFactorAuthAge": "200000" },
                    },
                }),
            trustRule("does not cap aws:MultiFactorAuthAge"),
        ],
        [
            "trust naming a role, no MFA condition",
            () => trusting({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, ...noMfa }),
            trustRule(
                `names arn:aws:iam::${ACCOUNT}:role/ci, which is not an IAM user or an account root; does not require Bool`,
            ),
        ],
        [
            "trust naming an assumed-role session, no MFA condition",
            () => trusting({ Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/build` }, ...noMfa }),
            trustRule(`names arn:aws:sts::${ACCOUNT}:assumed-role/ci/build, which is not an IAM user`),
        ],
        [
            "trust naming a service, no MFA condition",
            () => trusting({ Principal: { Service: "ec2.amazonaws.com" }, ...noMfa }),
            trustRule("names Service ec2.amazonaws.com; only IAM users or the account root may be trusted"),
        ],
        [
            "trust naming unique IDs (AIDA…, AROA…), no MFA condition",
            () => trusting({ Principal: { AWS: ["AIDAJQABLZS4A3QDU576Q", "AROAJQABLZS4A3QDU576R"] }, ...noMfa }),
            trustRule("names AIDAJQABLZS4A3QDU576Q, AROAJQABLZS4A3QDU576R, which is not an IAM user"),
        ],
        [
            "trust by NotPrincipal",
            () => trusting({ Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:user/other` } }),
            trustRule("uses NotPrincipal"),
        ],
        [
            "trust allowing sts:* instead of sts:AssumeRole",
            () => trusting({ Action: "sts:*" }),
            trustRule("must allow exactly sts:AssumeRole"),
        ],
        [
            "a second Allow, both MFA-conditioned (the trust stays one statement)",
            () => [...defaultStack().slice(0, 3), mfaRole(mfaTrust(), mfaTrust())],
            /^roles-trusting-people-require-mfa: trust policy has 2 Allow statements/,
        ],
    ] as const) {
        it(`reports ${what} as mandatory`, async () => {
            const found = await mandatory(stack() as PlainResource[]);
            assert.equal(found.length, 1, found.join("\n"));
            assert.match(found[0]!, expected);
        });
    }
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
        const exempting = seedStack({
            ...seedDeny(),
            NotAction: ["sts:GetSessionToken", "iam:DeleteVirtualMFADevice"],
        });
        assert.equal((await violations(mfaDenyKeepsDeviceDeletionExempt, exempting)).length, 1);
        const keeping = { ...seedDeny(), NotAction: BOOTSTRAP.filter((a) => a !== "iam:DeleteVirtualMFADevice") };
        assert.deepEqual(await violations(mfaDenyKeepsDeviceDeletionExempt, seedStack(keeping)), []);
        assert.equal(mfaDenyKeepsDeviceDeletionExempt.enforcementLevel, "advisory");
    });

    it("is quiet when a second Deny takes the exemption back (the scoped default's NoMFADeviceDeletionWithoutMFA)", async () => {
        assert.deepEqual(await violations(mfaDenyKeepsDeviceDeletionExempt, [inlinePolicy(scopedPolicy())]), []);
        const seedOnly = { Version: "2012-10-17", Statement: [seedDeny()] };
        assert.equal((await violations(mfaDenyKeepsDeviceDeletionExempt, [inlinePolicy(seedOnly)])).length, 1);
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

    it("passes every rule, advisory included, for the default (scoped) config", async () => {
        assert.deepEqual(await packOver({}), {
            "admin-users-require-mfa-deny": [],
            "roles-trusting-people-require-mfa": [],
            "roles-trusting-people-stay-in-account": [],
            "ec2-instances-require-imdsv2-and-encryption": [],
            "mfa-deny-exempts-delete-virtual-mfa-device": [],
        });
    });

    it("passes every mandatory rule with mfaPolicy=seed, with the one advisory the seed's Deny earns", async () => {
        assert.deepEqual(await packOver({ mfaPolicy: "seed" }), {
            "admin-users-require-mfa-deny": [],
            "roles-trusting-people-require-mfa": [],
            "roles-trusting-people-stay-in-account": [],
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
