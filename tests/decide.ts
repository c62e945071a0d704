import type { Caller } from "../analysis/callers";
import { simulate } from "../analysis/simulate";

/**
 * One IAM evaluation of a caller's request, as the access matrix makes it (analysis/matrix.ts), reduced to ALLOW or
 * DENY: for tests that ask a few pointed questions instead of a whole matrix.
 */
export async function decide(caller: Caller, action: string, resource: string, accountId: string): Promise<string> {
    const result = await simulate({
        request: {
            principal: caller.principal,
            action,
            resource: { resource, accountId },
            contextVariables: caller.context,
        },
        identityPolicies: caller.policies.map((p) => ({ name: p.name, policy: p.document })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    });
    if (result.resultType === "error") throw new Error(`${action}: ${JSON.stringify(result.errors)}`);
    return result.overallResult === "Allowed" ? "ALLOW" : "DENY";
}
