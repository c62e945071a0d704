import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram } from "./mocks";

/**
 * The single-admin default stack, pinned: every resource with its inputs, every URN and every output, as they were
 * when several admins became possible (issue #12). A team-sized change must not move anything of a one-person stack.
 * Regenerate deliberately, and say why in the commit: `UPDATE_DEFAULT_STACK=1 npx mocha … tests/defaultStack.test.ts`.
 */
const FIXTURE = path.join(__dirname, "fixtures", "default-stack.json");

describe("the default single-admin stack", () => {
    it("declares exactly the resources, URNs and outputs it did before several admins existed", async () => {
        const run = await runProgram();
        const now = JSON.parse(
            JSON.stringify({
                urns: [...run.urns].sort(),
                resources: run.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs })),
                outputs: run.outputs,
            }),
        ) as unknown;
        if (process.env["UPDATE_DEFAULT_STACK"] === "1") fs.writeFileSync(FIXTURE, `${JSON.stringify(now, null, 2)}\n`);
        assert.deepEqual(now, JSON.parse(fs.readFileSync(FIXTURE, "utf8")));
    });
});
