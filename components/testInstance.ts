import * as ec2 from "@pulumi/aws/ec2";
import * as ssm from "@pulumi/aws/ssm";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { Provider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";

export interface TestInstanceArgs {
    /** EC2 instance type, e.g. `t3.micro`. */
    readonly instanceType: string;
    /** Subnet to launch in. Default: a default subnet of the default VPC, in a zone that offers the type. */
    readonly subnetId?: string;
    /** Tags for the instance and its security group; `Name` is set from the component name. */
    readonly tags?: Readonly<Record<string, string>>;
    /** Replace the instance whenever AWS publishes a newer Amazon Linux 2023 image. Default: false. */
    readonly followLatestAmi?: boolean;
    /**
     * An AWS CLI profile that makes the launch, and the lookups before it, through a provider of its own: seed 004's
     * experiment as the person (their long-term keys are refused, their MFA session succeeds). Default: the stack's
     * provider.
     */
    readonly profile?: string;
}

/** Public SSM parameters that always name the current Amazon Linux 2023 AMI of an architecture. */
const AL2023_PARAMETER_PREFIX = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-";

/**
 * The SSM parameter for the instance type's architecture. x86_64 first: types such as t2.micro list both
 * `i386` and `x86_64`. Mac types (`x86_64_mac`, `arm64_mac`) have no Amazon Linux 2023 image.
 */
export function al2023AmiParameter(instanceType: string, supportedArchitectures: readonly string[]): string {
    for (const arch of ["x86_64", "arm64"]) {
        if (supportedArchitectures.includes(arch)) return AL2023_PARAMETER_PREFIX + arch;
    }
    throw new Error(
        `config \`testInstanceType\`: ${instanceType} supports ${supportedArchitectures.join(", ") || "no architecture"}, ` +
            "but Amazon Linux 2023 is built only for x86_64 and arm64; choose another type, such as t3.micro",
    );
}

/**
 * The subnet for the instance when none is configured: the first (sorted, so the choice is stable between runs)
 * default subnet of the default VPC in a zone that offers the type. Each dead end names the key that fixes it.
 */
export function pickDefaultSubnet(lookup: {
    readonly region: string;
    readonly instanceType: string;
    readonly defaultVpcIds: readonly string[];
    readonly offeringZones: readonly string[];
    readonly defaultSubnetIds: readonly string[];
}): string {
    const fix = "set `pulumi config set testInstanceSubnetId subnet-…` (or `createTestInstance false`)";
    if (lookup.defaultVpcIds.length === 0) {
        throw new Error(`config \`testInstanceSubnetId\` is needed: ${lookup.region} has no default VPC; ${fix}`);
    }
    if (lookup.offeringZones.length === 0) {
        throw new Error(
            `config \`testInstanceType\`: ${lookup.instanceType} is not offered in any zone of ${lookup.region}`,
        );
    }
    const [first] = [...lookup.defaultSubnetIds].sort();
    if (first === undefined) {
        throw new Error(
            `config \`testInstanceSubnetId\` is needed: the default VPC in ${lookup.region} has no default subnet in a ` +
                `zone offering ${lookup.instanceType} (${lookup.offeringZones.join(", ")}); ${fix}`,
        );
    }
    return first;
}

/**
 * A throwaway EC2 instance, the thing the seed launches to show that MFA is enforced. Hardened because nothing
 * needs to reach it: IMDSv2 only, encrypted gp3 root volume, no key pair, no public address, and a security group
 * with no rules at all.
 */
export class TestInstance extends pulumi.ComponentResource {
    /** The provider of `profile`, when one is given. */
    public readonly provider: Provider | undefined;
    public readonly securityGroup: ec2.SecurityGroup;
    public readonly instance: ec2.Instance;
    public readonly instanceId: pulumi.Output<string>;
    public readonly subnetId: pulumi.Output<string>;
    /** The image the instance runs (kept at launch unless followLatestAmi), for repeating the launch as a DryRun. */
    public readonly ami: pulumi.Output<string>;
    public readonly instanceType: string;

    constructor(name: string, args: TestInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k3s-admin-mfa:ec2:TestInstance", name, {}, opts);
        // An explicit provider reads no `aws:` stack setting, so it is given the stack's region.
        this.provider =
            args.profile === undefined
                ? undefined
                : new Provider(
                      `${name}-as-person`,
                      { profile: args.profile, region: getRegionOutput({}, { parent: this }).region },
                      { parent: this },
                  );
        const invokeOpts = { parent: this, provider: this.provider };

        const architectures = ec2.getInstanceTypeOutput(
            { instanceType: args.instanceType },
            invokeOpts,
        ).supportedArchitectures;
        // The parameter's `value` is a sensitive field in the provider's schema, so the engine returns it as a secret
        // and every preview would show `ami: [secret] => [secret]`. An AMI ID is public: unsecret it.
        const ami = pulumi.unsecret(
            ssm.getParameterOutput(
                { name: architectures.apply(this.cleanly((archs) => al2023AmiParameter(args.instanceType, archs))) },
                invokeOpts,
            ).value,
        );

        const network = args.subnetId
            ? ec2.getSubnetOutput({ id: args.subnetId }, invokeOpts).apply((s) => ({ subnetId: s.id, vpcId: s.vpcId }))
            : this.defaultNetwork(args.instanceType);
        this.subnetId = network.subnetId;

        const tags = { ...args.tags, Name: name };
        this.securityGroup = new ec2.SecurityGroup(
            `${name}-sg`,
            {
                description: "k3s-admin-mfa test instance: no inbound or outbound rules",
                vpcId: network.vpcId,
                // No ingress and no egress: the provider removes AWS's default allow-all egress rule.
                tags,
            },
            { parent: this, provider: this.provider },
        );

        this.instance = new ec2.Instance(
            `${name}-instance`,
            {
                ami,
                instanceType: args.instanceType,
                subnetId: network.subnetId,
                vpcSecurityGroupIds: [this.securityGroup.id],
                associatePublicIpAddress: false,
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                rootBlockDevice: { encrypted: true, volumeType: "gp3", deleteOnTermination: true },
                tags,
                volumeTags: tags,
            },
            // A new image every few weeks would otherwise replace this throwaway instance on the next `pulumi up`.
            { parent: this, provider: this.provider, ignoreChanges: args.followLatestAmi ? [] : ["ami"] },
        );

        this.instanceId = this.instance.id;
        this.ami = this.instance.ami;
        this.instanceType = args.instanceType;
        this.registerOutputs({ instanceId: this.instanceId, subnetId: this.subnetId, ami: this.ami });
    }

    /** The default VPC's default subnets, narrowed to the zones that offer the instance type. */
    private defaultNetwork(instanceType: string): pulumi.Output<{ subnetId: string; vpcId: string }> {
        const opts = { parent: this, provider: this.provider };
        const region = getRegionOutput({}, opts).region;
        const defaultVpcIds = ec2.getVpcsOutput({ filters: [{ name: "is-default", values: ["true"] }] }, opts).ids;
        const offeringZones = ec2.getInstanceTypeOfferingsOutput(
            { locationType: "availability-zone", filters: [{ name: "instance-type", values: [instanceType] }] },
            opts,
        ).locations;
        // Only asked when there is a default VPC and a zone to look in; otherwise pickDefaultSubnet explains.
        const defaultSubnetIds = pulumi.all([defaultVpcIds, offeringZones]).apply(([vpcs, zones]) =>
            vpcs.length === 0 || zones.length === 0
                ? []
                : ec2.getSubnetsOutput(
                      {
                          filters: [
                              { name: "vpc-id", values: [vpcs[0]!] },
                              { name: "default-for-az", values: ["true"] },
                              { name: "availability-zone", values: zones },
                          ],
                      },
                      opts,
                  ).ids,
        );
        return pulumi.all([region, defaultVpcIds, offeringZones, defaultSubnetIds]).apply(
            this.cleanly(([r, vpcs, zones, subnets]) => ({
                subnetId: pickDefaultSubnet({
                    region: r,
                    instanceType,
                    defaultVpcIds: vpcs,
                    offeringZones: zones,
                    defaultSubnetIds: subnets,
                }),
                vpcId: vpcs[0]!,
            })),
        );
    }

    /** Deploy-time dead ends become a clean error on this component, without a stack trace. */
    private cleanly<T, U>(f: (value: T) => U): (value: T) => U {
        return (value) => {
            try {
                return f(value);
            } catch (err) {
                throw new pulumi.ResourceError(err instanceof Error ? err.message : String(err), this, true);
            }
        };
    }
}
