import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

/**
 * Runs policy rules the way the Pulumi engine would, over plain {type, name, props} resources, without starting
 * the policy server (`new PolicyPack` does that, so tests never load policy/index.ts).
 */
export interface PlainResource {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
    /** Types of the components it is declared in, outermost first; the URN carries them (`parent$child`). */
    readonly parents?: readonly string[];
    /** Property dependencies: input name → names of the resources its value came from. */
    readonly dependsOn?: Readonly<Record<string, readonly string[]>>;
}

const unsupported = (): never => {
    throw new Error("not used by this project's rules");
};

function asPolicyResource(r: PlainResource): PolicyResource {
    return {
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:test::k3s-admin-mfa::${[...(r.parents ?? []), r.type].join("$")}::${r.name}`,
        props: r.props,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
        } as unknown as PolicyResource["opts"],
        dependencies: [],
        propertyDependencies: {},
        isType: unsupported,
        asType: unsupported,
    };
}

/** The violations a rule reports for these resources: resource rules per resource, stack rules once. */
export async function violations(
    rule: ResourceValidationPolicy | StackValidationPolicy,
    resources: readonly PlainResource[],
): Promise<string[]> {
    const found: string[] = [];
    const report: ReportViolation = (message) => found.push(message);
    const common = { stackTags: new Map<string, string>(), getConfig: unsupported, notApplicable: unsupported };
    if ("validateStack" in rule) {
        const all = resources.map(asPolicyResource);
        // As the policy SDK does (server.ts, makeAnalyzeStackRpcFun): dependencies become the resources themselves.
        resources.forEach((r, i) => {
            for (const [key, names] of Object.entries(r.dependsOn ?? {}))
                all[i]!.propertyDependencies[key] = names.map((n) => {
                    const found = all.find((x) => x.name === n);
                    if (!found) throw new Error(`${r.name} depends on ${n}, which is not in the stack`);
                    return found;
                });
        });
        const args: StackValidationArgs = { ...common, resources: all };
        await rule.validateStack(args, report);
        return found;
    }
    const validations = [rule.validateResource ?? []].flat();
    for (const r of resources) {
        const p = asPolicyResource(r);
        const args: ResourceValidationArgs = {
            ...common,
            type: p.type,
            name: p.name,
            urn: p.urn,
            props: p.props,
            opts: p.opts,
            isType: unsupported,
            asType: unsupported,
        };
        for (const validate of validations) await validate(args, report);
    }
    return found;
}

/** One violation of a whole pack, with the rule that reported it and its level. */
export interface PackViolation {
    readonly rule: string;
    readonly level: string;
    readonly message: string;
}

/** Every rule of a pack over the same resources, as `pulumi preview --policy-pack` runs them. */
export async function packViolations(
    policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[],
    resources: readonly PlainResource[],
): Promise<PackViolation[]> {
    const out: PackViolation[] = [];
    for (const rule of policies) {
        for (const message of await violations(rule, resources))
            out.push({ rule: rule.name, level: rule.enforcementLevel ?? "advisory", message });
    }
    return out;
}
