/**
 * AWS's own policy validation in the post-deploy check (issue #12): IAM Access Analyzer `ValidatePolicy` on the
 * user's inline policy and on the role's trust policy, each exactly as IAM stores it. ERROR (a part of the policy
 * does not work) and SECURITY_WARNING (overly permissive) fail the check; WARNING and SUGGESTION are reported.
 */
import {
    AccessAnalyzerClient,
    type PathElement,
    ValidatePolicyCommand,
    type ValidatePolicyFinding,
} from "@aws-sdk/client-accessanalyzer";

/** The one permission the validation adds to what the deployer needs. */
export const VALIDATE_PERMISSION = "access-analyzer:ValidatePolicy";

/** A policy document as IAM returned it, URL-decoded: what AWS enforces, not what the program declared. */
export interface StoredDocument {
    /** How the messages name it, e.g. `inline policy k3s-admin-ui-cli-with-mfa`. */
    readonly label: string;
    readonly text: string;
    readonly policyType: "IDENTITY_POLICY" | "RESOURCE_POLICY";
    /** Only for RESOURCE_POLICY; a role's trust policy gets the trust-policy checks with this one. */
    readonly resourceType?: "AWS::IAM::AssumeRolePolicyDocument";
}

/** A user's inline policy: an identity policy. */
export const inlinePolicy = (policyName: string, text: string): StoredDocument => ({
    label: `inline policy ${policyName}`,
    text,
    policyType: "IDENTITY_POLICY",
});

/** A role's trust policy: a resource policy, validated as `AWS::IAM::AssumeRolePolicyDocument`. */
export const trustPolicy = (roleName: string, text: string): StoredDocument => ({
    label: `trust policy of role ${roleName}`,
    text,
    policyType: "RESOURCE_POLICY",
    resourceType: "AWS::IAM::AssumeRolePolicyDocument",
});

/** Every finding for one document, following nextToken (the SDK's paginator needs a whole client, not `send`). */
export async function findingsOf(
    aa: Pick<AccessAnalyzerClient, "send">,
    doc: StoredDocument,
): Promise<ValidatePolicyFinding[]> {
    const findings: ValidatePolicyFinding[] = [];
    let nextToken: string | undefined;
    do {
        const page = await aa.send(
            new ValidatePolicyCommand({
                policyDocument: doc.text,
                policyType: doc.policyType,
                ...(doc.resourceType !== undefined && { validatePolicyResourceType: doc.resourceType }),
                ...(nextToken !== undefined && { nextToken }),
            }),
        );
        findings.push(...(page.findings ?? []));
        nextToken = page.nextToken || undefined;
    } while (nextToken !== undefined);
    return findings;
}

/** The Sid of a statement, to name it beside its index: people know their statements by Sid. */
function sidAt(text: string, index: number): string | undefined {
    try {
        const statement = (JSON.parse(text) as { Statement?: unknown }).Statement;
        const s: unknown = Array.isArray(statement) ? statement[index] : undefined;
        const sid = (s as { Sid?: unknown } | undefined)?.Sid;
        return typeof sid === "string" && sid !== "" ? sid : undefined;
    } catch {
        return undefined;
    }
}

/**
 * A location's path as one would write it in JavaScript, `Statement[1](OnlyOwnUserWithoutMFA).NotResource`.
 * Access Analyzer names each object member by `value` (or `key` for the member's name itself) and each array
 * member by `index` (API reference: PathElement); `substring` points into a string.
 */
export function pathText(path: readonly PathElement[], text: string): string {
    let out = "";
    path.forEach((e, i) => {
        if (e.index !== undefined) {
            const sid = out === "Statement" ? sidAt(text, e.index) : undefined;
            out += `[${e.index}]${sid ? `(${sid})` : ""}`;
        } else if (e.value !== undefined || e.key !== undefined) {
            const name = (e.value ?? e.key)!;
            out += /^[A-Za-z_]\w*$/.test(name) ? `${i === 0 ? "" : "."}${name}` : `[${JSON.stringify(name)}]`;
        } else if (e.substring !== undefined) {
            out += ` (characters ${e.substring.start} to ${(e.substring.start ?? 0) + (e.substring.length ?? 0)})`;
        }
    });
    return out || "the document";
}

/** One finding on one line: `ERROR INVALID_ACTION in inline policy P at Statement[0](Sid).NotAction[3]`. */
export function findingLine(doc: StoredDocument, f: ValidatePolicyFinding): string {
    const at = (f.locations ?? []).map((l) => pathText(l.path ?? [], doc.text));
    return `${f.findingType ?? "?"} ${f.issueCode ?? "?"} in ${doc.label} at ${at.join(" and ") || "the document"}`;
}

const FATAL: readonly string[] = ["ERROR", "SECURITY_WARNING"];

export interface Validation {
    /** Why the check must fail, without the way to turn it off (the caller adds it); undefined when nothing must. */
    readonly problem?: string;
    /** One clause for the summary: what was validated, and the WARNING and SUGGESTION findings. */
    readonly note: string;
}

/** Validates every document; AccessDenied becomes a problem naming the missing permission. */
export async function validateStored(
    aa: Pick<AccessAnalyzerClient, "send">,
    docs: readonly StoredDocument[],
): Promise<Validation> {
    const fatal: string[] = [];
    const reported: string[] = [];
    for (const doc of docs) {
        let findings: ValidatePolicyFinding[];
        try {
            findings = await findingsOf(aa, doc);
        } catch (err) {
            if (err instanceof Error && /AccessDenied/.test(err.name)) {
                return {
                    problem: `the deployer may not call ${VALIDATE_PERMISSION} (AccessDenied), which validates the stored policies: grant it`,
                    note: "",
                };
            }
            throw err;
        }
        for (const f of findings) (FATAL.includes(f.findingType ?? "") ? fatal : reported).push(findingLine(doc, f));
    }
    const what = docs.map((d) => d.label).join(" and ");
    if (fatal.length > 0) {
        return {
            problem: `IAM Access Analyzer finds ${fatal.length} error(s) or security warning(s) in the ${what} as IAM stores them: ${fatal.join("; ")}: fix the document(s)`,
            note: "",
        };
    }
    const also = reported.length > 0 ? ` (it reports, not fatal: ${reported.join(", ")})` : "";
    return { note: `IAM Access Analyzer finds no error or security warning in the ${what}${also}` };
}
