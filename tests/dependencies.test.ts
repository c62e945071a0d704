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

    for (const script of ["checks/main.ts", "commands/mfa-session/main.ts", "commands/prove-mfa/main.ts"]) {
        it(`ships ${script} with nothing but runtime dependencies`, () => {
            const { packages } = programImports(script);
            assert.deepEqual(
                [...packages].filter((p) => !p.startsWith("node:") && !(p in pkg.dependencies)),
                [],
            );
            assert.ok(packages.has("@aws-sdk/client-iam"));
        });
    }

    it("stays out of the analysis, checks, commands, tooling and tests folders", () => {
        const { files } = programImports();
        assert.ok(files.includes("components/policies.ts"));
        assert.deepEqual(
            files.filter((f) => /^(analysis|checks|cli|commands|dev|tests)\//.test(f)),
            [],
        );
    });
});

/**
 * pulumi/pulumi-command's release tags, as `git tag` lists them in github.com/pulumi/pulumi-command (read 2026-12-02):
 * there is no 4.x tag, so the stray npm release 4.5.0 asked the engine for a plugin that was never released.
 */
const PULUMI_COMMAND_TAGS = [
    ...["v0.11.0", "v0.11.1", "v1.0.0", "v1.0.1", "v1.0.2", "v1.0.3", "v1.0.4", "v1.0.5"],
    ...["v1.1.0", "v1.1.1", "v1.1.2", "v1.1.3", "v1.2.0", "v1.2.1"],
];

/**
 * The plugin version the engine downloads for an installed SDK package: the language host's `getPluginVersion`
 * (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go) takes `pulumi.version`, else `version`, and
 * prefixes a `v` when it lacks one.
 */
function pluginVersion(pkg: { version?: string; pulumi?: { version?: string } }): string {
    const version = pkg.pulumi?.version || pkg.version || "";
    return version.startsWith("v") ? version : `v${version}`;
}

describe("@pulumi/command as locked and installed", () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
        packages: Record<string, { version: string }>;
    };
    const locked = lock.packages["node_modules/@pulumi/command"]!.version;
    const installed = JSON.parse(
        fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "command", "package.json"), "utf8"),
    ) as { version: string; pulumi?: { version?: string }; scripts?: { install?: string } };

    it("is on pulumi-command's 1.x line (npm's latest; 4.5.0 is a deprecated stray), installed as locked", () => {
        assert.match(locked, /^1\.\d+\.\d+$/);
        assert.equal(installed.version, locked);
    });

    it("asks the engine for a provider plugin pulumi-command actually released, the same its install script fetches", () => {
        assert.equal(pluginVersion(installed), `v${locked}`);
        assert.ok(PULUMI_COMMAND_TAGS.includes(pluginVersion(installed)), pluginVersion(installed));
        const [, kind, name, version] = /install-pulumi-plugin\.js (\S+) (\S+) (\S+)$/.exec(
            installed.scripts?.install ?? "",
        )!;
        assert.deepEqual([kind, name, pluginVersion({ version })], ["resource", "command", pluginVersion(installed)]);
    });

    it("is the version the program's comments and docs/engine.md read the provider's source at", () => {
        const cited = ["components/enforcementCheck.ts", "tests/enforcementCheck.test.ts", "docs/engine.md"].flatMap(
            (file) =>
                [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/pulumi-command (v\d+\.\d+\.\d+)/g)].map(
                    ([, tag]) => `${file}: ${tag}`,
                ),
        );
        assert.ok(cited.length >= 3, cited.join("\n"));
        assert.deepEqual(
            cited.filter((c) => !c.endsWith(`: v${locked}`)),
            [],
        );
    });
});
