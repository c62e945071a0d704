import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildReport } from "../analysis/plan";
import { type Report, roleTable, sampleTable, userTable } from "../analysis/report";

const PAGE = fs.readFileSync(path.resolve(__dirname, "..", "docs", "access-matrix.md"), "utf8");

/**
 * The rows of the table between `<!-- NAME:start` and `<!-- NAME:end` in docs/access-matrix.md, header left out, each cell
 * without its backticks and bold marks. A group row (`| **need MFA** | | … |`) keeps its empty cells.
 */
function rows(name: string): string[][] {
    const start = PAGE.indexOf(`<!-- ${name}:start`);
    const end = PAGE.indexOf(`<!-- ${name}:end`, start);
    assert.ok(start >= 0 && end > start, `docs/access-matrix.md: section ${name} not found`);
    return PAGE.slice(start, end)
        .split("\n")
        .filter((l) => l.startsWith("|") && !/^\|( --- \|)+$/.test(l))
        .slice(1)
        .map((l) =>
            l
                .split("|")
                .slice(1, -1)
                .map((c) => c.trim().replace(/`|\*\*/g, "")),
        );
}

/** A table of the report as the page shows it: header left out, group rows' `[title]` as `title`. */
function body(table: string[][]): string[][] {
    return table.slice(1).map(([first = "", ...rest]) => [first.replace(/^\[(.*)\]$/, "$1"), ...rest]);
}

/** One column of a report's table, by its header. */
function column(table: string[][], header: string): string[] {
    const i = table[0]!.indexOf(header);
    assert.ok(i > 0, `no column ${header} in ${table[0]!.join(", ")}`);
    return body(table).map((r) => r[i]!);
}

describe("docs/access-matrix.md: the matrices as npm run plan prints them", () => {
    let scoped: Report;
    let hardened: Report;
    let seed: Report;
    let account: Report;
    before(async () => {
        // A fixture stack, so the person's own Pulumi.dev.yaml (hardened, another region) cannot fail this test.
        const fixtures = path.join(__dirname, "fixtures");
        const report = (config: Record<string, string>) => buildReport("dev", config, fixtures);
        // One after the other: each run installs the Pulumi mocks and config process-wide.
        scoped = await report({});
        hardened = await report({ "k3s-admin-mfa:hardened": "true" });
        seed = await report({ "k3s-admin-mfa:mfaPolicy": "seed" });
        account = await report({ "k3s-admin-mfa:roleTrust": "account" });
    });

    it("shows the admin user's requests as npm run plan decides them, for scoped, hardened and seed", () => {
        const [s, h, x] = [scoped, hardened, seed].map((r) => userTable(r.matrix));
        const requests = body(s!).map((r) => r[0]!);
        for (const other of [h!, x!])
            assert.deepEqual(
                body(other).map((r) => r[0]!),
                requests,
            );
        // "MFA session 60 s old: all three": the styles differ only without MFA and once a session is old.
        assert.deepEqual(column(h!, "MFA session (60 s old)"), column(s!, "MFA session (60 s old)"));
        assert.deepEqual(column(x!, "MFA session (60 s old)"), column(s!, "MFA session (60 s old)"));
        const columns = [
            column(s!, "long-term keys"),
            column(h!, "long-term keys"),
            column(x!, "long-term keys"),
            column(s!, "MFA session (60 s old)"),
            column(s!, "MFA session (3600 s old)"),
            column(x!, "MFA session (3600 s old)"),
        ];
        assert.deepEqual(
            rows("access-matrix"),
            requests.map((request, i) => [request, ...columns.map((c) => c[i]!)]),
        );
    });

    it("shows who may assume the role as npm run plan decides it, for roleTrust user and account", () => {
        const [user, all] = [roleTable(scoped.matrix), roleTable(account.matrix)];
        assert.deepEqual(
            body(all).map((r) => r[0]),
            body(user).map((r) => r[0]),
        );
        assert.deepEqual(
            rows("role-matrix"),
            body(user).map(([caller = "", decision = ""], i) => [caller, decision, body(all)[i]![1]!]),
        );
    });

    it("shows the sample of AWS's actions as npm run plan counts it", () => {
        assert.deepEqual(rows("sample-matrix"), body(sampleTable(scoped.matrix)));
    });
});
