import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { mergeStackConfig, readProjectFile, type StackValue } from "../analysis/cliConfig";
import { PROJECT } from "../config";
import { FakeAccount, fakeAccount } from "./fakeAccount";

/**
 * One mock runtime for every test file and for the offline report (`npm run plan`): it records every resource the program
 * declares, answers the invokes the program makes from a fake account, and throws on any other invoke, because an
 * unmocked invoke would otherwise resolve to `undefined` and let negative assertions pass vacuously.
 */

const STACK = "dev";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly id: string;
}

/**
 * A resource registration as the engine receives it (pulumi/pulumi proto/pulumi/resource.proto
 * `RegisterResourceRequest`): inputs still serialized (unknowns as the unknown sentinel, secrets as secret
 * envelopes), with the options the engine acts on.
 */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string;
    readonly object: Record<string, unknown>;
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges: readonly string[];
    readonly replaceWith: readonly string[];
    /** The serialized `replacementTrigger` option, or undefined when none is set. */
    readonly replacementTrigger: unknown;
    /** Whether the engine must refuse to delete or replace the resource (the `protect` option). */
    readonly protect: boolean;
    /** The provider reference (`urn::id`) the resource is created with; "" for the default provider. */
    readonly provider: string;
    /** Aliases as the SDK sends them: alias URNs it computed, or alias specs for the engine to resolve. */
    readonly aliasUrns: readonly string[];
    readonly aliasSpecs: readonly Record<string, unknown>[];
}

/** The engine's wire marker for a value not known until the resource exists (sdk/nodejs/runtime/rpc.ts). */
export const UNKNOWN = pulumi.runtime.unknownValue;

/** A value as a provider returns a sensitive field, e.g. ssm.getParameter's `value`: a secret envelope. */
function secretValue(value: unknown): Record<string, unknown> {
    return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

type Filter = { name: string; values: string[] };

function matches(filters: Filter[] | undefined, fields: Record<string, string | boolean>): boolean {
    return (filters ?? []).every((f) => f.values.includes(String(fields[f.name])));
}

/** An invoke failure as the engine reports it: the SDK rethrows only the gRPC `details`, so they carry the text. */
function invokeError(message: string): Error {
    return Object.assign(new Error(message), { details: message });
}

export class MockAws implements pulumi.runtime.Mocks {
    readonly resources: RecordedResource[] = [];
    readonly registrations: Registration[] = [];
    /** Every invoke, with the provider reference it went through (undefined: the default provider). */
    readonly calls: { readonly token: string; readonly provider: string | undefined }[] = [];
    private seq = 0;

    /**
     * @param preview like `pulumi preview` of a new stack: what a provider computes on create (ARNs, unique IDs, IDs,
     *   a command's stdout) is unknown, as the engine's preview of a create step returns it.
     */
    constructor(
        private readonly account: FakeAccount,
        readonly preview = false,
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const a = this.account;
        const inputs = args.inputs as Record<string, unknown>;
        const n = String(++this.seq).padStart(17, "0");
        const state: Record<string, unknown> = { ...inputs };
        let id = `${args.name}-id`;
        switch (args.type) {
            case "aws:iam/user:User":
            case "aws:iam/role:Role": {
                const kind = args.type === "aws:iam/user:User" ? "user" : "role";
                id = String(inputs["name"]);
                state["arn"] = `arn:${a.partition}:iam::${a.accountId}:${kind}/${id}`;
                // IAM gives each user or role a unique ID once, at creation: the same entity keeps it whatever the
                // program's order, so the mock derives it from the name, not from the order of declaration.
                const uid = createHash("sha256").update(`${kind}/${id}`).digest("hex").slice(0, 17).toUpperCase();
                state["uniqueId"] = `${kind === "user" ? "AIDA" : "AROA"}${uid}`;
                break;
            }
            case "aws:iam/userPolicy:UserPolicy":
                id = `${String(inputs["user"])}:${String(inputs["name"])}`;
                break;
            case "aws:ec2/securityGroup:SecurityGroup":
                id = `sg-${n}`;
                state["arn"] = `arn:${a.partition}:ec2:${a.region}:${a.accountId}:security-group/${id}`;
                break;
            case "command:local:Command":
                // Nothing runs under mocks; say so rather than pretend the check passed.
                id = `${args.name}-${n}`;
                state["stdout"] = "not run under mocks";
                state["stderr"] = "";
                break;
            case "aws:sns/topic:Topic": {
                // The per-resource `region` (provider v7) wins over the provider's, as in AWS.
                const region = typeof inputs["region"] === "string" ? inputs["region"] : a.region;
                id = `arn:${a.partition}:sns:${region}:${a.accountId}:${String(inputs["name"] ?? args.name)}`;
                state["arn"] = id;
                break;
            }
            case "aws:ec2/instance:Instance":
                id = `i-${n}`;
                state["arn"] = `arn:${a.partition}:ec2:${a.region}:${a.accountId}:instance/${id}`;
                break;
        }
        if (args.custom !== false) this.resources.push({ type: args.type, name: args.name, inputs, id });
        if (args.custom === false) return { id: undefined, state };
        if (this.preview) {
            // Inputs come back as given; every output the provider computes is unknown, and so is the ID (the mock
            // monitor sends "" for it, which the SDK reads as unknown during a preview).
            for (const key of Object.keys(state)) if (!(key in inputs)) state[key] = UNKNOWN;
            return { id: "", state };
        }
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        this.calls.push({ token: args.token, provider: args.provider || undefined });
        const a = this.account;
        const inputs = args.inputs as Record<string, unknown>;
        const filters = inputs["filters"] as Filter[] | undefined;
        switch (args.token) {
            case "aws:index/getPartition:getPartition":
                return {
                    id: a.partition,
                    partition: a.partition,
                    dnsSuffix: "amazonaws.com",
                    reverseDnsPrefix: "com.amazonaws",
                };
            case "aws:index/getRegion:getRegion":
                return { id: a.region, region: a.region, name: a.region, endpoint: `ec2.${a.region}.amazonaws.com` };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    id: a.accountId,
                    accountId: a.accountId,
                    arn: `arn:${a.partition}:iam::${a.accountId}:user/deployer`,
                    userId: "AIDADEPLOYER",
                };
            case "aws:ec2/getInstanceType:getInstanceType": {
                const type = String(inputs["instanceType"]);
                const archs = a.instanceTypes[type];
                if (!archs) throw invokeError(`InvalidInstanceType: ${type}`);
                return { id: type, instanceType: type, supportedArchitectures: [...archs] };
            }
            case "aws:ssm/getParameter:getParameter": {
                const name = String(inputs["name"]);
                const value = a.parameters[name];
                if (value === undefined) throw invokeError(`ParameterNotFound: ${name}`);
                // `value` is a sensitive field in the provider's schema, so the engine hands it back as a secret
                // at preview and at update alike, even for a public parameter such as an AMI ID.
                return { id: name, name, value: secretValue(value), insecureValue: value, type: "String", version: 1 };
            }
            case "aws:ec2/getVpcs:getVpcs":
                return {
                    id: a.region,
                    ids: a.vpcs.filter((v) => matches(filters, { "is-default": v.isDefault })).map((v) => v.id),
                };
            case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": {
                const type = filters?.find((f) => f.name === "instance-type")?.values[0] ?? "";
                const zones = [...(a.offerings[type] ?? [])];
                return {
                    id: a.region,
                    instanceTypes: zones.map(() => type),
                    locations: zones,
                    locationTypes: zones.map(() => "availability-zone"),
                };
            }
            case "aws:ec2/getSubnets:getSubnets":
                return {
                    id: a.region,
                    ids: a.subnets
                        .filter((s) =>
                            matches(filters, {
                                "vpc-id": s.vpcId,
                                "default-for-az": s.defaultForAz,
                                "availability-zone": s.availabilityZone,
                            }),
                        )
                        .map((s) => s.id),
                };
            case "aws:ec2/getSubnet:getSubnet": {
                const subnet = a.subnets.find((s) => s.id === inputs["id"]);
                if (!subnet) throw invokeError(`InvalidSubnetID.NotFound: ${String(inputs["id"])}`);
                return { ...subnet, arn: `arn:${a.partition}:ec2:${a.region}:${a.accountId}:subnet/${subnet.id}` };
            }
            default:
                throw invokeError(`unmocked invoke ${args.token}: add it to tests/mocks.ts`);
        }
    }
}

type ProtoList = { getUrnsList(): string[] };
type ProtoRequest = {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(f: (v: ProtoList, k: string) => void): void };
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getReplaceonchangesList(): string[];
    getReplaceWithList(): string[];
    getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
    getProtect(): boolean | undefined;
    getProvider(): string;
    getAliasurnsList(): string[];
    getAliasesList(): { toObject(): Record<string, unknown> }[];
};
type Monitor = { registerResource(req: ProtoRequest, cb: unknown): void };

/** Records each RegisterResourceRequest the SDK sends, before the mock monitor handles it. */
function recordRegistrations(mocks: MockAws): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor | undefined;
    if (typeof monitor?.registerResource !== "function")
        throw new Error("@pulumi/pulumi's mock monitor changed; update recordRegistrations in tests/mocks.ts");
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
        mocks.registrations.push({
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent(),
            object: req.getObject()?.toJavaScript() ?? {},
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            deleteBeforeReplace: req.getDeletebeforereplace(),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            replaceWith: req.getReplaceWithList(),
            replacementTrigger: req.getReplacementTrigger()?.toJavaScript(),
            protect: req.getProtect() ?? false,
            provider: req.getProvider(),
            aliasUrns: req.getAliasurnsList(),
            aliasSpecs: req.getAliasesList().map((a) => a.toObject()),
        });
        register(req, cb);
    };
}

/**
 * Installs a fresh mock runtime (empty record) for the given account. Call before declaring any resource. With
 * `preview`, the SDK runs as under `pulumi preview` (isDryRun) and new resources' computed outputs are unknown.
 */
export function useMocks(account: FakeAccount = fakeAccount(), preview = false): MockAws {
    const mocks = new MockAws(account, preview);
    void pulumi.runtime.setMocks(mocks, PROJECT, STACK, preview);
    recordRegistrations(mocks);
    return mocks;
}

/** The registration of the custom resource with this type and name. */
export function registrationOf(mocks: MockAws, type: string, name?: string): Registration {
    const found = mocks.registrations.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) throw new Error(`expected one registration of ${type} ${name ?? ""}, got ${found.length}`);
    return found[0]!;
}

/**
 * Awaits an Output the way tests need: one helper, no `done` callbacks. It uses the Output's own promise, so an
 * Output that fails rejects the test instead of leaving it to time out.
 */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    const internal = output as unknown as { promise?: () => Promise<T> };
    if (typeof internal.promise !== "function") throw new Error("@pulumi/pulumi changed Output; update promiseOf");
    return internal.promise();
}

/** The inputs a resource was declared with, once it has registered. */
export async function inputsOf(mocks: MockAws, resource: pulumi.CustomResource): Promise<Record<string, unknown>> {
    const urn = await promiseOf(resource.urn);
    const { type, name } = parseUrn(urn);
    const found = mocks.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no resource recorded for ${urn}`);
    return found.inputs;
}

/** `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>` → its type, its parent's type, its name. */
export function parseUrn(urn: string): { type: string; parentType: string | undefined; name: string } {
    const [, , chain = "", ...name] = urn.split("::");
    const types = chain.split("$");
    return { type: types[types.length - 1] ?? "", parentType: types[types.length - 2], name: name.join("::") };
}

/** Pulumi internals the runner relies on, checked so an SDK upgrade fails loudly here rather than vacuously. */
function runtimeInternals(): { waitForRPCs: () => Promise<void>; urns: () => string[] } {
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources?: () => Map<string, unknown> };
    if (typeof runtime.waitForRPCs !== "function" || typeof monitor?.getRegisteredResources !== "function") {
        throw new Error(
            "@pulumi/pulumi no longer exposes waitForRPCs or the mock monitor's registry; update tests/mocks.ts",
        );
    }
    return { waitForRPCs: runtime.waitForRPCs, urns: () => [...monitor.getRegisteredResources!().keys()] };
}

/** Waits until every resource registration already started has finished, so none leaks into the next test. */
export async function settle(): Promise<void> {
    if (pulumi.runtime.getMonitor()) await runtimeInternals().waitForRPCs();
}

/** URNs of everything registered with the current mocks so far. */
export function registeredUrns(): string[] {
    return runtimeInternals().urns();
}

export interface ProgramRun {
    /** Stack outputs, resolved (an output the program leaves undefined stays undefined). */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** Every custom resource the program declared, with its inputs. */
    readonly resources: readonly RecordedResource[];
    /** URNs of every registered resource, components included: the type chain in a URN shows its parents. */
    readonly urns: readonly string[];
    /** Every registration, components included, as the engine receives it. */
    readonly registrations: readonly Registration[];
    /** Every invoke, with the provider it went through. */
    readonly calls: MockAws["calls"];
}

/**
 * A stack's settings as `Pulumi.<stack>.yaml` holds them: a string (what `pulumi config set KEY VALUE` stores), or
 * a list or number (an object value, what `pulumi config set --path 'KEY[0]' VALUE` or a hand edit stores).
 */
export type StackSettings = Readonly<Record<string, unknown>>;

/**
 * A setting the stack stores encrypted (`pulumi config set --secret`). The program receives its value in clear, as
 * the CLI decrypts it, and its key in PULUMI_CONFIG_SECRET_KEYS (pulumi-language-nodejs main.go,
 * `constructConfigSecretKeys`), which runProgram hands the SDK as the Automation API does: `setAllConfig(config,
 * secretKeys)`.
 */
export class SecretSetting {
    constructor(readonly value: unknown) {}
}

/** `pulumi config set --secret KEY VALUE`, for runProgram. */
export const secretSetting = (value: unknown) => new SecretSetting(value);

function asStackValue(v: unknown): StackValue {
    return typeof v === "string" ? { kind: "string", text: v } : { kind: "object", json: JSON.stringify(v) };
}

const ROOT = path.resolve(__dirname, "..");

/**
 * Forget the program's own modules, so the next `require` runs it again with the current config (Node's module
 * cache is shared by every test file, and a program imported once would keep its first config).
 */
function forgetProgramModules(): void {
    for (const file of Object.keys(require.cache)) {
        const own = file.startsWith(ROOT + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`);
        if (own && !file.startsWith(path.join(ROOT, "tests") + path.sep)) delete require.cache[file];
    }
}

/**
 * Runs `index.ts` under fresh mocks with a stack's settings: project keys bare (`userName`) or namespaced
 * (`k3s-admin-mfa:userName`), other namespaces as written (`aws:region`). The settings first go through the Pulumi
 * CLI's own merge with Pulumi.yaml (analysis/cliConfig.ts), so the program sees what a real `pulumi preview` hands
 * it, declared defaults included, and a setting the CLI would refuse fails here with the CLI's message.
 */
export async function runProgram(
    config: StackSettings = {},
    account: FakeAccount = fakeAccount(),
    options: { readonly preview?: boolean } = {},
): Promise<ProgramRun> {
    const plain = (v: unknown) => (v instanceof SecretSetting ? v.value : v);
    const stack = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, asStackValue(plain(v))]));
    const merged = mergeStackConfig(readProjectFile(ROOT), STACK, stack);
    const secretKeys = Object.entries(config)
        .filter(([, v]) => v instanceof SecretSetting)
        .map(([k]) => (k.includes(":") ? k : `${PROJECT}:${k}`));
    const mocks = useMocks(account, options.preview ?? false);
    pulumi.runtime.setAllConfig(merged.values, secretKeys);
    const internals = runtimeInternals();
    forgetProgramModules();
    // Required here, never imported at the top: the program must first see the mocks installed above.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(path.join(ROOT, "index")) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        outputs[key] = pulumi.Output.isInstance(value) ? await promiseOf(value) : value;
    }
    await internals.waitForRPCs();
    return {
        outputs,
        resources: [...mocks.resources],
        urns: internals.urns(),
        registrations: [...mocks.registrations],
        calls: [...mocks.calls],
    };
}
