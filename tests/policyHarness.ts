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
 * the policy server (`new PolicyPack` does that, so tests never load policy/index.ts). One call is one deployment:
 * resources are analyzed in the order given (their registration order), each by every resource rule, then the
 * stack rules run once (pkg/resource/deploy/step_generator.go `continueStepsFromImport` → `analyzeAll`, then
 * `AnalyzeResources`). Each deployment gets its own `stackTags`, as each pack process gets its own from
 * ConfigureStack (@pulumi/policy server.ts `configureStack`); the rules key what they remember on it.
 */
export interface PlainResource {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
    /** Types of the components it is declared in, outermost first; the URN carries them (`parent$child`). */
    readonly parents?: readonly string[];
    /** The name of the component it is declared in (its parent's URN carries it). */
    readonly parentName?: string;
    /** Property dependencies: input name → names of the resources its value came from. */
    readonly dependsOn?: Readonly<Record<string, readonly string[]>>;
}

const unsupported = (): never => {
    throw new Error("not used by this project's rules");
};

const URN = "urn:pulumi:test::k3s-admin-mfa::";

function asPolicyResource(r: PlainResource): PolicyResource {
    const parents = r.parents ?? [];
    const parent = parents.length > 0 ? `${URN}${parents.join("$")}::${r.parentName ?? "parent"}` : undefined;
    return {
        type: r.type,
        name: r.name,
        urn: `${URN}${[...parents, r.type].join("$")}::${r.name}`,
        props: r.props,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
            ...(parent ? { parent } : {}),
        } as unknown as PolicyResource["opts"],
        dependencies: [],
        propertyDependencies: {},
        isType: unsupported,
        asType: unsupported,
    };
}

type Rule = ResourceValidationPolicy | StackValidationPolicy;

/** Every violation of these rules over one deployment of these resources, with the rule that reported it. */
async function deployment(rules: readonly Rule[], resources: readonly PlainResource[]) {
    const found: { rule: Rule; message: string }[] = [];
    const common = { stackTags: new Map<string, string>(), getConfig: unsupported, notApplicable: unsupported };
    const reporter =
        (rule: Rule): ReportViolation =>
        (message) =>
            found.push({ rule, message });
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
        for (const rule of rules)
            if ("validateResource" in rule)
                for (const validate of [rule.validateResource ?? []].flat()) await validate(args, reporter(rule));
    }
    const all = resources.map(asPolicyResource);
    // As the policy SDK does (server.ts, makeAnalyzeStackRpcFun): dependencies become the resources themselves.
    resources.forEach((r, i) => {
        for (const [key, names] of Object.entries(r.dependsOn ?? {}))
            all[i]!.propertyDependencies[key] = names.map((n) => {
                const dep = all.find((x) => x.name === n);
                if (!dep) throw new Error(`${r.name} depends on ${n}, which is not in the stack`);
                return dep;
            });
    });
    const stack: StackValidationArgs = { ...common, resources: all };
    for (const rule of rules) if ("validateStack" in rule) await rule.validateStack(stack, reporter(rule));
    return found;
}

/** The violations one rule reports for these resources. */
export async function violations(rule: Rule, resources: readonly PlainResource[]): Promise<string[]> {
    return (await deployment([rule], resources)).map((v) => v.message);
}

/** One violation of a whole pack, with the rule that reported it and its level. */
export interface PackViolation {
    readonly rule: string;
    readonly level: string;
    readonly message: string;
}

/** Every rule of a pack over the same resources, as `pulumi preview --policy-pack` runs them. */
export async function packViolations(
    policies: readonly Rule[],
    resources: readonly PlainResource[],
): Promise<PackViolation[]> {
    return (await deployment(policies, resources)).map(({ rule, message }) => ({
        rule: rule.name,
        level: rule.enforcementLevel ?? "advisory",
        message,
    }));
}
