import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseRange } from "./semverRange";

/**
 * Issue 19, item 3: MfaRole's `replacementTrigger` needs an engine that keeps it (pulumi/pulumi v3.208.0, #20936;
 * older engines drop the unknown proto field) and compares it as @pulumi/pulumi sends it at preview, an output
 * value (sdk/nodejs/runtime/resource.js sets keepOutputValues when isDryRun): before v3.226.0 (#22119)
 * pkg/resource/deploy/step_generator.go `shouldTriggerReplace` unwrapped only secrets, so the output-wrapped trigger
 * never equalled the plain one in state and every preview showed the role replaced.
 */
const ROOT = path.resolve(__dirname, "..");
const FIXED = "3.226.0";

function requiredRange(): string {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    const range = project["requiredPulumiVersion"];
    assert.equal(typeof range, "string", "Pulumi.yaml declares requiredPulumiVersion");
    return range as string;
}

describe("the Pulumi CLI the program needs (requiredPulumiVersion)", () => {
    it("reads ranges as the CLI's blang/semver v3.5.1 ParseRange does", () => {
        const r = parseRange(">=1.2.3 <2.0.0 || 3.0.0");
        assert.deepEqual(["1.2.2", "1.2.3", "1.9.0", "2.0.0", "3.0.0", "3.0.1"].map(r), [
            false,
            true,
            true,
            false,
            true,
            false,
        ]);
        assert.equal(parseRange(">= 1.2.3")("1.2.3"), true, "a space after the operator stays with it");
        assert.throws(() => parseRange(">=3.226"), /No Major.Minor.Patch/);
        assert.throws(() => parseRange("^3.226.0"), /Could not parse comparator "\^"/);
        assert.throws(() => parseRange("|| 3.0.0"), /First element in range is '\|\|'/);
    });

    it(`refuses every CLI before ${FIXED}, where the role would show as replaced on every preview`, () => {
        const satisfies = parseRange(requiredRange());
        for (const old of ["3.225.1", "3.225.0", "3.219.0", "3.211.0", "3.208.0", "3.207.0", "2.25.2"])
            assert.equal(satisfies(old), false, old);
        assert.equal(satisfies(FIXED), true);
    });

    it("accepts the CLI release of the SDK we install, and later 3.x ones", () => {
        const manifest = path.join(path.dirname(require.resolve("@pulumi/pulumi")), "package.json");
        const sdk = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version;
        assert.match(sdk, /^3\./);
        const satisfies = parseRange(requiredRange());
        for (const v of [sdk, "3.300.0"]) assert.equal(satisfies(v), true, v);
    });
});
