import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildReport } from "../analysis/plan";
import type { Cell } from "../analysis/matrix";
import type { Report } from "../analysis/report";

const README = fs.readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");

/** Table rows (`| a | b |`) between two markers of the README, as arrays of cells. */
function rows(after: string, before: string): string[][] {
    const start = README.indexOf(after);
    const end = README.indexOf(before, start);
    assert.ok(start >= 0 && end > start, `README section ${after} not found`);
    return README.slice(start, end)
        .split("\n")
        .filter((l) => l.startsWith("| ") && !l.startsWith("| ---"))
        .slice(1)
        .map((l) =>
            l
                .slice(2, -2)
                .split(" | ")
                .map((c) => c.replace(/`/g, "")),
        );
}

const show = (c: Cell | undefined) => (c ? `${c.decision} (${c.decidedBy})` : "missing");

describe("README access matrix", () => {
    let seed: Report;
    let hard: Report;
    before(async () => {
        // A fixture stack, so the person's own Pulumi.dev.yaml (hardened, another region) cannot fail this test.
        const fixtures = path.join(__dirname, "fixtures");
        seed = await buildReport("dev", {}, fixtures);
        hard = await buildReport("dev", { "k3s-admin-mfa:hardened": "true" }, fixtures);
    });

    it("shows what npm run plan decides, for the seed policy and for hardened", () => {
        const table = rows("<!-- access-matrix:start", "<!-- access-matrix:end");
        const find = (r: Report, caller: string, action: string) =>
            r.matrix.find((c) => c.table === "user" && c.caller.startsWith(caller) && c.action === action);
        assert.equal(
            table.length,
            seed.matrix.filter((c) => c.table === "user" && c.caller.startsWith("long-term")).length,
        );
        for (const [action = "", seedKeys, hardKeys, withMfa] of table) {
            assert.equal(seedKeys, show(find(seed, "long-term", action)), action);
            assert.equal(hardKeys, show(find(hard, "long-term", action)), action);
            assert.equal(withMfa, show(find(seed, "MFA session", action)), action);
            assert.equal(withMfa, show(find(hard, "MFA session", action)), action);
        }
    });

    it("shows who may assume the role as npm run plan decides it", () => {
        const table = rows("| caller | `sts:AssumeRole` on the role |", "The tests (");
        const cells = seed.matrix.filter((c) => c.table === "role");
        assert.deepEqual(
            table,
            cells.map((c) => [c.caller, show(c)]),
        );
    });
});
