import type { RequestAnalysis, Simulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../components/policies";
import type { DeclaredAccess } from "./declared";
import type { Decision, Expectations } from "./expectations";
import { defaultTables, type Probe, probes, type Table } from "./probes";
import { simulate } from "./simulate";

/**
 * The access matrix: who can do what with the declared policies, decided by a real IAM evaluation engine
 * (@cloud-copilot/iam-simulate, AGPL: tooling only, never imported by the deployed program).
 */

export { SENSITIVE_ACTIONS, type Table } from "./probes";
export { ALWAYS_SAMPLED } from "./sample";

export interface Cell {
    /**
     * `user`: an admin user's own requests; `role`: who may assume the MFA role; `sample`: AWS's action list;
     * `session`: the role session names each admin may take.
     */
    readonly table: Table;
    readonly caller: string;
    readonly action: string;
    /** What the request is on, when not the caller's own resource: "another user", "a bucket whose policy …". */
    readonly on?: string;
    readonly decision: Decision;
    /** The statement that decided: its Sid, or its policy's name when it has none. */
    readonly decidedBy: string;
    readonly expected: Decision;
    /** Expected DENY: an ALLOW here lets someone act without MFA (or as someone else). */
    readonly mustDeny: boolean;
    /** Expected ALLOW only because the chosen style has a known weakness (`mfaPolicy seed`). */
    readonly weakness: boolean;
    /** The user table's row group ("bootstrap (exempt without MFA)", …). */
    readonly group?: string;
    /** Whose requests these are, when the stack has several admins (user, sample and session tables). */
    readonly admin?: string;
}

/** A cell that must be denied but is allowed: the one outcome the stack exists to prevent. */
export const isViolation = (c: Cell): boolean => c.mustDeny && c.decision === "ALLOW";

/** The request as the report names it: the action, and what it is on when that is not the caller's own. */
export const requestName = (c: Pick<Cell, "action" | "on">): string => (c.on ? `${c.action} on ${c.on}` : c.action);

function label(policyId: string, sid: string | undefined): string {
    return sid ?? policyId;
}

/** The statement that decided an analysis, for the report. */
function decidedBy(a: RequestAnalysis): string {
    const identity = a.identityAnalysis;
    const resource = a.resourceAnalysis;
    const denies = [...(identity?.denyStatements ?? []), ...(resource?.denyStatements ?? [])];
    if (a.result === "ExplicitlyDenied" && denies[0]) return label(denies[0].policyId, denies[0].statement.sid());
    if (a.result === "Allowed") {
        // A resource policy (the role's trust, a bucket or key policy) is what lets this caller in, if it names them.
        const allow = resource?.allowStatements[0] ?? identity?.allowStatements[0];
        return allow ? label(allow.policyId, allow.statement.sid()) : "(allowed)";
    }
    if (resource && resource.result !== "Allowed" && resource.result !== "AllowedForAccount")
        return "no trust statement matches";
    return "no Allow matches";
}

async function evaluate(d: DeclaredAccess, p: Probe): Promise<{ decision: Decision; decidedBy: string }> {
    const errors: string[] = [];
    // Made-up ARNs of sampled actions can fit several resource types; the next candidate (finally `*`) then decides.
    for (const resource of p.resources) {
        const simulation: Simulation = {
            request: {
                principal: p.caller.principal,
                action: p.action,
                resource: { resource, accountId: d.accountId },
                contextVariables: p.caller.context,
            },
            identityPolicies: p.caller.policies.map((x) => ({ name: x.name, policy: x.document })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(p.resourcePolicy ? { resourcePolicy: p.resourcePolicy } : {}),
        };
        const result = await simulate(simulation);
        if (result.resultType === "error") {
            errors.push(`${resource}: ${JSON.stringify(result.errors)}`);
            continue;
        }
        const analyses =
            result.resultType === "single" ? [result.result.analysis] : result.results.map((r) => r.analysis);
        const decisive = analyses.find((a) => a.result === result.overallResult) ?? analyses[0];
        const decision: Decision = result.overallResult === "Allowed" ? "ALLOW" : "DENY";
        // A wildcard request that nothing allows comes back with no analysis at all.
        return { decision, decidedBy: decisive ? decidedBy(decisive) : "no Allow matches" };
    }
    throw new Error(`IAM evaluation of ${p.action} failed: ${errors.join("; ")}`);
}

/**
 * Evaluates every request of the tables against the declared policies. `tables` limits the evaluation to some of
 * them, for tests of one regression; the report evaluates `defaultTables`.
 */
export async function accessMatrix(
    d: DeclaredAccess,
    e: Expectations,
    tables: readonly Table[] = defaultTables(d),
): Promise<Cell[]> {
    // The same documents and expectations always give the same cells: reports of settings that change no policy
    // (an instance type, a subnet) reuse them instead of running ~600 evaluations again. The key is the whole of the
    // documents and every field of Expectations, but only those: `npm run plan` passes the whole config, whose other
    // settings the evaluation never reads.
    const key = JSON.stringify([d, EXPECTATION_FIELDS.map((f) => e[f]), tables]);
    let found = memo.get(key);
    if (!found) {
        found = evaluateAll(d, e, tables);
        memo.set(key, found);
        found.catch(() => memo.delete(key));
        if (memo.size > 32) memo.delete(memo.keys().next().value!);
    }
    return [...(await found)];
}

const memo = new Map<string, Promise<Cell[]>>();

/** Every field of Expectations, for the key: the type-check fails when a field is added there and not here. */
const EXPECTATION_FIELDS = Object.keys({
    admins: true,
    hardened: true,
    roleTrust: true,
    mfaMaxAgeSeconds: true,
    mfaPolicy: true,
    userMfaMaxAgeSeconds: true,
} satisfies Record<keyof Expectations, true>) as (keyof Expectations)[];

async function evaluateAll(d: DeclaredAccess, e: Expectations, tables: readonly Table[]): Promise<Cell[]> {
    const cells: Cell[] = [];
    for (const p of await probes(d, e, tables)) {
        const { decision, decidedBy } = await evaluate(d, p);
        cells.push({
            table: p.table,
            caller: p.caller.label,
            action: p.action,
            ...(p.on ? { on: p.on } : {}),
            decision,
            decidedBy,
            expected: p.expected,
            mustDeny: p.expected === "DENY",
            weakness: p.weakness,
            ...(p.group ? { group: p.group } : {}),
            ...(p.admin ? { admin: p.admin } : {}),
        });
    }
    return cells;
}

/** A copy of the declared access with every admin's inline policy or the trust changed: for negative controls and what-ifs. */
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
        users: d.users.map((u) => ({
            ...u,
            policies: u.policies.map((p) =>
                p.inline && change.userPolicy ? { ...p, document: change.userPolicy(copy(p.document)) } : p,
            ),
        })),
        role: {
            ...d.role,
            trustPolicy: change.trustPolicy ? change.trustPolicy(copy(d.role.trustPolicy)) : d.role.trustPolicy,
        },
    };
}
