import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { lookUp, main } from "../dev/dependencies/command";
import {
    compareVersions,
    dependencyProblem,
    type LockedDependency,
    lockedDirectDependencies,
    type RegistryAnswer,
} from "../dev/dependencies/rules";

/**
 * The dependency guard (issue 19). The registry's answers are documents captured from registry.npmjs.org on
 * 2026-12-02 (tests/fixtures/registry/): @pulumi/command whole, typescript cut down to four of its versions.
 */
const FIXTURES = path.join(__dirname, "fixtures", "registry");
const registry = (file: string) =>
    JSON.parse(fs.readFileSync(path.join(FIXTURES, `${file}.json`), "utf8")) as RegistryAnswer & {
        "dist-tags": Record<string, string>;
    };
const COMMAND = registry("pulumi-command");
const TYPESCRIPT = registry("typescript");
const dep = (name: string, version: string, registryName = name): LockedDependency => ({ name, registryName, version });

describe("the dependency guard's rules (dev/dependencies/rules.ts)", () => {
    it("refuses @pulumi/command 4.5.0: above npm's latest 1.2.1, and deprecated", () => {
        assert.equal(COMMAND["dist-tags"]["latest"], "1.2.1");
        assert.equal(
            dependencyProblem(dep("@pulumi/command", "4.5.0"), COMMAND),
            "@pulumi/command 4.5.0: above the package's latest release, 1.2.1 (a stray or withdrawn version); " +
                "deprecated: npm marks this version deprecated.",
        );
    });

    it("accepts the latest release and any older one", () => {
        assert.equal(dependencyProblem(dep("@pulumi/command", "1.2.1"), COMMAND), undefined);
        assert.equal(dependencyProblem(dep("@pulumi/command", "0.7.2"), COMMAND), undefined);
        assert.equal(dependencyProblem(dep("typescript", "5.9.3"), TYPESCRIPT), undefined);
    });

    it("refuses a deprecated version, even one that npm's latest tag names", () => {
        const tagged = { ...COMMAND, "dist-tags": { latest: "4.5.0" } };
        assert.equal(
            dependencyProblem(dep("@pulumi/command", "4.5.0"), tagged),
            "@pulumi/command 4.5.0: deprecated: npm marks this version deprecated.",
        );
    });

    it("refuses a prerelease, below latest or not, and names an alias with the package behind it", () => {
        assert.equal(
            dependencyProblem(dep("typescript", "5.9.0-beta"), TYPESCRIPT),
            "typescript 5.9.0-beta: a prerelease",
        );
        assert.equal(
            dependencyProblem(dep("typescript-7", "7.0.1-rc", "typescript"), TYPESCRIPT),
            "typescript-7 (typescript) 7.0.1-rc: a prerelease",
        );
    });

    it("refuses a version the registry no longer has, and says when it could not ask", () => {
        assert.equal(
            dependencyProblem(dep("@pulumi/command", "4.6.0"), COMMAND),
            "@pulumi/command 4.6.0: the registry no longer has this version (unpublished)",
        );
        const down: RegistryAnswer = { error: { code: "ENOANSWER", summary: "https://registry/x: fetch failed" } };
        assert.equal(
            dependencyProblem(dep("x", "1.0.0"), down),
            "x 1.0.0: could not be looked up: ENOANSWER https://registry/x: fetch failed",
        );
    });

    it("orders versions as semver.org's rule 11 does", () => {
        const ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.2.1",
            "1.10.0",
            "4.5.0",
        ];
        const shuffled = [...ordered].reverse();
        assert.deepEqual(shuffled.sort(compareVersions), ordered);
        assert.equal(compareVersions("1.2.1+build.5", "1.2.1"), 0);
    });

    it("reads the direct dependencies at their locked versions, aliases as the package they install", () => {
        const pkg = {
            dependencies: { "@pulumi/command": "^4.5.0" },
            devDependencies: { "typescript-7": "npm:typescript@~7.0.2" },
        };
        const lock = {
            packages: {
                "node_modules/@pulumi/command": { version: "4.5.0" },
                "node_modules/typescript-7": { name: "typescript", version: "7.0.2" },
                "node_modules/@pulumi/pulumi": { version: "3.270.0" }, // transitive here: not ours to check
            },
        };
        assert.deepEqual(lockedDirectDependencies(pkg, lock), [
            dep("@pulumi/command", "4.5.0"),
            dep("typescript-7", "7.0.2", "typescript"),
        ]);
        assert.throws(
            () => lockedDirectDependencies({ dependencies: { yaml: "^2" } }, lock),
            /package-lock.json does not install yaml, which package.json lists: run npm install/,
        );
    });

    it("finds every direct dependency of this project in its lockfile", () => {
        const root = path.resolve(__dirname, "..");
        const read = (f: string) => JSON.parse(fs.readFileSync(path.join(root, f), "utf8")) as never;
        const pkg = read("package.json") as Record<"dependencies" | "devDependencies", Record<string, string>>;
        const deps = lockedDirectDependencies(pkg, read("package-lock.json"));
        assert.equal(deps.length, Object.keys(pkg.dependencies).length + Object.keys(pkg.devDependencies).length);
    });
});

describe("npm run check-dependencies", () => {
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    function project(dependencies: Record<string, string>, versions: Record<string, string>): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-dependencies-"));
        dirs.push(dir);
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ dependencies }));
        const packages = Object.fromEntries(
            Object.entries(versions).map(([name, version]) => [`node_modules/${name}`, { version }]),
        );
        fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify({ packages }));
        return dir;
    }

    async function run(dir: string) {
        const out: string[] = [];
        const err: string[] = [];
        const answers: Record<string, RegistryAnswer> = { "@pulumi/command": COMMAND, typescript: TYPESCRIPT };
        const code = await main(
            [],
            { out: (l) => out.push(l), err: (l) => err.push(l) },
            async (d) => answers[d.registryName]!,
            dir,
        );
        return { code, out: out.map((l) => l.replace(/\(\d+\.\d s\)/, "(N s)")), err };
    }

    it("fails with one line per package that is not fine, exit 1", async () => {
        const dir = project(
            { "@pulumi/command": "^4.5.0", typescript: "~5.9.3" },
            { "@pulumi/command": "4.5.0", typescript: "5.9.3" },
        );
        assert.deepEqual(await run(dir), {
            code: 1,
            out: ["check-dependencies: 1 of 2 direct dependencies fine as locked (N s)"],
            err: [
                "check-dependencies: @pulumi/command 4.5.0: above the package's latest release, 1.2.1 (a stray or withdrawn version); deprecated: npm marks this version deprecated.",
            ],
        });
    });

    it("passes, exit 0, when every one is fine", async () => {
        const dir = project({ "@pulumi/command": "^1.2.1" }, { "@pulumi/command": "1.2.1" });
        assert.deepEqual(await run(dir), {
            code: 0,
            out: ["check-dependencies: 1 of 1 direct dependencies fine as locked (N s)"],
            err: [],
        });
    });
});

describe("where the dependency guard runs", () => {
    const root = path.resolve(__dirname, "..");
    it("runs in .ci/run right after npm ci, and is documented in docs/dependencies.md", () => {
        const lines = fs.readFileSync(path.join(root, ".ci", "run"), "utf8").split("\n");
        const ci = lines.findIndex((l) => l.startsWith("npm ci "));
        assert.ok(ci >= 0);
        assert.equal(
            lines.slice(ci + 1).find((l) => !l.startsWith("#")),
            "npm run -s check-dependencies",
        );
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
            scripts: Record<string, string>;
        };
        assert.match(pkg.scripts["check-dependencies"]!, /dev\/dependencies\/main\.ts$/);
        assert.match(
            fs.readFileSync(path.join(root, "docs", "dependencies.md"), "utf8"),
            /`npm run check-dependencies`/,
        );
    });
});

describe("the dependency guard's registry look-up (a local registry on 127.0.0.1)", () => {
    const errorOf = (a: RegistryAnswer) => ("error" in a ? a.error : undefined);
    const dep = { name: "yaml", registryName: "yaml", version: "2.9.1" } as LockedDependency;
    async function registry(answers: number[]): Promise<{ url: string; asked: () => number; close: () => void }> {
        let asked = 0;
        const server = http.createServer((_req, res) => {
            const status = answers[Math.min(asked++, answers.length - 1)]!;
            res.writeHead(status, { "content-type": "application/json" });
            res.end(status === 200 ? JSON.stringify({ "dist-tags": { latest: "2.9.1" } }) : "{}");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const { port } = server.address() as { port: number };
        return { url: `http://127.0.0.1:${port}/`, asked: () => asked, close: () => server.close() };
    }

    it("asks again after a registry error, so one hiccup does not fail CI", async () => {
        const r = await registry([503, 200]);
        try {
            const answer = await lookUp(r.url, dep, 3, 1);
            assert.deepEqual(answer as unknown, { "dist-tags": { latest: "2.9.1" } });
            assert.equal(r.asked(), 2);
        } finally {
            r.close();
        }
    });

    it("takes a 404 as the answer (unpublished), and names the cause when nothing answers", async () => {
        const r = await registry([404]);
        try {
            assert.equal(errorOf(await lookUp(r.url, dep, 3, 1))?.code, "E404");
            assert.equal(r.asked(), 1);
        } finally {
            r.close();
        }
        // A port nothing listens on: a closed server's, so the refusal is certain.
        const closed = await registry([200]);
        closed.close();
        const none = await lookUp(closed.url, dep, 2, 1);
        assert.match(errorOf(none)?.summary ?? "", /fetch failed \(ECONNREFUSED\)$/);
    });
});
