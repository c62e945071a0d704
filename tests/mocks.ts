import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
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
    private seq = 0;

    constructor(private readonly account: FakeAccount) {}

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
                state["uniqueId"] = `${kind === "user" ? "AIDA" : "AROA"}${n}`;
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
            case "aws:ec2/instance:Instance":
                id = `i-${n}`;
                state["arn"] = `arn:${a.partition}:ec2:${a.region}:${a.accountId}:instance/${id}`;
                break;
        }
        if (args.custom !== false) this.resources.push({ type: args.type, name: args.name, inputs, id });
        return { id: args.custom === false ? undefined : id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
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
                return { id: name, name, value, insecureValue: value, type: "String", version: 1 };
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

/** Installs a fresh mock runtime (empty record) for the given account. Call before declaring any resource. */
export function useMocks(account: FakeAccount = fakeAccount()): MockAws {
    const mocks = new MockAws(account);
    void pulumi.runtime.setMocks(mocks, PROJECT, STACK, false);
    return mocks;
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
 * Runs `index.ts` under fresh mocks with the given config: project keys bare (`userName`) or namespaced
 * (`k3s-admin-mfa:userName`), other namespaces as written (`aws:region`).
 */
export async function runProgram(
    config: Readonly<Record<string, string>> = {},
    account: FakeAccount = fakeAccount(),
): Promise<ProgramRun> {
    const mocks = useMocks(account);
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${PROJECT}:${k}`, v])),
    );
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
    return { outputs, resources: [...mocks.resources], urns: internals.urns() };
}
