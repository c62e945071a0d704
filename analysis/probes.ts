import { MFA_BOOTSTRAP_ACTIONS, type PolicyDocument } from "../components/policies";
import { adminPolicies, assumeOnlyPolicies, type Caller, otherPrincipal, otherRegion, userCallers } from "./callers";
import type { DeclaredAccess, DeclaredUser } from "./declared";
import {
    type Decision,
    expectedForRole,
    expectedForUser,
    type Expectations,
    isStyleWeakness,
    type Target,
} from "./expectations";
import { sampledActions } from "./sample";
import { sessionTable } from "./sessions";
import { type OtherTarget, otherTargets } from "./targets";

/**
 * The requests of the access matrix, each with the decision the config asks for. Four tables: each admin user's
 * requests (action rows, caller columns), who may assume the role, a sample of AWS's whole action list, and the role
 * session names each admin may take.
 */

export type Table = "user" | "role" | "sample" | "session";

/**
 * The tables `npm run plan` shows. Session names matter once there are several people to tell apart (alice must not
 * pass as bob in the cluster's audit log); a one-person stack's report stays as it was before teams, and its trust
 * is pinned document for document by tests/defaultStack.test.ts.
 */
export function defaultTables(d: DeclaredAccess): Table[] {
    return d.users.length > 1 ? ["user", "role", "session", "sample"] : ["user", "role", "sample"];
}

export interface Probe {
    readonly table: Table;
    readonly caller: Caller;
    readonly action: string;
    /** Shown after the action when the request is not on the caller's own resource: "another user", …. */
    readonly on?: string;
    /** ARNs to evaluate on, first that the engine accepts. */
    readonly resources: readonly string[];
    readonly resourcePolicy?: PolicyDocument;
    readonly expected: Decision;
    readonly weakness: boolean;
    /** The user table's row group. */
    readonly group?: string;
    /** Whose requests these are, when the stack has several admins (user, sample and session tables). */
    readonly admin?: string;
}

/** The user table's row groups, in the order the report shows them. */
const GROUPS = {
    sensitive: "need MFA",
    bootstrap: "bootstrap (exempt without MFA)",
    otherUsers: "exemptions on other users",
    resourcePolicies: "resource policies naming the user",
    role: "the MFA role",
} as const;

/**
 * Actions that nobody may perform without MFA, whatever the exemption list says: the seed's test (launching EC2),
 * creating identities, undoing the user's own restrictions, minting keys, dropping the MFA device, reading data.
 * Shown by name in the user table; the sample covers the rest of AWS.
 */
export const SENSITIVE_ACTIONS: readonly string[] = [
    "ec2:RunInstances",
    "iam:CreateUser",
    "iam:DeleteUserPolicy",
    "iam:DetachUserPolicy",
    "iam:CreateAccessKey",
    "iam:DeactivateMFADevice",
    "s3:GetObject",
];

/** The resource each named action is evaluated on, of the type IAM expects for it: the caller's own where it has one. */
function ownResource(action: string, d: DeclaredAccess, user: DeclaredUser): string {
    const iam = `arn:${d.partition}:iam::${d.accountId}`;
    const userScoped =
        /^iam:(ResyncMFADevice|ListServiceSpecificCredentials|ListSSHPublicKeys|ListMFADevices|ListAccessKeys|EnableMFADevice|DeactivateMFADevice|DeleteUserPolicy|DetachUserPolicy|CreateAccessKey)$/;
    if (userScoped.test(action)) return user.arn;
    if (/^iam:(Create|Delete)VirtualMFADevice$/.test(action)) return `${iam}:mfa/${user.name}`;
    if (action === "iam:CreateUser") return `${iam}:user/someone-new`;
    if (action === "ec2:RunInstances") return `arn:${d.partition}:ec2:${d.region}:${d.accountId}:instance/*`;
    if (action === "s3:GetObject") return `arn:${d.partition}:s3:::some-bucket/some-object`;
    return "*";
}

/** With several admins, each one's rows are labelled and marked with their name; one admin's are as they always were. */
function team(d: DeclaredAccess, user: DeclaredUser): { prefix: string; admin?: string } {
    return d.users.length > 1 ? { prefix: `${user.name}, `, admin: user.name } : { prefix: "" };
}

function userTable(d: DeclaredAccess, e: Expectations, user: DeclaredUser): Probe[] {
    const { prefix, admin } = team(d, user);
    const who = userCallers(d, user, prefix);
    const max = e.userMfaMaxAgeSeconds;
    const callers = [
        who.keys(),
        who.sessionWithoutMfa(),
        who.mfaSession(60),
        who.mfaSession(max - 1),
        who.mfaSession(max),
    ];
    const own = (group: string, actions: readonly string[]) =>
        actions.map((action) => ({ group, action, target: "own" as Target, resource: ownResource(action, d, user) }));
    const others = otherTargets(d, user);
    const requests: (Omit<OtherTarget, "on"> & { on?: string; group: string })[] = [
        ...own(GROUPS.sensitive, SENSITIVE_ACTIONS),
        ...own(GROUPS.bootstrap, MFA_BOOTSTRAP_ACTIONS),
        ...others.filter((o) => o.target === "another user").map((o) => ({ ...o, group: GROUPS.otherUsers })),
        ...others.filter((o) => o.target === "resource policy").map((o) => ({ ...o, group: GROUPS.resourcePolicies })),
        // Without a code on this very call: the AWS CLI's role profile sends one (the role table's CLI row).
        {
            group: GROUPS.role,
            action: "sts:AssumeRole",
            on: "the role, no MFA code on the call",
            target: "own",
            resource: d.role.arn,
            policy: d.role.trustPolicy,
        },
    ];
    return callers.flatMap((caller) =>
        requests.map((r) => ({
            table: "user" as const,
            caller,
            action: r.action,
            ...(r.on ? { on: r.on } : {}),
            resources: [r.resource],
            ...(r.policy ? { resourcePolicy: r.policy } : {}),
            expected: expectedForUser(e, caller, r.action, r.target),
            weakness: isStyleWeakness(e, caller, r.action, r.target),
            group: r.group,
            ...(admin ? { admin } : {}),
        })),
    );
}

/** The youngest MFA age the role tables try: recent, and below even a short `mfaMaxAgeSeconds`. */
const youngMfa = (e: Expectations) => Math.min(60, e.mfaMaxAgeSeconds - 1);

function roleTable(d: DeclaredAccess, e: Expectations): Probe[] {
    const max = e.mfaMaxAgeSeconds;
    const young = youngMfa(e);
    const first = d.users[0]!;
    const account = d.accountId === "999999999999" ? "888888888888" : "999999999999";
    const iam = `arn:${d.partition}:iam::${d.accountId}`;
    const limit = (age: number) =>
        age === max - 1 ? " (below limit)" : age === max ? " (at limit)" : age > max ? " (above limit)" : "";
    const mine = (user: DeclaredUser) => {
        const me = userCallers(d, user, `${user.name}, `);
        const aged = (age: number) => ({ ...me.mfaSession(age), label: `${user.name}, MFA ${age} s old${limit(age)}` });
        return [
            { ...me.keys(), label: `${user.name}, long-term keys (no code)` },
            me.sessionWithoutMfa(),
            me.keysWithCode(),
            ...[young, max - 1, max, max + 1].map(aged),
        ].map((caller) => ({ caller, who: "me" as const }));
    };
    const rows: { caller: Caller; who: "me" | "same account" | "other account" }[] = [
        ...d.users.flatMap(mine),
        {
            caller: otherPrincipal(
                d,
                d.users.length > 1
                    ? "another admin of this account, not one of the team, with MFA"
                    : "another admin of this account, with MFA",
                `${iam}:user/someone-else`,
                `${iam}:user/someone-else`,
                adminPolicies(d),
                young,
            ),
            who: "same account",
        },
        {
            caller: otherPrincipal(
                d,
                "a user of this account allowed only sts:AssumeRole on the role, with MFA",
                `${iam}:user/deployer`,
                `${iam}:user/deployer`,
                assumeOnlyPolicies(d),
                young,
            ),
            who: "same account",
        },
        {
            caller: otherPrincipal(
                d,
                "the same user, long-term keys",
                `${iam}:user/deployer`,
                `${iam}:user/deployer`,
                assumeOnlyPolicies(d),
                undefined,
            ),
            who: "same account",
        },
        {
            caller: otherPrincipal(
                d,
                "another role's session (assumed without MFA), allowed sts:AssumeRole on the role",
                `arn:${d.partition}:sts::${d.accountId}:assumed-role/ci-deployer/build-42`,
                `${iam}:role/ci-deployer`,
                assumeOnlyPolicies(d),
                undefined,
            ),
            who: "same account",
        },
        {
            caller: otherPrincipal(
                d,
                `${first.name} of another account, with MFA`,
                `arn:${d.partition}:iam::${account}:user/${first.name}`,
                `arn:${d.partition}:iam::${account}:user/${first.name}`,
                adminPolicies(d),
                young,
            ),
            who: "other account",
        },
    ];
    return rows.map(({ caller, who }) => ({
        table: "role" as const,
        caller,
        action: "sts:AssumeRole",
        resources: [d.role.arn],
        resourcePolicy: d.role.trustPolicy,
        expected: expectedForRole(e, caller, who),
        weakness: false,
    }));
}

async function sampleTable(d: DeclaredAccess, e: Expectations, user: DeclaredUser): Promise<Probe[]> {
    const { prefix, admin } = team(d, user);
    const who = userCallers(d, user, prefix);
    const callers = [
        who.keys(),
        who.keys(otherRegion(d.region)),
        who.sessionWithoutMfa(),
        who.mfaSession(60),
        who.mfaSession(e.userMfaMaxAgeSeconds),
    ];
    const { partition, region, accountId } = d;
    const sample = await sampledActions({ partition, region, accountId }, SENSITIVE_ACTIONS);
    return callers.flatMap((caller) =>
        sample.map((s) => ({
            table: "sample" as const,
            caller,
            action: s.action,
            resources: s.resources,
            expected: expectedForUser(e, caller, s.action, "own"),
            weakness: isStyleWeakness(e, caller, s.action, "own"),
            ...(admin ? { admin } : {}),
        })),
    );
}

/** Every request of the tables asked for, with the decision the config asks for. */
export async function probes(d: DeclaredAccess, e: Expectations, tables: readonly Table[]): Promise<Probe[]> {
    const sample = tables.includes("sample") ? await Promise.all(d.users.map((u) => sampleTable(d, e, u))) : [];
    return [
        ...(tables.includes("user") ? d.users.flatMap((u) => userTable(d, e, u)) : []),
        ...(tables.includes("role") ? roleTable(d, e) : []),
        ...(tables.includes("session") ? sessionTable(d, e) : []),
        ...sample.flat(),
    ];
}
