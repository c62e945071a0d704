import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
    CliConfigError,
    mergeStackConfig,
    type ProjectFile,
    readProjectFile,
    stackValue,
    type StackValue,
} from "../analysis/cliConfig";
import { runProgram } from "./mocks";

/**
 * The Pulumi CLI checks config against Pulumi.yaml before the program runs (pkg/workspace/config.go `mergeConfig`,
 * `validateStackConfigValue`; sdk/go/common/workspace/project.go `ValidateConfigValue`). These tests pin our port
 * of those rules to the CLI's behaviour, then hold every stack file of the repository to them.
 */

const ROOT = path.resolve(__dirname, "..");
const project = readProjectFile(ROOT);
const str = (text: string): StackValue => ({ kind: "string", text });
const obj = (value: unknown): StackValue => ({ kind: "object", json: JSON.stringify(value) });

function refusal(stack: Record<string, StackValue>, schema: ProjectFile = project): string | undefined {
    try {
        mergeStackConfig(schema, "dev", stack);
        return undefined;
    } catch (err) {
        if (err instanceof CliConfigError) return err.message;
        throw err;
    }
}

describe("the Pulumi CLI's config rules, applied to this project", () => {
    it("previews a fresh stack that holds only aws:region", () => {
        assert.equal(refusal({ "aws:region": str("us-east-1") }), undefined);
    });

    it("lacks no required setting in any Pulumi.<stack>.yaml of the repository (or the tests' fixture)", () => {
        const stackFiles = (dir: string) =>
            fs
                .readdirSync(dir)
                .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
                .map((f) => path.join(dir, f));
        // The person's own stack files may hold values of their own; only a key the CLI calls missing is ours.
        for (const file of [...stackFiles(ROOT), ...stackFiles(path.join(__dirname, "fixtures"))]) {
            const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: object };
            const stack = Object.fromEntries(Object.entries(doc.config ?? {}).map(([k, v]) => [k, stackValue(v)]));
            assert.doesNotMatch(refusal(stack, project) ?? "", /is missing configuration/, file);
        }
    });

    it("passes declared defaults to the program as the CLI does: text for scalars, JSON for lists", () => {
        const { values } = mergeStackConfig(project, "dev", {});
        assert.equal(values["k3s-admin-mfa:mfaMaxAgeSeconds"], "3600");
        assert.equal(values["k3s-admin-mfa:hardened"], "false");
        assert.equal(values["k3s-admin-mfa:roleName"], "");
        assert.equal(values["k3s-admin-mfa:kubernetesGroups"], '["k3s-admins"]');
    });

    it("runs the program on a fresh stack: empty defaults mean derived names and a default subnet", async () => {
        const run = await runProgram({ "aws:region": "us-east-1" });
        assert.equal(run.outputs["roleName"], "k3s-admin-mfa");
        const instance = run.resources.find((r) => r.type === "aws:ec2/instance:Instance")!;
        assert.equal(instance.inputs["subnetId"], "subnet-0aaaaaaaaaaaaaaaa");
        assert.match(String(run.outputs["awsConfigProfile"]), /^source_profile = k3s-admin$/m);
    });
});

describe("our port of the CLI's config rules says what the CLI says", () => {
    const schema: ProjectFile = {
        name: "p",
        config: {
            a: { type: "string" },
            b: { type: "string" },
            c: { type: "string" },
            d: { type: "string", default: "" },
            n: { type: "integer", default: 1 },
            t: { type: "boolean", default: false },
            l: { type: "array", items: { type: "string" }, default: ["x"] },
            s: { type: "string", secret: true },
        },
    };
    const all: Record<string, StackValue> = { a: str("1"), b: str("2"), c: str("3"), s: { kind: "secure" } };

    it("names missing keys the way formatMissingKeys does (config_project_test.go)", () => {
        const s: StackValue = { kind: "secure" };
        assert.equal(refusal({ a: str(""), b: str(""), s }, schema), "Stack 'dev' is missing configuration value 'c'");
        assert.equal(refusal({ a: str(""), s }, schema), "Stack 'dev' is missing configuration values 'b' and 'c'");
        assert.equal(refusal({}, schema), "Stack 'dev' is missing configuration values 'a', 'b', 'c' and 's'");
        assert.equal(
            refusal({ "p:a": str(""), "p:b": str(""), "other:c": str(""), s }, schema),
            "Stack 'dev' is missing configuration value 'c'",
        );
    });

    it("type-checks integers with strconv.Atoi: signs pass, words and fractions do not", () => {
        for (const ok of ["3600", "-5", "+7"]) assert.equal(refusal({ ...all, n: str(ok) }, schema), undefined, ok);
        for (const bad of ["soon", "1.5", " 3600", ""]) {
            assert.equal(
                refusal({ ...all, n: str(bad) }, schema),
                "Stack 'dev' with configuration key 'n' must be of type 'integer'",
                bad,
            );
        }
        assert.equal(refusal({ ...all, n: obj(3600) }, schema), undefined, "an unquoted YAML number");
    });

    it("accepts only true and false for booleans", () => {
        assert.equal(refusal({ ...all, t: str("true") }, schema), undefined);
        assert.equal(refusal({ ...all, t: obj(true) }, schema), undefined);
        assert.equal(
            refusal({ ...all, t: str("yes") }, schema),
            "Stack 'dev' with configuration key 't' must be of type 'boolean'",
        );
    });

    it("refuses a list typed as a string (`config set l '[\"a\"]'`) and takes one set with --path", () => {
        assert.equal(
            refusal({ ...all, l: str('["a"]') }, schema),
            "Stack 'dev' with configuration key 'l' must be of type 'array<string>'",
        );
        assert.equal(refusal({ ...all, l: obj(["a", "b"]) }, schema), undefined);
        assert.equal(
            refusal({ ...all, l: obj(["a", 1]) }, schema),
            "Stack 'dev' with configuration key 'l' must be of type 'array<string>'",
        );
    });

    it("requires a value declared secret to be stored encrypted, and never reads secure values", () => {
        assert.equal(
            refusal({ ...all, s: str("plain") }, schema),
            "Stack 'dev' with configuration key 's' must be encrypted as it's secret",
        );
        const merged = mergeStackConfig(schema, "dev", { ...all, n: { kind: "secure" } });
        assert.deepEqual(merged.secretKeys.sort(), ["p:n", "p:s"]);
        assert.equal(merged.values["p:n"], undefined);
    });
});
