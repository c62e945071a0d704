/**
 * npm run plan -- [--stack dev] [--format text|markdown|json] [--config key=value …]
 *
 * The offline access report: runs index.ts under the same mock runtime as the tests, with the config of a stack
 * file, and prints the resources it would create, the exact policy documents, and the access matrix decided by an
 * IAM evaluation engine. Exit status 1 when a request that must be denied is allowed; 2 for bad input.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { usageText } from "../cli/command";
import { awsProviderSettings, parseConfig, PROJECT, projectConfig, unknownAwsSettings } from "../config";
import { fakeAccountFor } from "../tests/fakeAccount";
import { parseUrn, type ProgramRun, runProgram } from "../tests/mocks";
import { mergeStackConfig, readProjectFile, stackValue } from "./cliConfig";
import { type DeclaredAccess, declaredAccess } from "./declared";
import { accessMatrix, isViolation } from "./matrix";
import { FORMATS, type Format, render, type Report } from "./report";
import { readStackFile, type StackFileConfig, stackNameOf } from "./stackFile";
import { weaknesses } from "./weaknesses";

const ROOT = path.resolve(__dirname, "..");

/**
 * Each resource with its parent, named "type name", every component followed by its children. A URN carries only
 * its parents' types; the name comes from our convention that children are named from their component's name.
 */
function resources(run: ProgramRun): Report["resources"] {
    const all = run.urns.map(parseUrn);
    const components = all.filter((u) => !/^(aws|command|pulumi):/.test(u.type));
    const rows = all.map((u) => {
        const parent = components
            .filter((c) => c.type === u.parentType && u.name.startsWith(c.name))
            .sort((a, b) => b.name.length - a.name.length)[0];
        return { type: u.type, name: u.name, parent: parent ? `${parent.type} ${parent.name}` : "(stack)" };
    });
    const group = (r: (typeof rows)[number]) => (r.parent === "(stack)" ? `${r.type} ${r.name}` : r.parent);
    return rows.sort(
        (a, b) => group(a).localeCompare(group(b)) || Number(a.parent !== "(stack)") - Number(b.parent !== "(stack)"),
    );
}

/**
 * Each admin's inline policies, then each managed policy once with the users it is attached to (AWS's one document),
 * then the role's trust.
 */
function policies(d: DeclaredAccess): Report["policies"] {
    const inline = d.users.flatMap((u) =>
        u.policies
            .filter((p) => p.inline)
            .map((p) => ({ title: `inline policy ${p.name} on user ${u.name}`, document: p.document })),
    );
    const managed = new Map<string, { users: string[]; document: Report["policies"][number]["document"] }>();
    for (const u of d.users)
        for (const p of u.policies.filter((x) => !x.inline)) {
            const entry = managed.get(p.name) ?? { users: [], document: p.document };
            managed.set(p.name, { ...entry, users: [...entry.users, u.name] });
        }
    return [
        ...inline,
        ...[...managed].map(([name, { users, document }]) => ({
            title: `managed policy ${name} attached to ${users.length > 1 ? "users" : "user"} ${users.join(", ")} (AWS's document)`,
            document,
        })),
        { title: `trust policy of role ${d.role.name}`, document: d.role.trustPolicy },
    ];
}

/**
 * The settings the report can use: the stack file's plain values with --config over them. An encrypted setting of
 * ours (or the region) stops the report, naming the stand-in to pass; the provider's own credentials (aws:secretKey,
 * …) are not needed offline and are left out.
 */
function offlineSettings(
    file: StackFileConfig,
    overrides: Readonly<Record<string, unknown>>,
    stack: string,
): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(file.raw)) {
        if (!file.secretKeys.includes(key)) values[key] = value;
        else if (!(key in overrides) && (key === "aws:region" || key.startsWith(`${PROJECT}:`))) {
            const bare = key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : key;
            throw new Error(
                `\`${key}\` is stored encrypted in Pulumi.${stack}.yaml and the offline report cannot decrypt it: ` +
                    `pass a stand-in, e.g. --config ${bare}=VALUE`,
            );
        }
    }
    return { ...values, ...overrides };
}

/**
 * Runs the program for a stack and builds the report. Throws with a one-line message for bad input. `stackRef` is
 * any form pulumi/actions' `stack-name` takes (`dev`, `org/dev`, `org/project/dev`), as CI passes the same value.
 */
export async function buildReport(
    stackRef: string,
    overrides: Readonly<Record<string, unknown>>,
    projectDir = ROOT,
): Promise<Report> {
    const stack = stackNameOf(stackRef, PROJECT);
    const values = offlineSettings(readStackFile(projectDir, stack), overrides, stack);
    const fromEnv = process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"];
    const region = typeof values["aws:region"] === "string" ? values["aws:region"] : fromEnv;
    if (!region) throw new Error(`aws:region is not set for stack ${stack} (pulumi config set aws:region us-east-1)`);
    values["aws:region"] = region;
    // The CLI's checks first, with this stack's name in the message, as `pulumi preview` would stop.
    const settings = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, stackValue(v)]));
    const merged = mergeStackConfig(readProjectFile(ROOT), stack, settings);
    const config = parseConfig(projectConfig(merged.values));
    const account = fakeAccountFor(region, {
        instanceType: config.testInstanceType,
        subnetId: config.testInstanceSubnetId,
    });
    const run = await runProgram(values, account);
    const declared = declaredAccess(run, region);
    const matrix = await accessMatrix(declared, config);
    return {
        stack,
        region,
        resources: resources(run),
        policies: policies(declared),
        matrix,
        warnings: [...unknownAwsSettings(Object.keys(values), awsProviderSettings()), ...weaknesses(declared)],
        violations: matrix.filter(isViolation).length,
    };
}

/**
 * A --config value: a JSON list is a list (what `pulumi config set --path 'KEY[0]' …` stores in the stack file, so
 * the CLI's type check sees an array); anything else is the string `pulumi config set` would store.
 */
function settingValue(text: string): unknown {
    if (!text.startsWith("[")) return text;
    try {
        const parsed: unknown = JSON.parse(text);
        return Array.isArray(parsed) ? parsed : text;
    } catch {
        return text;
    }
}

function parse(argv: string[]): { stack: string; format: Format; overrides: Record<string, unknown>; help: boolean } {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string", default: "dev" },
            format: { type: "string", default: "text" },
            config: { type: "string", multiple: true, short: "c", default: [] },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    const format = FORMATS.find((f) => f === values.format);
    if (!format) throw new Error(`--format must be one of ${FORMATS.join(", ")}, got ${JSON.stringify(values.format)}`);
    const overrides: Record<string, unknown> = {};
    for (const pair of values.config) {
        const eq = pair.indexOf("=");
        if (eq < 1) throw new Error(`--config takes KEY=VALUE, got ${JSON.stringify(pair)}`);
        // A bare key is this project's, as with `pulumi config set`.
        const key = pair.slice(0, eq);
        overrides[key.includes(":") ? key : `${PROJECT}:${key}`] = settingValue(pair.slice(eq + 1));
    }
    return { stack: values.stack, format, overrides, help: values.help };
}

/** 1 when any request that must be denied is allowed. */
export function exitStatus(report: Report): number {
    return report.violations > 0 ? 1 : 0;
}

export interface Io {
    readonly out: (text: string) => void;
    readonly err: (line: string) => void;
}

/** The command line: returns the exit status. `projectDir` is where Pulumi.<stack>.yaml is read (tests pin a fixture). */
export async function main(argv: string[], io: Io, projectDir = ROOT): Promise<number> {
    let args: ReturnType<typeof parse>;
    try {
        args = parse(argv);
    } catch (err) {
        io.err(`plan: ${(err as Error).message} (see --help)`);
        return 2;
    }
    if (args.help) {
        io.out(usageText(__dirname));
        return 0;
    }
    try {
        const report = await buildReport(args.stack, args.overrides, projectDir);
        io.out(render(report, args.format));
        return exitStatus(report);
    } catch (err) {
        io.err(`plan: ${err instanceof Error ? err.message : String(err)}`);
        return 2;
    }
}

/** Runs the report as this process: cli/launch.cjs calls it, after answering --help itself. */
export function run(argv: string[] = process.argv.slice(2)): Promise<number> {
    return main(argv, { out: (t) => console.log(t), err: (l) => console.error(l) }).then((code) => {
        // Exit only once stdout is drained: a pipe takes writes asynchronously, and exiting at once cut a large
        // JSON report at 64 KiB. The exit itself is needed: the Pulumi runtime under mocks keeps handles open.
        process.stdout.write("", () => process.exit(code));
        return code;
    });
}

if (require.main === module) void run();
