import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { inBackground } from "./early";
import { parseUrn, type ProgramRun, UNKNOWN } from "./mocks";

/**
 * Stands in for the Pulumi engine and the nodejs language host when `pulumi preview --policy-pack policy` runs the
 * pack, and follows them:
 * - pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go, `RunPlugin` (kind analyzer): resolves
 *   `@pulumi/pulumi/cmd/run-policy-pack` from the pack's directory (`locateModule`), runs
 *   `node <run-policy-pack> <engine address> <pack dir>` in the pack's directory, with PULUMI_NODEJS_PROJECT,
 *   _STACK, _ORGANIZATION, _DRY_RUN and PULUMI_CONFIG taken from the engine's ConfigureStack (sdk/policy_proxy.go,
 *   `PolicyProxy.Attach` then forwards that ConfigureStack to the pack);
 * - sdk/go/common/resource/plugin/plugin.go, `newPlugin`: the first line on the pack's stdout is its port;
 * - pkg/resource/plugin/analyzer_plugin.go, `Analyze`, `AnalyzeStack`, `GetAnalyzerInfo`, `Configure`, `Close`:
 *   properties marshalled with KeepUnknowns and KeepSecrets (unknowns as the sentinel string, secrets as
 *   envelopes), options with the parent, and for AnalyzeStack the parent, dependencies and non-empty property
 *   dependencies. Configure is only called when the stack sets policy config, which ours does not.
 * - pkg/resource/deploy/step_generator.go: Analyze gets the provider-checked inputs, AnalyzeStack the outputs.
 */

const PROJECT = "k3s-admin-mfa";
const STACK = "dev";

/** run-policy-pack drops this argument (cmd/run-policy-pack/index.ts, `main`); the pack never dials the engine. */
const ENGINE_ADDRESS = "127.0.0.1:0";

/** A resource as the engine holds it when it calls the analyzer. */
export interface EngineResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string;
    /** What Analyze gets: the inputs after the provider's Check. */
    readonly inputs: Record<string, unknown>;
    /** What AnalyzeStack gets: the resource's outputs (at preview, those of the planned create). */
    readonly outputs: Record<string, unknown>;
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: readonly string[];
}

/**
 * pulumi-aws's Check turns a policy document given as an object into the JSON string the provider stores, so the
 * engine (and the pack) never sees the object the program wrote. Unknowns stay unknown, secrets stay secret.
 */
function checkedDocument(value: unknown): unknown {
    if (typeof value !== "object" || value === null) return value;
    const envelope = value as Record<string, unknown>;
    if (envelope[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig)
        return { ...envelope, value: checkedDocument(envelope["value"]) };
    return JSON.stringify(value);
}

const POLICY_DOCUMENTS = new Set(["policy", "assumeRolePolicy"]);

/**
 * Every resource the program registers, components included (the engine analyzes those too), as the engine would
 * analyze them at preview or at update. The mocks run no root Stack resource and no default providers, so neither
 * is sent.
 */
export function engineResources(run: ProgramRun, preview: boolean): EngineResource[] {
    return run.registrations.map((r) => {
        const urns = run.urns.filter((u) => parseUrn(u).type === r.type && parseUrn(u).name === r.name);
        const recorded = run.resources.find((x) => x.type === r.type && x.name === r.name);
        if (urns.length !== 1 || (r.custom && !recorded)) throw new Error(`cannot place ${r.type} ${r.name}`);
        const inputs = Object.fromEntries(
            Object.entries(r.object).map(([k, v]) => [k, POLICY_DOCUMENTS.has(k) ? checkedDocument(v) : v]),
        );
        return {
            urn: urns[0]!,
            type: r.type,
            name: r.name,
            parent: r.parent,
            inputs,
            outputs: recorded ? { ...inputs, id: preview ? UNKNOWN : recorded.id } : inputs,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            deleteBeforeReplace: r.deleteBeforeReplace,
            ignoreChanges: r.ignoreChanges,
        };
    });
}

/** One diagnostic of an AnalyzeResponse, with the enforcement level spelled as in the policy SDK. */
export interface Diagnostic {
    readonly policyName: string;
    readonly enforcementLevel: string;
    readonly message: string;
    readonly urn: string;
}

const LEVELS = Object.fromEntries(Object.entries(pb.EnforcementLevel).map(([k, v]) => [v, k.toLowerCase()]));

/** An enforcement level as the policy SDK spells it: "advisory", "mandatory", … */
export const levelName = (level: pb.EnforcementLevel): string => LEVELS[level] ?? String(level);

function diagnostics(response: pb.AnalyzeResponse): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => ({
        policyName: d.getPolicyname(),
        enforcementLevel: levelName(d.getEnforcementlevel()),
        message: d.getMessage(),
        urn: d.getUrn(),
    }));
}

const struct = (props: Record<string, unknown>) => Struct.fromJavaScript(props as Record<string, JavaScriptValue>);

function options(r: EngineResource): pb.AnalyzerResourceOptions {
    const o = new pb.AnalyzerResourceOptions();
    o.setParent(r.parent).setIgnorechangesList([...r.ignoreChanges]);
    // The SDK sends deleteBeforeReplace only when the program set it; the engine passes "defined" on.
    o.setDeletebeforereplace(r.deleteBeforeReplace).setDeletebeforereplacedefined(r.deleteBeforeReplace);
    o.setCustomtimeouts(new pb.AnalyzerResourceOptions.CustomTimeouts());
    return o;
}

function stackResource(r: EngineResource): pb.AnalyzerResource {
    const s = new pb.AnalyzerResource();
    s.setUrn(r.urn).setType(r.type).setName(r.name).setParent(r.parent);
    s.setProperties(struct(r.outputs))
        .setOptions(options(r))
        .setDependenciesList([...r.dependencies]);
    for (const [key, urns] of Object.entries(r.propertyDependencies)) {
        if (urns.length > 0)
            s.getPropertydependenciesMap().set(key, new pb.AnalyzerPropertyDependencies().setUrnsList([...urns]));
    }
    return s;
}

/**
 * run-policy-pack registers ts-node with `typeCheck: true` written into the call (cmd/run-policy-pack/run.ts, `run`),
 * and ts-node lets that option beat TS_NODE_TRANSPILE_ONLY and any tsconfig setting, so under the CLI the pack is
 * always type-checked as it starts (about 2.5 s here). This preload makes that one registration transpile-only
 * (about 1 s); npm test's type-check of policy/ (and `npm run typecheck`, with tsc 5.9) does the type check
 * instead.
 */
function transpileOnly(entry: string): string[] {
    const source = [
        'import { createRequire } from "node:module";',
        `const tsNode = createRequire(${JSON.stringify(entry)})("ts-node");`,
        "const register = tsNode.register;",
        "tsNode.register = (options) => register({ ...options, typeCheck: false, transpileOnly: true });",
    ].join("\n");
    return ["--import", `data:text/javascript,${encodeURIComponent(source)}`];
}

type Callback<T> = (error: grpc.ServiceError | null, response: T) => void;

function unary<T>(send: (callback: Callback<T>) => unknown): Promise<T> {
    return new Promise((resolve, reject) => send((error, response) => (error ? reject(error) : resolve(response))));
}

/** The pack, running in its own process as under the CLI, and the engine's side of the connection to it. */
export class PolicyPackProcess {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: AnalyzerClient,
    ) {}

    /**
     * Starts run-policy-pack on `dir` and forwards the engine's ConfigureStack. With `typeCheck: false` the pack
     * is only transpiled, which the CLI cannot do (see transpileOnly).
     */
    static async start(dir: string, { typeCheck = true } = {}): Promise<PolicyPackProcess> {
        const entry = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
        const preload = typeCheck ? [] : transpileOnly(entry);
        const env = { PULUMI_NODEJS_PROJECT: PROJECT, PULUMI_NODEJS_STACK: STACK, PULUMI_NODEJS_DRY_RUN: "true" };
        const child = inBackground(
            spawn(process.execPath, [...preload, entry, ENGINE_ADDRESS, dir], {
                cwd: dir,
                env: { ...process.env, ...env, PULUMI_CONFIG: "{}" },
                stdio: ["ignore", "pipe", "pipe"],
            }),
        );
        let stdout = "";
        let stderr = "";
        child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const port = await new Promise<number>((resolve, reject) => {
            child.stdout!.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const line = stdout.split("\n")[0]!.trim();
                if (stdout.includes("\n")) {
                    if (/^\d+$/.test(line)) resolve(Number(line));
                    else reject(new Error(`run-policy-pack wrote an invalid port to stdout: ${JSON.stringify(line)}`));
                }
            });
            child.on("error", reject);
            child.on("exit", (code) =>
                reject(new Error(`run-policy-pack exited (${code}) before its port:\n${stderr}`)),
            );
        });
        const pack = new PolicyPackProcess(
            child,
            new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()),
        );
        await pack.newDeployment();
        return pack;
    }

    /**
     * ConfigureStack, as the engine sends it once to the fresh pack process it starts for each deployment
     * (pkg/engine/update.go `update` builds a new plugin host per deployment; sdk/go/common/resource/plugin/
     * analyzer_plugin.go `NewPolicyAnalyzer`). The policy SDK answers with a new `stackTags` map (server.ts
     * `configureStack`), so calling it again lets one process stand in for several deployments.
     */
    async newDeployment(): Promise<void> {
        const configure = new pb.AnalyzerStackConfigureRequest().setProject(PROJECT).setStack(STACK).setDryRun(true);
        await unary((cb) => this.client.configureStack(configure, cb));
    }

    info(): Promise<pb.AnalyzerInfo> {
        return unary((cb) => this.client.getAnalyzerInfo(new Empty(), cb));
    }

    async analyze(r: EngineResource): Promise<Diagnostic[]> {
        const req = new pb.AnalyzeRequest().setUrn(r.urn).setType(r.type).setName(r.name);
        req.setProperties(struct(r.inputs)).setOptions(options(r));
        return diagnostics(await unary((cb) => this.client.analyze(req, cb)));
    }

    async analyzeStack(resources: readonly EngineResource[]): Promise<Diagnostic[]> {
        const req = new pb.AnalyzeStackRequest().setResourcesList(resources.map(stackResource));
        return diagnostics(await unary((cb) => this.client.analyzeStack(req, cb)));
    }

    /** As the engine closes a plugin: close the connection, then end the process. */
    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        const exited = once(this.child, "exit");
        this.child.kill();
        await exited;
    }
}
