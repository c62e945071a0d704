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
}

const unsupported = (): never => {
    throw new Error("not used by this project's rules");
};

function asPolicyResource(r: PlainResource): PolicyResource {
    return {
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:test::k3s-admin-mfa::${r.type}::${r.name}`,
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
        const args: StackValidationArgs = { ...common, resources: resources.map(asPolicyResource) };
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
