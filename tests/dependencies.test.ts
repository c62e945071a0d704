import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** Every module an entry point imports, following its relative imports. */
function programImports(entry = "index.ts"): { files: string[]; packages: Set<string> } {
    const files: string[] = [];
    const packages = new Set<string>();
    const queue = [path.join(ROOT, entry)];
    while (queue.length > 0) {
        const file = queue.pop()!;
        if (files.includes(file)) continue;
        files.push(file);
        const source = fs.readFileSync(file, "utf8");
        for (const [, spec] of source.matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)) {
            if (spec!.startsWith(".")) queue.push(path.resolve(path.dirname(file), `${spec}.ts`));
            else packages.add(spec!.startsWith("@") ? spec!.split("/").slice(0, 2).join("/") : spec!.split("/")[0]!);
        }
    }
    return { files: files.map((f) => path.relative(ROOT, f)).sort(), packages };
}

describe("what the deployed program depends on", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
    };

    it("imports only runtime dependencies: no AGPL evaluation engine, no test or tooling package", () => {
        const { packages } = programImports();
        const builtin = (p: string) => p.startsWith("node:");
        const notRuntime = [...packages].filter((p) => !builtin(p) && !(p in pkg.dependencies));
        assert.deepEqual(notRuntime, []);
        assert.ok(!("@cloud-copilot/iam-simulate" in pkg.dependencies));
    });

    for (const script of ["scripts/check-enforcement.ts", "scripts/mfa-session.ts", "scripts/prove-mfa.ts"]) {
        it(`ships ${script} with nothing but runtime dependencies`, () => {
            const { packages } = programImports(script);
            assert.deepEqual(
                [...packages].filter((p) => !p.startsWith("node:") && !(p in pkg.dependencies)),
                [],
            );
            assert.ok(packages.has("@aws-sdk/client-iam"));
        });
    }

    it("stays out of the analysis, scripts and tests folders", () => {
        const { files } = programImports();
        assert.ok(files.includes("components/policies.ts"));
        assert.deepEqual(
            files.filter((f) => /^(analysis|scripts|tests)\//.test(f)),
            [],
        );
    });
});
