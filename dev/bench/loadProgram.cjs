// The program's start-up as `pulumi preview` / `pulumi up` runs it, on this machine alone (issue 19, item 9): ts-node
// registered with the options @pulumi/pulumi's cmd/run would pass, then index.ts run to its last output under Pulumi's
// mocks in place of the engine. dev/bench/startup.sh times it; tests/e2e/deployStartup.test.ts checks that the options
// registered here are those the installed cmd/run passes, and takes the language host's environment from here.
//
//   node dev/bench/loadProgram.cjs deploy      as Pulumi.yaml is: its runtime options, as the language host reads them
//   node dev/bench/loadProgram.cjs typecheck   the same without the `tsconfig` option: run.ts reads tsconfig.json,
//                                              which has no noCheck, so ts-node type-checks (the program before item 9)
//   add --options to print the ts-node options as JSON and stop there
//
// Plain JavaScript on purpose: nothing here may go through ts-node before the registration being measured.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, and ts-node, the SDK and the program load on demand */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "k3s-admin-mfa";
const ACCOUNT = "123456789012";

/**
 * The environment the nodejs language host gives cmd/run for the project's runtime options (pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go, `parseOptions`, then `Run`: PULUMI_NODEJS_TYPESCRIPT=true unless
 * `typescript: false`, PULUMI_NODEJS_TSCONFIG_PATH only when `tsconfig` is set).
 */
function languageHostEnv(options) {
    const env = {};
    if (options.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    return env;
}

/**
 * The options cmd/run registers ts-node with, from that environment (@pulumi/pulumi cmd/run/run.ts, `run`, the CommonJS
 * branch: this project's package.json has no `"type": "module"`): the tsconfig's own compilerOptions over run.ts's
 * defaults, and transpileOnly from PULUMI_NODEJS_TRANSPILE_ONLY, else the tsconfig's `noCheck`.
 */
function tsNodeOptions(env, cwd = process.cwd()) {
    const { loadTypeScriptCompilerOptions, typeScriptRequireStrings } = require("@pulumi/pulumi/tsutils");
    const typescript = require("typescript");
    const tsConfigPath = env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json";
    const compilerOptions = loadTypeScriptCompilerOptions(path.resolve(cwd, tsConfigPath));
    const transpileOnly = env.PULUMI_NODEJS_TRANSPILE_ONLY
        ? env.PULUMI_NODEJS_TRANSPILE_ONLY === "true"
        : compilerOptions.noCheck;
    const nodeNext = Number(typescript.versionMajorMinor) >= 4.7;
    return {
        compiler: typeScriptRequireStrings().typescriptRequire,
        transpileOnly,
        project: tsConfigPath,
        skipProject: !fs.existsSync(path.resolve(cwd, tsConfigPath)),
        compilerOptions: {
            target: "ES2020",
            module: nodeNext ? "nodenext" : "commonjs",
            moduleResolution: nodeNext ? "nodenext" : "node",
            sourceMap: "true",
            ...compilerOptions,
        },
    };
}

/** Pulumi.yaml's runtime options and its declared defaults, as the CLI hands them to the program. */
function project() {
    const yaml = require("yaml");
    const file = yaml.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const config = {};
    for (const [key, spec] of Object.entries(file.config ?? {})) {
        if (spec.default === undefined) continue;
        const value = spec.default;
        config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { options: file.runtime?.options ?? {}, config };
}

/** What the engine would return, enough for index.ts to run to its last output. */
const mocks = {
    newResource(args) {
        const state = { ...args.inputs };
        const kind = { "aws:iam/user:User": "user", "aws:iam/role:Role": "role" }[args.type];
        if (kind) {
            state.arn = `arn:aws:iam::${ACCOUNT}:${kind}/${args.inputs.name}`;
            state.uniqueId = `${kind === "user" ? "AIDA" : "AROA"}0000000000000000`;
        }
        if (args.type === "command:local:Command") Object.assign(state, { stdout: "not run", stderr: "" });
        return { id: kind ? String(args.inputs.name) : `${args.name}-id`, state };
    },
    call(args) {
        const answers = {
            "aws:index/getPartition:getPartition": { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com" },
            "aws:index/getRegion:getRegion": { id: "us-east-1", region: "us-east-1", name: "us-east-1" },
            "aws:index/getCallerIdentity:getCallerIdentity": {
                id: ACCOUNT,
                accountId: ACCOUNT,
                arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
                userId: "AIDADEPLOYER",
            },
        };
        if (!(args.token in answers)) throw new Error(`bench-startup: no answer for ${args.token}`);
        return answers[args.token];
    },
};

/** The language host's environment for a mode: `typecheck` is Pulumi.yaml without its `tsconfig` runtime option. */
function hostEnv(mode) {
    if (mode !== "deploy" && mode !== "typecheck")
        throw new Error("usage: dev/bench/loadProgram.cjs deploy|typecheck [--options]");
    const { options } = project();
    return languageHostEnv(mode === "deploy" ? options : { ...options, tsconfig: undefined });
}

async function main(argv) {
    const mode = argv.find((a) => !a.startsWith("--"));
    const env = { ...hostEnv(mode), PULUMI_NODEJS_TRANSPILE_ONLY: process.env.PULUMI_NODEJS_TRANSPILE_ONLY };
    process.chdir(ROOT); // cmd/run's --pwd: the project
    const tsOptions = tsNodeOptions(env);
    if (argv.includes("--options")) return void process.stdout.write(`${JSON.stringify(tsOptions)}\n`);

    require("ts-node").register(tsOptions);
    const pulumi = require("@pulumi/pulumi");
    // The test instance's look-ups (AMI, subnets) are left out: they need a fake account, and add no TypeScript.
    const stackConfig = { ...project().config, [`${PROJECT}:createTestInstance`]: "false" };
    await pulumi.runtime.setMocks(mocks, PROJECT, "dev", false);
    pulumi.runtime.setAllConfig(stackConfig);
    const program = require(path.join(ROOT, "index.ts"));
    const outputs = await Promise.all(
        Object.values(program).map((v) => (pulumi.Output.isInstance(v) ? v.promise() : v)),
    );
    process.stdout.write(`bench-startup ${mode}: ${outputs.length} outputs\n`);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((err) => {
        process.stderr.write(`bench-startup: ${err.stack ?? err}\n`);
        process.exitCode = 1;
    });
}

module.exports = { hostEnv, tsNodeOptions };
