import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { pins } from "./workflowRules";

/**
 * docs/ci.md says what a maintainer sets and what the files trust; each of those claims is read back from the files
 * themselves here, so the page cannot drift from the workflows and the trust documents.
 */

const ROOT = path.resolve(__dirname, "..");
const read = (...p: string[]) => fs.readFileSync(path.join(ROOT, ...p), "utf8");
const DOC = read("docs", "ci.md");
const WORKFLOWS = ["ci.yml", "drift.yml"].map((f) => read(".github", "workflows", f));

/** The rows of the Markdown table that follows a header row starting `| first |`. */
function column(first: string): string[] {
    const lines = DOC.split("\n").map((l) => l.trim());
    const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
    assert.ok(start >= 0, `docs/ci.md has no table headed ${first}`);
    const rows: string[] = [];
    for (const l of lines.slice(start + 2)) {
        if (!l.startsWith("|")) break;
        rows.push(l);
    }
    return rows;
}
const firstCell = (row: string) => /^\|\s*`?([^`|]+?)`?\s*\|/.exec(row)![1]!;

describe("docs/ci.md matches the workflows and the trust documents", () => {
    it("lists exactly the repository variables the workflows read", () => {
        const used = new Set(WORKFLOWS.flatMap((w) => [...w.matchAll(/\bvars\.([A-Z_]+)/g)].map((m) => m[1]!)));
        assert.deepEqual(column("variable").map(firstCell).sort(), [...used].sort());
    });

    it("gives each role the sub its trust document admits", () => {
        const subOf = (file: string) =>
            (
                JSON.parse(read("ci", "aws", file)) as {
                    Statement: { Condition: { StringEquals: Record<string, string> } }[];
                }
            ).Statement[0]!.Condition.StringEquals["token.actions.githubusercontent.com:sub"];
        const rows = column("job");
        const row = (file: string) => rows.find((r) => r.includes(file));
        for (const file of ["preview-trust.json", "drift-trust.json"])
            assert.ok(row(file)?.includes(`\`${subOf(file)}\``), `${file}: ${row(file)}`);
        const policies = column("team");
        assert.ok(policies[0]!.includes(`\`${subOf("preview-trust.json")}\``));
        assert.ok(policies[1]!.includes(`\`${subOf("drift-trust.json")}\``));
    });

    it("names the pulumi/auth-actions commit and release the workflows pin", () => {
        const pinned = WORKFLOWS.flatMap((w) => pins(w)).filter((p) => p.action === "pulumi/auth-actions");
        assert.equal(pinned.length, 2);
        for (const p of pinned) {
            const [, sha, release] = /@([0-9a-f]{40}) # (v[\d.]+)/.exec(p.line)!;
            assert.ok(DOC.includes(`\`pulumi/auth-actions\` ${release}, pinned to\n  \`${sha}\``), p.line);
        }
    });

    it("points at documents that exist", () => {
        for (const [, file] of DOC.matchAll(/`(ci\/aws\/[\w/.-]+\.json)`/g))
            assert.ok(fs.existsSync(path.join(ROOT, file!)), file);
        for (const role of ["preview", "drift"])
            for (const kind of ["trust", "permissions"])
                assert.ok(fs.existsSync(path.join(ROOT, "ci", "aws", `${role}-${kind}.json`)));
    });
});
