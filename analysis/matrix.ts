import { runSimulation, type RequestAnalysis, type Simulation } from "@cloud-copilot/iam-simulate";
import { MFA_BOOTSTRAP_ACTIONS, MFA_DEVICE_SETUP_ACTIONS, type PolicyDocument } from "../components/policies";
import type { DeclaredAccess, NamedPolicy } from "./declared";
import { managedPolicyDocument } from "./managedPolicies";

/**
 * The access matrix: who can do what with the declared policies, decided by a real IAM evaluation engine
 * (@cloud-copilot/iam-simulate, AGPL: tooling only, never imported by the deployed program).
 */

export type Decision = "ALLOW" | "DENY";

/** What the stack is supposed to do, from its config alone — never from the documents under test. */
export interface Expectations {
    readonly hardened: boolean;
    readonly roleTrust: "user" | "account";
    readonly mfaMaxAgeSeconds: number;
}

export interface Cell {
    /** `user`: the admin user's own requests; `role`: who may assume the MFA role. */
    readonly table: "user" | "role";
    readonly caller: string;
    readonly action: string;
    readonly decision: Decision;
    /** The statement that decided: its Sid, or its policy's name when it has none. */
    readonly decidedBy: string;
    readonly expected: Decision;
    /** Expected DENY: an ALLOW here lets someone act without MFA (or as someone else). */
    readonly mustDeny: boolean;
}

/** A cell that must be denied but is allowed: the one outcome the stack exists to prevent. */
export const isViolation = (c: Cell): boolean => c.mustDeny && c.decision === "ALLOW";

/**
 * Actions that nobody may perform without MFA, whatever the exemption list says: the seed's test (launching EC2),
 * creating identities, undoing the user's own restrictions, minting keys, dropping the MFA device, reading data.
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

interface Caller {
    readonly label: string;
    readonly principal: string;
    readonly policies: readonly NamedPolicy[];
    readonly context: Record<string, string>;
    readonly mfa: boolean;
}

const NO_MFA = {};
const MFA_FALSE = { "aws:MultiFactorAuthPresent": "false" };
const mfaAged = (seconds: number) => ({
    "aws:MultiFactorAuthPresent": "true",
    "aws:MultiFactorAuthAge": String(seconds),
});

/** The resource each probed action is evaluated against, of the type IAM expects for it. */
function resourceFor(action: string, d: DeclaredAccess): string {
    const iam = `arn:${d.partition}:iam::${d.accountId}`;
    const userScoped =
        /^iam:(ResyncMFADevice|ListServiceSpecificCredentials|ListSSHPublicKeys|ListMFADevices|ListAccessKeys|EnableMFADevice|DeactivateMFADevice|DeleteUserPolicy|DetachUserPolicy|CreateAccessKey)$/;
    if (userScoped.test(action)) return d.user.arn;
    if (/^iam:(Create|Delete)VirtualMFADevice$/.test(action)) return `${iam}:mfa/${d.user.name}`;
    if (action === "iam:CreateUser") return `${iam}:user/someone-new`;
    if (action === "ec2:RunInstances") return `arn:${d.partition}:ec2:${d.region}:${d.accountId}:instance/*`;
    if (action === "s3:GetObject") return `arn:${d.partition}:s3:::some-bucket/some-object`;
    if (action === "sts:AssumeRole") return d.role.arn;
    return "*";
}

function label(policyId: string, sid: string | undefined): string {
    return sid ?? policyId;
}

/** The statement that decided an analysis, for the report. */
function decidedBy(a: RequestAnalysis): string {
    const identity = a.identityAnalysis;
    const trust = a.resourceAnalysis;
    const denies = [...(identity?.denyStatements ?? []), ...(trust?.denyStatements ?? [])];
    if (a.result === "ExplicitlyDenied" && denies[0]) return label(denies[0].policyId, denies[0].statement.sid());
    if (a.result === "Allowed") {
        // For a role, the trust statement is what lets this caller in; otherwise the identity Allow.
        const allow = trust?.allowStatements[0] ?? identity?.allowStatements[0];
        return allow ? label(allow.policyId, allow.statement.sid()) : "(allowed)";
    }
    if (trust && trust.result !== "Allowed" && trust.result !== "AllowedForAccount")
        return "no trust statement matches";
    return "no Allow matches";
}

async function evaluate(
    d: DeclaredAccess,
    caller: Caller,
    action: string,
): Promise<{ decision: Decision; decidedBy: string }> {
    const resource = resourceFor(action, d);
    const simulation: Simulation = {
        request: {
            principal: caller.principal,
            action,
            resource: { resource, accountId: d.accountId },
            contextVariables: caller.context,
        },
        identityPolicies: caller.policies.map((p) => ({ name: p.name, policy: p.document })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(action === "sts:AssumeRole" ? { resourcePolicy: d.role.trustPolicy } : {}),
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") {
        throw new Error(`IAM evaluation of ${action} on ${resource} failed: ${JSON.stringify(result.errors)}`);
    }
    const analyses = result.resultType === "single" ? [result.result.analysis] : result.results.map((r) => r.analysis);
    const decisive = analyses.find((a) => a.result === result.overallResult) ?? analyses[0]!;
    return { decision: result.overallResult === "Allowed" ? "ALLOW" : "DENY", decidedBy: decidedBy(decisive) };
}

/** Someone else entirely: an administrator (no MFA Deny) in `accountId`. */
function adminIdentity(d: DeclaredAccess): NamedPolicy[] {
    return [{ ...managedPolicyDocument(`arn:${d.partition}:iam::aws:policy/AdministratorAccess`), inline: false }];
}

/** Every request of both tables with its expected decision. */
function requests(
    d: DeclaredAccess,
    e: Expectations,
): { table: Cell["table"]; caller: Caller; action: string; expected: Decision }[] {
    const max = e.mfaMaxAgeSeconds;
    const young = Math.min(60, max - 1);
    const me = (label: string, context: Record<string, string>, mfa: boolean): Caller => ({
        label,
        principal: d.user.arn,
        policies: d.user.policies,
        context,
        mfa,
    });
    const userCallers = [
        me("long-term keys (no MFA key)", NO_MFA, false),
        me("MultiFactorAuthPresent=false", MFA_FALSE, false),
        me(`MFA session (${young} s old)`, mfaAged(young), true),
    ];
    const deviceSetupDenied = (a: string) => e.hardened && MFA_DEVICE_SETUP_ACTIONS.includes(a);
    const userRows = userCallers.flatMap((caller) =>
        [...SENSITIVE_ACTIONS, ...MFA_BOOTSTRAP_ACTIONS, "sts:AssumeRole"].map((action) => {
            const exempt = MFA_BOOTSTRAP_ACTIONS.includes(action) && !deviceSetupDenied(action);
            const expected: Decision = caller.mfa || exempt ? "ALLOW" : "DENY";
            return { table: "user" as const, caller, action, expected };
        }),
    );

    const otherAccount = d.accountId === "999999999999" ? "888888888888" : "999999999999";
    const stranger = (label: string, principal: string): Caller => ({
        label,
        principal,
        policies: adminIdentity(d),
        context: mfaAged(young),
        mfa: true,
    });
    const roleRows: { caller: Caller; expected: Decision }[] = [
        { caller: me(`${d.user.name}, long-term keys`, NO_MFA, false), expected: "DENY" },
        { caller: me(`${d.user.name}, MultiFactorAuthPresent=false`, MFA_FALSE, false), expected: "DENY" },
        { caller: me(`${d.user.name}, MFA ${young} s old`, mfaAged(young), true), expected: "ALLOW" },
        { caller: me(`${d.user.name}, MFA ${max - 1} s old (below limit)`, mfaAged(max - 1), true), expected: "ALLOW" },
        { caller: me(`${d.user.name}, MFA ${max} s old (at limit)`, mfaAged(max), true), expected: "DENY" },
        { caller: me(`${d.user.name}, MFA ${max + 1} s old (above limit)`, mfaAged(max + 1), true), expected: "DENY" },
        {
            caller: stranger(
                "another admin of this account, with MFA",
                `arn:${d.partition}:iam::${d.accountId}:user/someone-else`,
            ),
            expected: e.roleTrust === "account" ? "ALLOW" : "DENY",
        },
        {
            caller: stranger(
                `${d.user.name} of another account, with MFA`,
                `arn:${d.partition}:iam::${otherAccount}:user/${d.user.name}`,
            ),
            expected: "DENY",
        },
    ];
    return [...userRows, ...roleRows.map((r) => ({ table: "role" as const, action: "sts:AssumeRole", ...r }))];
}

/** Evaluates every request of both tables against the declared policies. */
export async function accessMatrix(d: DeclaredAccess, e: Expectations): Promise<Cell[]> {
    const cells: Cell[] = [];
    for (const r of requests(d, e)) {
        const { decision, decidedBy } = await evaluate(d, r.caller, r.action);
        cells.push({
            table: r.table,
            caller: r.caller.label,
            action: r.action,
            decision,
            decidedBy,
            expected: r.expected,
            mustDeny: r.expected === "DENY",
        });
    }
    return cells;
}

/** A copy of the declared access with the inline or trust policy changed: for negative controls and what-ifs. */
export function withDocuments(
    d: DeclaredAccess,
    change: {
        userPolicy?: (doc: PolicyDocument) => PolicyDocument;
        trustPolicy?: (doc: PolicyDocument) => PolicyDocument;
    },
): DeclaredAccess {
    const copy = (doc: PolicyDocument) => JSON.parse(JSON.stringify(doc)) as PolicyDocument;
    return {
        ...d,
        user: {
            ...d.user,
            policies: d.user.policies.map((p) =>
                p.inline && change.userPolicy ? { ...p, document: change.userPolicy(copy(p.document)) } : p,
            ),
        },
        role: {
            ...d.role,
            trustPolicy: change.trustPolicy ? change.trustPolicy(copy(d.role.trustPolicy)) : d.role.trustPolicy,
        },
    };
}
