import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { early, inBackground } from "../early";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * The start-up benchmark (plain JavaScript, loaded as it is): what the nodejs language host hands cmd/run for
 * Pulumi.yaml's runtime options, and the ts-node options the benchmark reckons cmd/run passes.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bench = require("../../dev/bench/loadProgram.cjs") as {
    hostEnv(mode: "deploy" | "typecheck"): Record<string, string>;
    tsNodeOptions(env: Record<string, string>, cwd: string): Registration["options"];
};

/** What cmd/run registers ts-node with, and the compiler options ts-node then compiles the program with. */
interface Registration {
    readonly options: { transpileOnly?: boolean; project: string; compilerOptions: Record<string, unknown> };
    readonly effective: Record<string, unknown>;
}

/**
 * Loaded before cmd/run: it lets ts-node register as cmd/run asks, prints the options and the compiler options ts-node
 * settled on, and ends the process before the program would dial the engine.
 */
const CAPTURE = [
    'import { createRequire } from "node:module";',
    'const tsNode = createRequire(process.cwd() + "/package.json")("ts-node");',
    "const register = tsNode.register;",
    "tsNode.register = (options) => {",
    "    const service = register(options);",
    '    process.stdout.write("ts-node.register " + JSON.stringify({ options, effective: service.config.options }) + "\\n");',
    "    process.exit(0);",
    "};",
].join("\n");

/** Environment variables a shell may carry that cmd/run or ts-node would follow: cleared, so only `env` decides. */
const cleared = () =>
    Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(PULUMI_NODEJS_|TS_NODE_|NODE_OPTIONS$)/.test(k)),
    );

function spawnNode(args: string[], env: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
        inBackground(
            execFile(process.execPath, args, { cwd: ROOT, env: { ...cleared(), ...env } }, (_err, stdout, stderr) =>
                stdout ? resolve(stdout) : reject(new Error(`node ${args.join(" ")} printed nothing:\n${stderr}`)),
            ),
        );
    });
}

/**
 * The installed @pulumi/pulumi's cmd/run, started as the language host starts it (`constructArguments`: the monitor and
 * engine addresses, project, stack, --pwd, the program "."), with the environment given.
 */
async function cmdRun(env: Record<string, string>): Promise<Registration> {
    const run = require.resolve("@pulumi/pulumi/cmd/run", { paths: [ROOT] });
    const flags = ["--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:1", "--project", "k3s-admin-mfa"];
    const args = ["--import", `data:text/javascript,${encodeURIComponent(CAPTURE)}`, run, ...flags];
    const stdout = await spawnNode([...args, "--stack", "dev", "--pwd", ROOT, "--dry-run", "."], env);
    const line = stdout.split("\n").find((l) => l.startsWith("ts-node.register "));
    assert.ok(line, `cmd/run did not register ts-node:\n${stdout}`);
    return JSON.parse(line.slice("ts-node.register ".length)) as Registration;
}

const runs = early(
    async () => {
        const [deploy, typecheck] = await Promise.all([
            cmdRun(bench.hostEnv("deploy")),
            cmdRun(bench.hostEnv("typecheck")),
        ]);
        return { deploy, typecheck };
    },
    () => undefined,
);

const without = (o: Record<string, unknown>, ...keys: string[]) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

describe("a deploy's start-up (the program as the Pulumi CLI starts it)", function () {
    // Two processes that each load the SDK and TypeScript, at a lower priority: seconds each on a busy machine.
    this.timeout(120_000);

    it("is not type-checked again: cmd/run, given what the language host makes of Pulumi.yaml, registers ts-node transpile-only", async () => {
        const { deploy } = await runs();
        assert.equal(deploy.options.transpileOnly, true);
        assert.equal(deploy.options.project, "tsconfig.deploy.json");
    });

    it("compiles the program with the compiler options of the type-checked build, noCheck aside", async () => {
        const { deploy, typecheck } = await runs();
        assert.equal(typecheck.options.transpileOnly, undefined); // ts-node's default: type-check
        assert.equal(deploy.effective["noCheck"], true);
        assert.deepEqual(
            without(deploy.effective, "noCheck", "configFilePath"),
            without(typecheck.effective, "configFilePath"),
        );
    });

    it("keeps the type-check where type errors must fail: tsconfig.json, which npm test and npm run typecheck use", () => {
        const parsed = ts.getParsedCommandLineOfConfigFile(
            path.join(ROOT, "tsconfig.json"),
            {},
            {
                ...ts.sys,
                onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
            },
        )!;
        assert.equal(parsed.options.noCheck, undefined);
        assert.equal((parsed.raw as { "ts-node"?: unknown })["ts-node"], undefined);
        assert.ok(parsed.fileNames.includes(path.join(ROOT, "index.ts")));
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
            scripts: Record<string, string>;
        };
        assert.match(pkg.scripts["typecheck"]!, /tsc --noEmit -p \. /);
    });

    it("is what dev/bench/startup.sh measures: its runs register ts-node as cmd/run does, in both modes", async () => {
        const { deploy, typecheck } = await runs();
        // As cmd/run's options reached the test: through JSON, which leaves out an undefined transpileOnly.
        const reckoned = (mode: "deploy" | "typecheck") =>
            JSON.parse(JSON.stringify(bench.tsNodeOptions(bench.hostEnv(mode), ROOT))) as unknown;
        assert.deepEqual(reckoned("deploy"), deploy.options);
        assert.deepEqual(reckoned("typecheck"), typecheck.options);
    });
});
