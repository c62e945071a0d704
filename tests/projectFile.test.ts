import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_KEYS, parseConfig, type StackConfig } from "../config";

const ROOT = path.resolve(__dirname, "..");
type Schema = Record<string, { type: string; description?: string; default?: unknown }>;
const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; config: Schema };

describe("Pulumi.yaml", () => {
    it("is the k3s-admin-mfa project on the nodejs runtime", () => {
        assert.equal(project.name, "k3s-admin-mfa");
        assert.deepEqual((project as unknown as { runtime: { name: string } }).runtime.name, "nodejs");
    });

    it("declares every setting config.ts reads, each with a type and a description", () => {
        assert.deepEqual(Object.keys(project.config).sort(), [...CONFIG_KEYS].sort());
        for (const [key, schema] of Object.entries(project.config)) {
            // The types sdk/go/common/workspace/project.go knows (stringTypeName … objectTypeName).
            assert.ok(["string", "integer", "boolean", "array", "object"].includes(schema.type), key);
            assert.ok((schema.description ?? "").length > 10, key);
        }
    });

    it("declares the same defaults as config.ts, and its defaults pass validation", () => {
        const defaults = parseConfig({});
        for (const [key, schema] of Object.entries(project.config)) {
            assert.notEqual(schema.default, undefined, `${key}: the CLI requires a declared key with no default`);
            if (schema.default === "") {
                // "" is how Pulumi.yaml says "derived from other settings": it must mean the same as unset.
                assert.deepEqual(parseConfig({ [key]: "" }), defaults, key);
                continue;
            }
            assert.deepEqual(schema.default, defaults[key as keyof StackConfig], key);
            const raw = typeof schema.default === "string" ? schema.default : JSON.stringify(schema.default);
            assert.doesNotThrow(() => parseConfig({ [key]: raw }), key);
        }
    });
});
