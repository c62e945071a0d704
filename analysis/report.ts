import type { PolicyDocument } from "../components/policies";
import { type Cell, isViolation, requestName } from "./matrix";

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

/**
 * `DENY (MustBeSignedInWithMFA)`, marked when it breaks the expectation, or when it is allowed only because the
 * chosen `mfaPolicy` style has a known weakness (listed under Warnings).
 */
export function cellText(c: Cell): string {
    const mark = isViolation(c)
        ? " !! MUST BE DENIED"
        : c.decision !== c.expected
          ? ` ?? expected ${c.expected}`
          : c.weakness
            ? " ~ weakness"
            : "";
    return `${c.decision} (${c.decidedBy})${mark}`;
}

/** A row that names a group of the table: its first cell only. */
const GROUP_ROW = (title: string, width: number): string[] => [`[${title}]`, ...Array<string>(width - 1).fill("")];

/** The admins of a team's matrix, in its order; empty for a one-person stack (whose cells name nobody). */
export function admins(matrix: readonly Cell[]): string[] {
    return [...new Set(matrix.flatMap((c) => (c.admin === undefined ? [] : [c.admin])))];
}

/**
 * An admin's requests pivoted: one row per request, one column per caller, grouped. `admin`: that person's, for a
 * team (their name left out of the column headers, which the section's title gives).
 */
export function userTable(matrix: readonly Cell[], admin?: string): string[][] {
    const cells = matrix.filter((c) => c.table === "user" && c.admin === admin);
    const callers = [...new Set(cells.map((c) => c.caller))];
    const header = (caller: string) =>
        admin && caller.startsWith(`${admin}, `) ? caller.slice(admin.length + 2) : caller;
    const requests = [...new Set(cells.map(requestName))];
    const rows: string[][] = [];
    let group: string | undefined;
    for (const r of requests) {
        const first = cells.find((c) => requestName(c) === r)!;
        if (first.group !== group) rows.push(GROUP_ROW((group = first.group) ?? "", callers.length + 1));
        rows.push([r, ...callers.map((who) => cellText(cells.find((c) => requestName(c) === r && c.caller === who)!))]);
    }
    return [["request", ...callers.map(header)], ...rows];
}

export function roleTable(matrix: readonly Cell[]): string[][] {
    const cells = matrix.filter((c) => c.table === "role");
    return [["caller", "sts:AssumeRole"], ...cells.map((c) => [c.caller, cellText(c)])];
}

/** Each admin assuming the role under their own name, another's, and none: one row per request. */
export function sessionTable(matrix: readonly Cell[]): string[][] {
    const cells = matrix.filter((c) => c.table === "session");
    return [["caller", "request", "decision"], ...cells.map((c) => [c.caller, requestName(c), cellText(c)])];
}

/** The sample of AWS's actions, one row per caller: counts, and every request not as expected by name. */
export function sampleTable(matrix: readonly Cell[]): string[][] {
    const cells = matrix.filter((c) => c.table === "sample");
    const callers = [...new Set(cells.map((c) => c.caller))];
    const rows = callers.map((who) => {
        const mine = cells.filter((c) => c.caller === who);
        const count = (f: (c: Cell) => boolean) => String(mine.filter(f).length);
        const off = mine.filter((c) => c.decision !== c.expected);
        return [
            who,
            count((c) => c.expected === "DENY"),
            count((c) => c.decision === "DENY"),
            count((c) => c.decision === "ALLOW"),
            count((c) => c.weakness),
            notAsExpected(off),
        ];
    });
    return [["caller", "must be denied", "denied", "allowed", "weakness", "not as expected"], ...rows];
}

/** Cells not as expected by name, violations first and marked `!!`; the first few, as `--format json` has them all. */
function notAsExpected(off: readonly Cell[], shown = 12): string {
    if (off.length === 0) return "none";
    const sorted = [...off].sort((a, b) => Number(isViolation(b)) - Number(isViolation(a)));
    const names = sorted.slice(0, shown).map((c) => `${c.action} ${c.decision}${isViolation(c) ? " !!" : ""}`);
    return names.join(", ") + (off.length > shown ? `, and ${off.length - shown} more (--format json lists them)` : "");
}

/** `90 actions of 42 services`: what the sample covers. */
function sampleScope(matrix: readonly Cell[]): string {
    const actions = new Set(matrix.filter((c) => c.table === "sample").map((c) => c.action));
    const services = new Set([...actions].map((a) => a.split(":")[0]));
    return `${actions.size} actions of ${services.size} services`;
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

/** One user table per admin of a team, titled with their name; the one table of a one-person stack as it was. */
function userSections(r: Report): { title: string; rows: string[][] }[] {
    const team = admins(r.matrix);
    if (team.length === 0) return [{ title: "Requests signed by the admin user", rows: userTable(r.matrix) }];
    return team.map((a) => ({ title: `Requests signed by ${a}`, rows: userTable(r.matrix, a) }));
}

const SESSION_TITLE =
    "Role session names: each admin only under their own user name (sts:RoleSessionName = ${aws:username})";

function renderText(r: Report): string {
    const policies = r.policies.map((p) => `  ${p.title}\n${indent(JSON.stringify(p.document, null, 2), 4)}`);
    const sessions = r.matrix.some((c) => c.table === "session")
        ? ["", `  ${SESSION_TITLE}`, textTable(sessionTable(r.matrix))]
        : [];
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
        ...userSections(r).flatMap((s) => ["", `  ${s.title}`, textTable(s.rows)]),
        "",
        "  Who may assume the MFA role",
        textTable(roleTable(r.matrix)),
        ...sessions,
        "",
        `  Sampled from AWS's service authorization reference: ${sampleScope(r.matrix)} (every one but the bootstrap actions needs MFA)`,
        textTable(sampleTable(r.matrix)),
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
        ...userSections(r).flatMap((s, i) => [
            i === 0
                ? `${s.title}: decision (statement that decided); \`~ weakness\`: allowed only because of a known weakness of the chosen \`mfaPolicy\`.`
                : `${s.title}:`,
            "",
            markdownTable(s.rows),
            "",
        ]),
        "Who may assume the MFA role:",
        "",
        markdownTable(roleTable(r.matrix)),
        "",
        ...(r.matrix.some((c) => c.table === "session")
            ? [`${SESSION_TITLE}:`, "", markdownTable(sessionTable(r.matrix)), ""]
            : []),
        `Sampled from AWS's service authorization reference: ${sampleScope(r.matrix)} (every one but the bootstrap actions needs MFA):`,
        "",
        markdownTable(sampleTable(r.matrix)),
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
