import type { PolicyDocument } from "../components/policies";
import { type Cell, isViolation } from "./matrix";

/** Everything the offline plan shows: what would be created, the exact policies, and who can do what. */
export interface Report {
    readonly stack: string;
    readonly region: string;
    readonly resources: readonly { readonly type: string; readonly name: string; readonly parent: string }[];
    readonly policies: readonly { readonly title: string; readonly document: PolicyDocument }[];
    readonly matrix: readonly Cell[];
    readonly warnings: readonly string[];
    readonly violations: number;
}

export type Format = "text" | "markdown" | "json";
export const FORMATS: readonly Format[] = ["text", "markdown", "json"];

/** `DENY (MustBeSignedInWithMFA)`, marked when it breaks the expectation. */
function cellText(c: Cell): string {
    const mark = isViolation(c) ? " !! MUST BE DENIED" : c.decision !== c.expected ? ` ?? expected ${c.expected}` : "";
    return `${c.decision} (${c.decidedBy})${mark}`;
}

/** The user's requests pivoted: one row per action, one column per caller. */
function userTable(matrix: readonly Cell[]): string[][] {
    const cells = matrix.filter((c) => c.table === "user");
    const callers = [...new Set(cells.map((c) => c.caller))];
    const actions = [...new Set(cells.map((c) => c.action))];
    const rows = actions.map((a) => [
        a,
        ...callers.map((who) => cellText(cells.find((c) => c.action === a && c.caller === who)!)),
    ]);
    return [["action", ...callers], ...rows];
}

function roleTable(matrix: readonly Cell[]): string[][] {
    const cells = matrix.filter((c) => c.table === "role");
    return [["caller", "sts:AssumeRole"], ...cells.map((c) => [c.caller, cellText(c)])];
}

function resourceTable(r: Report): string[][] {
    return [["type", "name", "parent"], ...r.resources.map((x) => [x.type, x.name, x.parent])];
}

function summary(r: Report): string {
    const mustDeny = r.matrix.filter((c) => c.mustDeny).length;
    const unexpected = r.matrix.filter((c) => !isViolation(c) && c.decision !== c.expected).length;
    const verdict = r.violations === 0 ? "OK" : "FAIL";
    return (
        `${verdict}: ${r.violations} of ${mustDeny} requests that must be denied are allowed` +
        (unexpected > 0 ? `; ${unexpected} expected ALLOW came out DENY` : "")
    );
}

function textTable(rows: string[][]): string {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    return rows
        .map(
            (r) =>
                "  " +
                r
                    .map((v, i) => v.padEnd(widths[i]!))
                    .join("  ")
                    .trimEnd(),
        )
        .join("\n");
}

function markdownTable(rows: string[][]): string {
    const line = (r: string[]) => `| ${r.map((v) => v.replace(/\|/g, "\\|")).join(" | ")} |`;
    return [line(rows[0]!), line(rows[0]!.map(() => "---")), ...rows.slice(1).map(line)].join("\n");
}

function renderText(r: Report): string {
    const policies = r.policies.map((p) => `  ${p.title}\n${indent(JSON.stringify(p.document, null, 2), 4)}`);
    return [
        `k3s-admin-mfa offline plan: stack ${r.stack}, region ${r.region} (Pulumi mocks; no AWS account was contacted)`,
        "",
        `Resources that would be created (${r.resources.length})`,
        textTable(resourceTable(r)),
        "",
        "Policy documents",
        ...policies,
        "",
        "Access matrix: decision (statement that decided)",
        "",
        "  Requests signed by the admin user",
        textTable(userTable(r.matrix)),
        "",
        "  Who may assume the MFA role",
        textTable(roleTable(r.matrix)),
        "",
        "Warnings",
        ...r.warnings.map((w) => `  ! ${w}`),
        "",
        summary(r),
    ].join("\n");
}

function renderMarkdown(r: Report): string {
    const policies = r.policies.map(
        (p) => `**${p.title}**\n\n\`\`\`json\n${JSON.stringify(p.document, null, 2)}\n\`\`\``,
    );
    return [
        `## k3s-admin-mfa offline plan: stack \`${r.stack}\` (${r.region})`,
        "",
        `**${summary(r)}**. Evaluated offline with Pulumi mocks and an IAM evaluation engine; no AWS account was contacted.`,
        "",
        `### Resources that would be created (${r.resources.length})`,
        "",
        markdownTable(resourceTable(r)),
        "",
        "### Access matrix",
        "",
        "Requests signed by the admin user: decision (statement that decided).",
        "",
        markdownTable(userTable(r.matrix)),
        "",
        "Who may assume the MFA role:",
        "",
        markdownTable(roleTable(r.matrix)),
        "",
        "### Warnings",
        "",
        ...r.warnings.map((w) => `- ⚠️ ${w}`),
        "",
        "<details><summary>Policy documents</summary>",
        "",
        ...policies.flatMap((p) => [p, ""]),
        "</details>",
    ].join("\n");
}

function indent(text: string, spaces: number): string {
    return text
        .split("\n")
        .map((l) => " ".repeat(spaces) + l)
        .join("\n");
}

export function render(r: Report, format: Format): string {
    if (format === "json") return JSON.stringify(r, null, 2);
    return format === "markdown" ? renderMarkdown(r) : renderText(r);
}
