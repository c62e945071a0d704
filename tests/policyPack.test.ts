import * as assert from "node:assert/strict";
import {
    DEFAULT_USER_MFA_MAX_AGE_SECONDS,
    MAX_ROLE_MFA_AGE_SECONDS,
    MFA_BOOTSTRAP_ACTIONS,
} from "../components/policies";
import { ROLE_MAX_SESSION_SECONDS } from "../components/mfaRole";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import {
    adminUsersAsDeployed,
    adminUsersRequireMfaDeny,
    instancesRequireImdsv2AndEncryption,
    mfaDenyKeepsDeviceDeletionExempt,
    POLICIES,
    rolesTrustingPeopleRequireMfa,
} from "../policy/rules";
import { isBootstrapAction } from "../policy/documents";
import { STACK_TYPES } from "../policy/resourceTypes";
import { MAX_MFA_AGE_SECONDS, MAX_SESSION_SECONDS } from "../policy/trust";
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

/** Declared inside the AdminUser component named after the user, as index.ts declares each admin. */
const inAdminUser = { parents: ["k3s-admin-mfa:iam:AdminUser"], parentName: "k3s-admin" } as const;

/** The user as the engine knows it once it exists: its ARN tells the account. */
const adminUser = (): PlainResource => ({
    type: "aws:iam/user:User",
    name: "k3s-admin-user",
    props: { name: "k3s-admin", path: "/", arn: USER_ARN },
    ...inAdminUser,
});

function inlinePolicy(policy: unknown, name = "k3s-admin-mfa-policy"): PlainResource {
    return { type: "aws:iam/userPolicy:UserPolicy", name, props: { user: "k3s-admin", policy }, ...inAdminUser };
}

const adminAttachment = (): PlainResource => ({
    type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    name: "k3s-admin-administrator-access",
    props: { user: "k3s-admin", policyArn: ADMIN_ARN },
    ...inAdminUser,
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
            StringEquals: { "sts:RoleSessionName": "${aws:username}" },
        },
        ...changes,
    };
}

/** A role declared at the top of the program, trusting these statements. */
function role(...statements: Json[]): PlainResource {
    return {
        type: "aws:iam/role:Role",
        name: "k3s-admin-role",
        props: { maxSessionDuration: 3600, assumeRolePolicy: { Version: "2012-10-17", Statement: statements } },
    };
}

/** The role MfaRole declares (its URN names the component), trusting these statements. */
function mfaRole(...statements: Json[]): PlainResource {
    return { ...role(...statements), parents: ["k3s-admin-mfa:iam:MfaRole"], parentName: "k3s-admin" };
}

/** The default config's IAM resources; each mutation test below changes one route. */
function defaultStack(policy: unknown = scopedPolicy()): PlainResource[] {
    return [adminUser(), inlinePolicy(policy), adminAttachment(), mfaRole(mfaTrust())];
}

/** The user with an inline policy of this one Deny (`null`: a policy with no statement) and AdministratorAccess. */
function seedStack(deny: Json | null = seedDeny(), asJson = false): PlainResource[] {
    const policy = { Version: "2012-10-17", Statement: deny ? [deny] : [] };
    return [adminUser(), inlinePolicy(asJson ? JSON.stringify(policy) : policy), adminAttachment()];
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

describe("policy pack: admin users require the MFA Deny (resource and stack rules)", () => {
    it("passes the happy path, as an object or as a JSON string", async () => {
        for (const stack of [seedStack(), seedStack(seedDeny(), true)]) {
            assert.deepEqual(await violations(adminUsersAsDeployed, stack), []);
            assert.deepEqual(await violations(adminUsersRequireMfaDeny, stack), []);
        }
    });

    it("refuses a user with the Deny but no AdministratorAccess: not a shape the program writes", async () => {
        const stack = seedStack().filter((r) => r.type !== "aws:iam/userPolicyAttachment:UserPolicyAttachment");
        assert.deepEqual(await violations(adminUsersRequireMfaDeny, stack), [
            "IAM user k3s-admin has 0 policy attachments; exactly one, AdministratorAccess",
        ]);
    });

    for (const [what, change, message] of [
        ["no statement at all", () => null, /has no statement, so no MFA Deny$/],
        [
            "Bool instead of BoolIfExists",
            (d: Record<string, unknown>) => ({ ...d, Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }),
            /has no MFA Deny: uses Bool on aws:MultiFactorAuthPresent/,
        ],
        [
            "no condition",
            (d: Record<string, unknown>) => ({ ...d, Condition: undefined }),
            /BoolIfExists aws:MultiFactorAuthPresent "false"/,
        ],
        [
            "an Allow instead of a Deny",
            (d: Record<string, unknown>) => ({ ...d, Effect: "Allow" }),
            /has statement 1 that is not a Deny: the admin's inline policy may only deny$/,
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
        it(`refuses ${what}, before the grant and across the stack`, async () => {
            const deny = (change as (d: Json) => Json | null)(seedDeny());
            const byResource = await violations(adminUsersAsDeployed, seedStack(deny));
            assert.equal(byResource.length, 2, byResource.join("\n"));
            assert.match(byResource[0]!, /^k3s-admin-mfa-policy its document /);
            assert.match(byResource[0]!, message);
            // The grant that follows is refused too: its Deny did not pass.
            assert.match(byResource[1]!, /^k3s-admin-administrator-access grants k3s-admin AdministratorAccess before/);
            const byStack = await violations(adminUsersRequireMfaDeny, seedStack(deny));
            assert.equal(byStack.length, 1, byStack.join("\n"));
            assert.match(byStack[0]!, /^inline policy k3s-admin-mfa-policy /);
            assert.match(byStack[0]!, message);
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

describe("policy pack: principals only where the program declares them", () => {
    const refusals = async (stack: PlainResource[]) =>
        (await packViolations([adminUsersAsDeployed], stack)).map((v) => v.message);

    it("refuses AdminUser's children inside another component (nested AdminUser)", async () => {
        const nested = seedStack().map((r) => ({ ...r, parents: ["acme:x:Wrapper", ...(r.parents ?? [])] }));
        const found = await refusals(nested);
        assert.equal(found.length, 3, found.join("\n"));
        assert.ok(found.every((m) => / is declared outside an AdminUser at the top of the program/.test(m)));
    });

    it("refuses a second inline policy inside the admin's own AdminUser", async () => {
        const found = await refusals([...seedStack(), inlinePolicy(scopedPolicy(), "k3s-admin-extra")]);
        assert.deepEqual(found, [
            "AdminUser k3s-admin declares only k3s-admin-mfa-policy of type aws:iam/userPolicy:UserPolicy, not k3s-admin-extra",
        ]);
    });

    it("refuses an AdminUser's children naming another AdminUser's user", async () => {
        const alice = { parents: ["k3s-admin-mfa:iam:AdminUser"], parentName: "alice" };
        const found = await refusals([
            ...seedStack(),
            { ...adminUser(), ...alice, name: "alice-user", props: { name: "alice", path: "/" } },
            { ...inlinePolicy(scopedPolicy(), "alice-mfa-policy"), ...alice },
            { ...adminAttachment(), ...alice, name: "alice-administrator-access" },
        ]);
        assert.deepEqual(found, [
            'alice-mfa-policy is put on user "k3s-admin", not its AdminUser\'s alice',
            'alice-administrator-access attaches to user "k3s-admin", not its AdminUser\'s alice',
            "alice-administrator-access grants alice AdministratorAccess before their user and MFA Deny have passed in this deployment (AdminUser declares the grant after the Deny, dependsOn it)",
        ]);
    });
});

describe("policy pack: roles trusting people require MFA", () => {
    const roleRule = async (stack: PlainResource[]) =>
        (await packViolations(POLICIES, stack)).filter((v) => v.rule === rolesTrustingPeopleRequireMfa.name);

    it("passes MfaRole's single MFA-conditioned Allow, once its user has passed", async () => {
        assert.deepEqual(await roleRule(defaultStack()), []);
    });

    it("refuses the same trust when the role comes before its user (the program declares it after, dependsOn)", async () => {
        const [user, policy, grant, r] = defaultStack();
        const found = await roleRule([r!, user!, policy!, grant!]);
        assert.deepEqual(
            found.map((v) => v.message),
            [`trust policy names ${USER_ARN}: not a user of an AdminUser that passed in this deployment`],
        );
    });

    it("refuses a second Allow without the MFA condition", async () => {
        const { Condition: _c, ...bare } = mfaTrust();
        const found = await roleRule([...defaultStack().slice(0, 3), mfaRole(mfaTrust(), bare)]);
        assert.deepEqual(
            found.map((v) => v.message),
            ["trust policy has 2 statements; exactly one Allow"],
        );
    });

    it("refuses BoolIfExists true (it would admit requests with no MFA key) for an account root", async () => {
        const s = {
            ...mfaTrust({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
            Condition: {
                ...(mfaTrust()["Condition"] as Json),
                Bool: undefined,
                BoolIfExists: { "aws:MultiFactorAuthPresent": "true" },
            },
        };
        const found = await roleRule([...defaultStack().slice(0, 3), mfaRole(s)]);
        assert.equal(found.length, 1);
        assert.match(found[0]!.message, /must require Bool aws:MultiFactorAuthPresent "true"$/);
    });

    it("refuses a service role: the stack's only role is MfaRole's", async () => {
        const service = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };
        const found = await roleRule([...defaultStack(), { ...role(service), name: "ec2" }]);
        assert.deepEqual(
            found.map((v) => v.message),
            ["ec2 is not the role of an MfaRole at the top of the program: the stack's only roles"],
        );
    });
});

describe("policy pack: the documents of issues #11 and #12 pass", () => {
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
                            StringEquals: { "STS:RoleSessionName": "${aws:username}" },
                        },
                    }),
                ),
            ],
        ],
        [
            "roleTrust=account: the root of the user's own account",
            () => [
                ...defaultStack().filter((r) => r.type !== "aws:iam/role:Role"),
                mfaRole(mfaTrust({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })),
            ],
        ],
        [
            "a new user whose ARN the engine does not know yet (the account is not judged)",
            () => [{ ...adminUser(), props: { name: "k3s-admin", path: "/" } }, ...defaultStack().slice(1)],
        ],
    ] as const) {
        it(`passes ${what}`, async () => {
            assert.deepEqual(await mandatory(stack()), []);
        });
    }
});

describe("policy pack: weakening the MFA rules fails, however it is done (issue #11 §3)", () => {
    /** Refused as the resource registers: a type the stack does not declare, or a document that is not a Deny. */
    const noDeny = (resource: string) =>
        new RegExp(
            `^(only-the-stacks-resource-types: ${resource} is of type |admin-users-as-deployed: ${resource} its document has statement 1 that is not a Deny)`,
        );
    const narrowed = (extra: Json) =>
        defaultStack(scopedPolicy({ ...seedDeny(), Condition: { ...WITHOUT_MFA, ...extra } }));
    const trusting = (changes: Json) => [...defaultStack().slice(0, 3), mfaRole(mfaTrust(changes))];
    const trustRule = (problem: string) => new RegExp(`^roles-trusting-people-require-mfa: trust policy ${problem}`);
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
            noDeny("pa"),
        ],
        [
            "AdministratorAccess through a group: GroupPolicyAttachment + GroupMembership, the inline Deny removed",
            () =>
                bare(adminsGroup(), groupMembership(), {
                    type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                    name: "ga",
                    props: { group: "admins", policyArn: ADMIN_ARN },
                }),
            noDeny("ga"),
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
                        dependsOn: { user: ["k3s-admin-user"], groups: ["g"] },
                    },
                ),
            noDeny("ga"),
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
            noDeny("pa"),
        ],
        [
            "AdministratorAccess through UserPolicyAttachmentsExclusive",
            () =>
                bare({
                    type: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
                    name: "ex",
                    props: { userName: "k3s-admin", policyArns: [ADMIN_ARN] },
                }),
            noDeny("ex"),
        ],
        [
            "an inline Allow *:* on * (aws.iam.UserPolicy) and no Deny",
            () => bare(inlinePolicy(ALLOW_EVERYTHING)),
            noDeny("k3s-admin-mfa-policy"),
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
            noDeny("g"),
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
            noDeny("pol"),
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
            noDeny("g"),
        ],
        [
            "the Deny narrowed by StringNotEquals aws:RequestedRegion us-east-1",
            () => narrowed({ StringNotEquals: { "aws:RequestedRegion": "us-east-1" } }),
            /has no MFA Deny: narrows its condition with StringNotEquals aws:RequestedRegion: /,
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
            trustRule("must name IAM users as \\{AWS: …\\}"),
        ],
        [
            'trust Principal {AWS: "*"}, MFA conditions kept',
            () => trusting({ Principal: { AWS: "*" } }),
            trustRule("names \\*: not a user of an AdminUser"),
        ],
        [
            "trust naming another account's root",
            () => trusting({ Principal: { AWS: "arn:aws:iam::999999999999:root" } }),
            /^roles-trusting-people-stay-in-account: role k3s-admin-role trusts arn:aws:iam::999999999999:root: not one of the stack's IAM users/,
        ],
        [
            "trust naming a user of the same name in another account",
            () => trusting({ Principal: { AWS: "arn:aws:iam::999999999999:user/k3s-admin" } }),
            /^roles-trusting-people-stay-in-account: role k3s-admin-role trusts arn:aws:iam::999999999999:user\/k3s-admin: /,
        ],
        [
            "the trust's aws:MultiFactorAuthAge condition removed",
            () => trusting({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }),
            trustRule("must require NumericLessThan aws:MultiFactorAuthAge from 1 to 3600"),
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
            trustRule("must require NumericLessThan aws:MultiFactorAuthAge from 1 to 3600"),
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
            trustRule("must require NumericLessThan aws:MultiFactorAuthAge from 1 to 3600"),
        ],
        [
            "trust naming a role, no MFA condition",
            () => trusting({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, ...noMfa }),
            trustRule(`names arn:aws:iam::${ACCOUNT}:role/ci: not a user of an AdminUser`),
        ],
        [
            "trust naming an assumed-role session, no MFA condition",
            () => trusting({ Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/build` }, ...noMfa }),
            trustRule(`names arn:aws:sts::${ACCOUNT}:assumed-role/ci/build: not a user`),
        ],
        [
            "trust naming a service, no MFA condition",
            () => trusting({ Principal: { Service: "ec2.amazonaws.com" }, ...noMfa }),
            trustRule("must name IAM users as \\{AWS: …\\}"),
        ],
        [
            "trust naming unique IDs (AIDA…, AROA…), no MFA condition",
            () => trusting({ Principal: { AWS: ["AIDAJQABLZS4A3QDU576Q", "AROAJQABLZS4A3QDU576R"] }, ...noMfa }),
            trustRule("names AIDAJQABLZS4A3QDU576Q, AROAJQABLZS4A3QDU576R: not a user"),
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
            /^roles-trusting-people-require-mfa: trust policy has 2 statements; exactly one Allow$/,
        ],
    ] as const) {
        it(`refuses ${what}`, async () => {
            const found = await mandatory(stack() as PlainResource[]);
            assert.ok(
                found.some((m) => expected.test(m)),
                found.join("\n"),
            );
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
    /** The program's resources in registration order, with the components they are declared in. */
    async function declared(config: Record<string, unknown>): Promise<PlainResource[]> {
        const run = await runProgram(config);
        return run.registrations
            .filter((r) => r.custom)
            .map((r) => {
                const urn = run.urns.find((u) => u.endsWith(`${r.type}::${r.name}`))!;
                const chain = urn.split("::")[2]!.split("$");
                return {
                    type: r.type,
                    name: r.name,
                    props: run.resources.find((x) => x.type === r.type && x.name === r.name)!.inputs,
                    parents: chain.slice(0, -1),
                    parentName: r.parent ? r.parent.split("::").slice(3).join("::") : undefined,
                };
            });
    }

    async function packOver(config: Record<string, unknown>): Promise<Record<string, string[]>> {
        const out: Record<string, string[]> = Object.fromEntries(POLICIES.map((p) => [p.name, []]));
        for (const v of await packViolations(POLICIES, await declared(config))) out[v.rule]!.push(v.message);
        return out;
    }

    it("passes every rule, advisory included, for the default (scoped) config", async () => {
        assert.deepEqual(Object.values(await packOver({})).flat(), []);
    });

    it("passes every mandatory rule with mfaPolicy=seed, with the one advisory the seed's Deny earns", async () => {
        const out = await packOver({ mfaPolicy: "seed" });
        assert.deepEqual(out["mfa-deny-exempts-delete-virtual-mfa-device"], [
            "the MFA Deny exempts iam:DeleteVirtualMFADevice; set `hardened true` once the MFA device is enrolled",
        ]);
        delete out["mfa-deny-exempts-delete-virtual-mfa-device"];
        assert.deepEqual(Object.values(out).flat(), []);
    });

    for (const [what, config] of [
        ["hardened=true and roleTrust=account", { hardened: "true", roleTrust: "account" }],
        ["a team of three admins", { adminUserNames: ["k3s-admin", "alice", "bob"] }],
        [
            "tamperAlarm on with an e-mail, and a test-instance profile",
            {
                tamperAlarm: "true",
                tamperAlarmEmail: "ops@example.com",
                testInstanceProfile: "k3s-test",
            },
        ],
    ] as const) {
        it(`passes every rule, advisory included, with ${what}`, async () => {
            assert.deepEqual(Object.values(await packOver(config)).flat(), []);
        });
    }

    it("allows exactly the resource types the program declares, under every setting that adds one", async () => {
        const types = new Set<string>();
        for (const config of [
            {},
            { tamperAlarm: "true", tamperAlarmEmail: "ops@example.com", testInstanceProfile: "k3s-test" },
        ])
            for (const r of (await runProgram(config)).registrations) types.add(r.type);
        // The mocks run no root stack and no default providers; the engine registers those (command's included).
        for (const engine of ["pulumi:pulumi:Stack", "pulumi:providers:aws", "pulumi:providers:command"])
            types.add(engine);
        assert.deepEqual([...STACK_TYPES].sort(), [...types].sort());
    });

    it("caps the trust's MFA age and the role's sessions at the program's own hour", () => {
        assert.equal(MAX_SESSION_SECONDS, ROLE_MAX_SESSION_SECONDS);
        assert.equal(MAX_MFA_AGE_SECONDS, ROLE_MAX_SESSION_SECONDS);
        assert.equal(MAX_MFA_AGE_SECONDS, MAX_ROLE_MFA_AGE_SECONDS);
        assert.equal(MAX_MFA_AGE_SECONDS, DEFAULT_USER_MFA_MAX_AGE_SECONDS);
    });
});

describe("docs/policy-pack.md", () => {
    it("lists every rule of the pack with its level and where it runs", () => {
        const doc = fs.readFileSync(path.resolve(__dirname, "..", "docs", "policy-pack.md"), "utf8");
        const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` \| (\w+) \| (resource|stack) \|/gm)].map((m) => m.slice(1));
        const pack = POLICIES.map((p) => [p.name, p.enforcementLevel, "validateResource" in p ? "resource" : "stack"]);
        assert.deepEqual(rows, pack);
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
