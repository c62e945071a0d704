/**
 * What the user's inline Deny does, asked of IAM's own simulator (SimulatePrincipalPolicy), judged apart from
 * Organizations SCPs and permissions boundaries: the stack owns the Deny, not them, so their effects are reported
 * and never fail the check.
 */
import {
    ContextEntry,
    EvaluationResult,
    IAMClient,
    PolicyIdentifierPolicyType,
    SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { MFA_AGE_KEY, MFA_DENY_SID as DENY_SID, MFA_PRESENT_KEY } from "../components/policies";

/** What is being proved: the user, its inline policy, the role and the role's MFA age limit. */
export interface Target {
    readonly userArn: string;
    readonly policyName: string;
    readonly roleArn: string;
    readonly mfaMaxAgeSeconds: number;
}

export interface Scenario {
    readonly name: string;
    readonly actions: readonly string[];
    readonly context: readonly ContextEntry[];
    /** Whether MustBeSignedInWithMFA must match (true) or must not (false). */
    readonly ourDeny: boolean;
    /** Simulated against the role ARN with its live trust policy, rather than against "*". */
    readonly onRole?: boolean;
}

function mfa(ageSeconds: number): ContextEntry[] {
    return [
        { ContextKeyName: MFA_PRESENT_KEY, ContextKeyType: "boolean", ContextKeyValues: ["true"] },
        { ContextKeyName: MFA_AGE_KEY, ContextKeyType: "numeric", ContextKeyValues: [String(ageSeconds)] },
    ];
}

/** A fresh sign-in: five minutes old, or younger when the role's limit is shorter. */
export const freshAge = (t: Target): number => Math.min(300, t.mfaMaxAgeSeconds - 1);

export function scenarios(t: Target): Scenario[] {
    const locked = ["ec2:RunInstances", "iam:CreateUser"];
    const assume = ["sts:AssumeRole"];
    return [
        { name: "without MFA", actions: locked, context: [], ourDeny: true },
        { name: "with MFA", actions: locked, context: mfa(freshAge(t)), ourDeny: false },
        { name: "bootstrap without MFA", actions: ["sts:GetSessionToken"], context: [], ourDeny: false },
        { name: "role without MFA", actions: assume, context: [], ourDeny: true, onRole: true },
        { name: "role with MFA", actions: assume, context: mfa(freshAge(t)), ourDeny: false, onRole: true },
    ];
}

const OUTSIDE: Readonly<Record<string, string>> = {
    scp: "an Organizations SCP",
    "permission-boundary": "a permissions boundary",
};

export interface Judgement {
    readonly problem?: string;
    /** Policy types that hid the user's own policies: simulate again without them. */
    readonly masked?: PolicyIdentifierPolicyType[];
    /** SCP and boundary effects, for the summary. */
    readonly outside: string[];
}

/** Judges what OUR Deny did in one result. */
export function judge(s: Scenario, r: EvaluationResult, policyName: string): Judgement {
    const action = r.EvalActionName ?? "?";
    const matched = r.MatchedStatements ?? [];
    const ours = matched.some((m) => m.SourcePolicyId === policyName && m.SourcePolicyType === "user");
    const blocking: PolicyIdentifierPolicyType[] = [];
    if (r.OrganizationsDecisionDetail?.AllowedByOrganizations === false) blocking.push("scp");
    if (r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false)
        blocking.push("permission-boundary");
    const outside = blocking.map((t) => `${OUTSIDE[t]} denies ${action}`);
    if (s.ourDeny && ours) return { outside };
    if (!s.ourDeny && ours) return { outside, problem: `${s.name}, ${action} was denied by ${DENY_SID}` };
    if (!s.ourDeny && r.EvalDecision === "allowed") return { outside };
    // An SCP's denial ends the evaluation before IAM reaches the user's policies (EvaluationResult's API reference),
    // so whether our Deny matched is not visible in this result.
    if (blocking.length > 0) return { outside, masked: blocking };
    const by = matched.map((m) => m.SourcePolicyId).join(", ") || "no statement";
    const wanted = s.ourDeny ? `denied by ${DENY_SID} in ${policyName}` : "allowed";
    return { outside, problem: `${s.name}, ${action} was ${r.EvalDecision} by ${by} (expected ${wanted})` };
}

async function simulate(
    iam: Pick<IAMClient, "send">,
    t: Target,
    s: Scenario,
    trust: string,
    exclude: readonly PolicyIdentifierPolicyType[] = [],
): Promise<EvaluationResult[]> {
    const out = await iam.send(
        new SimulatePrincipalPolicyCommand({
            PolicySourceArn: t.userArn,
            ActionNames: [...s.actions],
            ContextEntries: [...s.context],
            // Trust simulation as the API reference describes it: the role as resource, its trust policy as the
            // resource policy, the user as caller; ResourceOwner is needed only across accounts. AWS does not apply
            // the document for sts:Assume* today (aws/aws-cli#10314), so checks/trustPolicy.ts judges it too.
            ...(s.onRole ? { ResourceArns: [t.roleArn], ResourcePolicy: trust, CallerArn: t.userArn } : {}),
            ...(exclude.length > 0 ? { PolicyExclusionList: exclude.map((PolicyType) => ({ PolicyType })) } : {}),
        }),
    );
    return out.EvaluationResults ?? [];
}

/**
 * Every scenario against the simulator: the first problem, or the SCP and boundary effects seen. A result hidden by
 * an SCP or boundary is asked again with those policy types excluded (PolicyExclusionList), which shows our Deny.
 */
export async function simulateAll(
    iam: Pick<IAMClient, "send">,
    t: Target,
    trust: string,
): Promise<{ problem?: string; notes: string[] }> {
    const notes = new Set<string>();
    for (const s of scenarios(t)) {
        const results = await simulate(iam, t, s, trust);
        if (results.length !== s.actions.length)
            return { notes: [], problem: `${s.name}, the simulator returned no result` };
        for (const r of results) {
            let j = judge(s, r, t.policyName);
            j.outside.forEach((n) => notes.add(n));
            if (j.masked) {
                const [again] = await simulate(iam, t, { ...s, actions: [r.EvalActionName ?? ""] }, trust, j.masked);
                j = again ? judge(s, again, t.policyName) : { outside: [], problem: `${s.name}, no result` };
                if (j.masked)
                    j = { outside: [], problem: `${s.name}, ${r.EvalActionName} stays hidden by ${j.masked}` };
            }
            if (j.problem) return { notes: [], problem: j.problem };
        }
    }
    return { notes: [...notes] };
}
