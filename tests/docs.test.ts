import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { mfaDenyStatement, mfaEnforcementPolicy, mfaTrustPolicy } from "../components/policies";
import { awsProviderSettings } from "../config";

/**
 * The documentation cannot drift from the code: every page (README.md and every docs/*.md, those added later
 * included) is read, and each command, setting, output, flag, path and link it names must exist. The access matrices
 * are checked against `npm run plan` in tests/accessMatrixDoc.test.ts.
 */

/**
 * Pages that other work adds and that pages here already link to. A link to one of these passes while it is missing;
 * once the page exists, its entry must go (a test below fails until it does), so that its links are checked too.
 */
export const PENDING_PAGES: readonly string[] = [];

const ROOT = path.resolve(__dirname, "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");
const PAGES = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) =>
    f.endsWith(".md"),
);
const text = new Map(PAGES.map((p) => [p, read(p)]));

/** The page without its fenced code blocks (whose `#` lines are comments, not headings). */
function prose(page: string): string {
    return text.get(page)!.replace(/^```[\s\S]*?^```/gm, "");
}

/** The page's fenced code blocks of one language, in order. */
function codeBlocks(page: string, language: string): string[] {
    return [...text.get(page)!.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\``, "gm"))].map(
        (m) => m[1]!,
    );
}

/** Every `inline code` of the page's prose, and every line of its code blocks: where commands are named. */
function commandText(page: string): string {
    // Inline code may wrap onto the next line of the paragraph.
    const inline = [...prose(page).matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s*\n\s*/g, " "));
    const blocks = [...text.get(page)!.matchAll(/^```\w*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    // A command broken over lines with `\` is one command.
    return [...inline, ...blocks].join("\n").replace(/\\\n\s*/g, " ");
}

/** GitHub's anchors for the page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(page: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    for (const m of prose(page).matchAll(/^#{1,6} (.+)$/gm)) {
        const base = m[1]!
            .trim()
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, "")
            .replace(/ /g, "-");
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        out.add(n === 0 ? base : `${base}-${n}`);
    }
    return out;
}

/** The rows of the table between `<!-- NAME:start` and `<!-- NAME:end`, header left out, cells trimmed. */
function table(page: string, name: string): string[][] {
    const t = text.get(page)!;
    const start = t.indexOf(`<!-- ${name}:start`);
    const end = t.indexOf(`<!-- ${name}:end`, start);
    assert.ok(start >= 0 && end > start, `${page}: no table ${name}`);
    return t
        .slice(start, end)
        .split("\n")
        .filter((l) => l.startsWith("|") && !/^\|(\s*:?-+:?\s*\|)+$/.test(l))
        .slice(1)
        .map((l) =>
            l
                .split(/(?<!\\)\|/)
                .slice(1, -1)
                .map((c) => c.trim()),
        );
}

const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string>; engines: { node: string } };
const project = parseYaml(read("Pulumi.yaml")) as {
    config: Record<string, { type: string; default: unknown; items?: { type: string } }>;
};
const exportsOfIndex = new Set([...read("index.ts").matchAll(/^export const (\w+)/gm)].map((m) => m[1]!));

describe("docs: every page says only what the code does (README.md, docs/*.md)", () => {
    it("the README is a front door: at most 300 lines", () => {
        const lines = text.get("README.md")!.split("\n").length;
        assert.ok(lines <= 300, `README.md has ${lines} lines; move detail to a page in docs/`);
    });

    it("names nothing a reader of the repository cannot resolve: no seed numbers, caveat numbers or bare #N", () => {
        for (const [page, t] of text) {
            for (const bad of [
                /\bseed 0\d\d\b/i,
                /\bcaveat #?\d/i,
                /\bissue #?\d+/i,
                /(^|[\s(\[])#\d+\b/m,
                /\b\d{3,} (tests|passing)\b/,
            ]) {
                const m = bad.exec(t);
                assert.equal(m, null, `${page}: "${m?.[0].trim()}" (${bad})`);
            }
        }
    });

    it("links only to files and headings that exist, or to pages listed as pending", () => {
        let checked = 0;
        for (const page of PAGES) {
            for (const m of prose(page)
                .replace(/`[^`]+`/g, "")
                .matchAll(/\]\(([^)\s]+)\)/g)) {
                const target = m[1]!;
                if (/^(https?|mailto):/.test(target)) continue;
                const [file = "", anchor] = target.split("#");
                const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
                if (PENDING_PAGES.includes(resolved)) continue;
                checked++;
                assert.ok(fs.existsSync(path.join(ROOT, resolved)), `${page}: link to ${target}: no file ${resolved}`);
                if (anchor !== undefined && resolved.endsWith(".md")) {
                    const known = text.get(resolved) !== undefined ? anchors(resolved) : new Set<string>();
                    assert.ok(known.has(anchor), `${page}: link to ${target}: no heading #${anchor} in ${resolved}`);
                }
            }
        }
        // A link pattern that stopped matching would check nothing: the README alone links a dozen pages.
        assert.ok(checked >= 10, `only ${checked} relative links found`);
    });

    it("lists as pending only pages that are still missing (remove an entry once its page lands)", () => {
        for (const page of PENDING_PAGES)
            assert.ok(!fs.existsSync(path.join(ROOT, page)), `${page} exists: remove it from PENDING_PAGES`);
    });

    it("names paths of this repository that exist", () => {
        const top = new Set(fs.readdirSync(ROOT).filter((f) => f !== "node_modules"));
        let checked = 0;
        for (const page of PAGES) {
            for (const m of prose(page).matchAll(/`([^`\s<>*$…]+)`/g)) {
                const p = m[1]!.replace(/['",:;]+$/, "");
                const first = p.split("/")[0]!;
                const looksLikePath = p.includes("/")
                    ? top.has(first)
                    : /^[\w.-]+\.(ts|mjs|cjs|json|yaml|yml|sh)$/.test(p);
                if (!looksLikePath || !top.has(first)) continue;
                checked++;
                assert.ok(fs.existsSync(path.join(ROOT, p)), `${page}: \`${p}\` does not exist`);
            }
        }
        assert.ok(checked >= 10, `only ${checked} paths found`);
    });

    it("runs only npm scripts that package.json defines, with flags their commands declare", () => {
        let scripts = 0;
        let flags = 0;
        for (const page of PAGES) {
            const commands = commandText(page);
            for (const m of commands.matchAll(/\bnpm run(?: -s| --silent)? ([\w-]+(?::[\w-]+)*)([^\n|]*)/g)) {
                const [, script = "", rest = ""] = m;
                assert.ok(pkg.scripts[script] !== undefined, `${page}: npm run ${script}: no such script`);
                scripts++;
                // A TypeScript command's flags (dev/test/main.mjs hands its options to mocha).
                const file = /\b([\w/.-]+\.ts)\b/.exec(pkg.scripts[script]!)?.[1];
                const args = rest.split(/\s--\s/)[1];
                if (!file || args === undefined) continue;
                // Flags are declared in the command's folder (the command file is a thin shell over its module).
                const dir = path.join(ROOT, path.dirname(file));
                const sources = fs
                    .readdirSync(dir)
                    .filter((f) => f.endsWith(".ts"))
                    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
                    .join("\n");
                for (const flag of args.matchAll(/(?:^|\s)--([a-z][\w-]*)/g)) {
                    const declared = new RegExp(`(^|[\\s{,])"?${flag[1]}"?\\s*:`, "m").test(sources);
                    assert.ok(declared, `${page}: npm run ${script} -- --${flag[1]}: not a flag of ${file}`);
                    flags++;
                }
            }
        }
        assert.ok(scripts >= 5 && flags >= 5, `only ${scripts} npm run commands and ${flags} flags found`);
    });

    it("sets only config keys that Pulumi.yaml declares (or the AWS provider knows)", () => {
        const aws = new Set(awsProviderSettings());
        let checked = 0;
        for (const page of PAGES) {
            const commands = commandText(page);
            const keys = [
                ...[...commands.matchAll(/pulumi config (?:set|rm)(?: --path)? '?([\w:]+)/g)].map((m) => m[1]!),
                ...[...commands.matchAll(/--config ([\w:]+)=/g)].map((m) => m[1]!),
            ];
            // KEY, NAME: placeholders in a synopsis.
            for (const key of keys.filter((k) => k !== k.toUpperCase())) {
                const known = key.startsWith("aws:") ? aws.has(key.slice(4)) : key in project.config;
                assert.ok(known, `${page}: config key ${key} is not a setting`);
                checked++;
            }
        }
        assert.ok(checked >= 5, `only ${checked} config keys found`);
    });

    it("reads only stack outputs that index.ts exports", () => {
        let checked = 0;
        for (const page of PAGES) {
            for (const m of commandText(page).matchAll(/pulumi stack output (?:--json )?([a-zA-Z]\w*)/g))
                if (m[1] !== m[1]!.toUpperCase()) {
                    assert.ok(exportsOfIndex.has(m[1]!), `${page}: pulumi stack output ${m[1]}: no such output`);
                    checked++;
                }
        }
        assert.ok(checked >= 3, `only ${checked} stack outputs read`);
    });

    it("docs/settings.md lists every setting of Pulumi.yaml, and only those, with its type and default", () => {
        const rows = table("docs/settings.md", "settings");
        const keys = rows.map((r) => r[0]!.replace(/`/g, ""));
        assert.deepEqual([...keys].sort(), Object.keys(project.config).sort());
        for (const [cell = "", type = "", shownDefault = ""] of rows) {
            const key = cell.replace(/`/g, "");
            const declared = project.config[key]!;
            const types: Record<string, RegExp> = {
                string: /^(string|`[\w-]+`( \\\| `[\w-]+`)+)$/,
                integer: /^integer$/,
                boolean: /^boolean$/,
                array: /^list of strings$/,
                object: /^map of strings$/,
            };
            assert.match(type, types[declared.type]!, `settings.md: ${key} is a ${declared.type}`);
            const d = declared.default;
            const empty =
                d === "" ||
                (Array.isArray(d) && d.length === 0) ||
                (typeof d === "object" && d !== null && Object.keys(d).length === 0);
            if (empty) assert.match(shownDefault, /^empty/, `settings.md: ${key}'s default is empty`);
            else
                assert.equal(
                    shownDefault,
                    `\`${typeof d === "string" ? d : JSON.stringify(d)}\``,
                    `settings.md: ${key}`,
                );
        }
    });

    it("docs/settings.md lists every stack output of index.ts, and only those", () => {
        const outputs = table("docs/settings.md", "outputs").map((r) => r[0]!.replace(/`/g, ""));
        assert.deepEqual([...outputs].sort(), [...exportsOfIndex].sort());
    });

    it("docs/door.md shows the Deny's first statement and the role's trust policy as components/policies.ts builds them", () => {
        const blocks = codeBlocks("docs/door.md", "json");
        const shown = (sid: string): unknown => JSON.parse(blocks.find((b) => b.includes(`"Sid": "${sid}"`)) ?? "null");
        const [deny, trust] = [shown("MustBeSignedInWithMFA"), shown("AssumeOnlyWithRecentMFA")];
        assert.deepEqual(deny, mfaDenyStatement());
        assert.deepEqual(
            trust,
            mfaTrustPolicy({ principalArn: "arn:aws:iam::<account>:user/k3s-admin", mfaMaxAgeSeconds: 3600 }),
        );
    });

    it("docs/door.md shows what the scoped style adds as components/policies.ts builds it, with the default settings", () => {
        const block = codeBlocks("docs/door.md", "json").find((b) => b.includes('"Sid": "OnlyOwnUserWithoutMFA"'));
        assert.ok(block, "docs/door.md: no JSON block with the scoped statements");
        assert.deepEqual(JSON.parse(block), mfaEnforcementPolicy().Statement.slice(1));
    });

    it("the README states the minimum Pulumi CLI that Pulumi.yaml's requiredPulumiVersion declares", () => {
        const range = (parseYaml(read("Pulumi.yaml")) as { requiredPulumiVersion?: string }).requiredPulumiVersion;
        // "X or newer" says all of a lower bound and nothing else; another range needs other words in the README.
        const min = /^>=(\d+\.\d+\.\d+)$/.exec(range ?? "")?.[1];
        assert.ok(min, `Pulumi.yaml: requiredPulumiVersion ${JSON.stringify(range)} is not ">=X.Y.Z"`);
        const prerequisites = /## Prerequisites\n([\s\S]*?)\n## /.exec(text.get("README.md")!)?.[1] ?? "";
        const stated = [
            ...prerequisites.matchAll(/Pulumi CLI\]\([^)]*\),? (?:version )?(\d+\.\d+\.\d+) or newer/g),
        ].map((m) => m[1]);
        assert.deepEqual(stated, [min], "README.md's prerequisites: the Pulumi CLI's minimum version");
    });

    it("the README asks for the Node.js that package.json's engines names, and sets up with what .ci/run runs", () => {
        const major = /\d+/.exec(pkg.engines.node)![0];
        assert.match(text.get("README.md")!, new RegExp(`Node\\.js ${major} or newer`));
        const setUp = /## Set up and test\n+```bash\n([\s\S]*?)```/.exec(text.get("README.md")!)?.[1];
        assert.deepEqual(setUp?.trim().split("\n"), ["npm ci", "npm test"]);
        const ci = read(".ci/run").split("\n");
        assert.ok(
            ci.some((l) => /^npm ci\b/.test(l)) && ci.includes("npm test"),
            ".ci/run must run npm ci and npm test",
        );
    });

    it("the README's defaults are Pulumi.yaml's and Pulumi.dev.yaml's", () => {
        const readme = text.get("README.md")!;
        const d = (key: string): string => String(project.config[key]!.default);
        assert.match(
            readme,
            new RegExp(`the test instance is a billable ${d("testInstanceType").replace(".", "\\.")}`),
        );
        assert.match(readme, new RegExp(`\\(\`${d("userName")}\` by default\\)`));
        assert.match(readme, new RegExp(`one IAM role \\(\`${d("userName")}-mfa\``));
        assert.match(readme, new RegExp(`the \`clusterId\` setting, default \`${d("clusterId")}\``));
        const region = (parseYaml(read("Pulumi.dev.yaml")) as { config: Record<string, string> }).config["aws:region"];
        assert.match(readme, new RegExp(`Pulumi\\.dev\\.yaml already sets aws:region ${region}`));
    });

    it("messages in the code that point to a README section name one that exists", () => {
        const headings = [...prose("README.md").matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!.trim());
        const sources = [
            "checks",
            "cli",
            "commands",
            "dev",
            "handover",
            "components",
            "analysis",
            ".github/workflows",
        ].flatMap((dir) =>
            fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f)),
        );
        let checked = 0;
        for (const file of [...sources, "config.ts", "index.ts"]) {
            if (!fs.statSync(path.join(ROOT, file)).isFile()) continue;
            for (const m of read(file).matchAll(/README(?::|,) "?([A-Z][\w ]*\w)"?/g)) {
                assert.ok(
                    headings.some((h) => h === m[1] || h.startsWith(`${m[1]}:`) || h.startsWith(`${m[1]},`)),
                    `${file}: "README: ${m[1]}": no such section`,
                );
                checked++;
            }
        }
        // The Node guard's message points to "Prerequisites": a pattern that stopped matching would check nothing.
        assert.ok(checked >= 1, "no README pointer found in the code");
    });
});
