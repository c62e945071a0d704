/**
 * The AWS account the mocks pretend to be: realistic IDs, a default VPC with one default subnet per zone, and the
 * instance types and AMI parameters the program looks up. Tests change one field to reach a dead end.
 */
export interface FakeSubnet {
    readonly id: string;
    readonly vpcId: string;
    readonly availabilityZone: string;
    readonly defaultForAz: boolean;
}

export interface FakeAccount {
    readonly accountId: string;
    readonly partition: string;
    readonly region: string;
    readonly vpcs: readonly { readonly id: string; readonly isDefault: boolean }[];
    readonly subnets: readonly FakeSubnet[];
    /** Instance type → supported architectures, as EC2 DescribeInstanceTypes reports them. */
    readonly instanceTypes: Readonly<Record<string, readonly string[]>>;
    /** Instance type → zones that offer it. */
    readonly offerings: Readonly<Record<string, readonly string[]>>;
    /** Public SSM parameters by name. */
    readonly parameters: Readonly<Record<string, string>>;
}

export const AL2023_X86 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
export const AL2023_ARM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

/** The fake account; its zones are named after `overrides.region` (default us-east-1). */
export function fakeAccount(overrides: Partial<FakeAccount> = {}): FakeAccount {
    const region = overrides.region ?? "us-east-1";
    const z = (letter: string) => `${region}${letter}`;
    return {
        accountId: "123456789012",
        partition: "aws",
        region,
        vpcs: [
            { id: "vpc-0default000000000", isDefault: true },
            { id: "vpc-0other0000000000", isDefault: false },
        ],
        subnets: [
            {
                id: "subnet-0bbbbbbbbbbbbbbbb",
                vpcId: "vpc-0default000000000",
                availabilityZone: z("b"),
                defaultForAz: true,
            },
            {
                id: "subnet-0aaaaaaaaaaaaaaaa",
                vpcId: "vpc-0default000000000",
                availabilityZone: z("a"),
                defaultForAz: true,
            },
            // t3.micro is not offered in us-east-1e; a naive "first default subnet" would fail to launch here.
            {
                id: "subnet-0000000000000000e",
                vpcId: "vpc-0default000000000",
                availabilityZone: z("e"),
                defaultForAz: true,
            },
            {
                id: "subnet-0ccccccccccccccc0",
                vpcId: "vpc-0other0000000000",
                availabilityZone: z("a"),
                defaultForAz: false,
            },
        ],
        instanceTypes: {
            "t2.micro": ["i386", "x86_64"],
            "t3.micro": ["x86_64"],
            "t4g.small": ["arm64"],
            "mac2.metal": ["arm64_mac"],
        },
        offerings: {
            "t2.micro": [z("a"), z("b"), z("e")],
            "t3.micro": [z("a"), z("b")],
            "t4g.small": [z("b")],
            "mac2.metal": [z("a")],
        },
        parameters: {
            [AL2023_X86]: "ami-0x86x86x86x86x86x",
            [AL2023_ARM]: "ami-0arm64arm64arm64a",
        },
        ...overrides,
    };
}

/**
 * The architectures EC2 reports for an instance type, from its name: a `g` among the attributes after the
 * generation number means Graviton (t4g, m7g, c7gn, x2gd), `a1` is Graviton too, Mac types are their own.
 */
export function architecturesOf(instanceType: string): string[] {
    const family = instanceType.split(".")[0] ?? "";
    if (family === "mac1") return ["x86_64_mac"];
    if (family.startsWith("mac")) return ["arm64_mac"];
    if (family === "a1") return ["arm64"];
    const attributes = /^[a-z]+\d+([a-z]*)/.exec(family)?.[1] ?? "";
    return attributes.includes("g") ? ["arm64"] : ["x86_64"];
}

/**
 * The fake account, grown to hold what a stack names: its instance type (offered in two zones, architecture from
 * the name) and its subnet (in the region's first zone, in a VPC of its own). The offline report uses it, so any
 * well-formed setting can be shown without an account.
 */
export function fakeAccountFor(region: string, stack: { instanceType?: string; subnetId?: string }): FakeAccount {
    const base = fakeAccount({ region });
    const type = stack.instanceType;
    const instanceTypes = { ...base.instanceTypes };
    const offerings = { ...base.offerings };
    if (type && !instanceTypes[type]) {
        instanceTypes[type] = architecturesOf(type);
        offerings[type] = [`${region}a`, `${region}b`];
    }
    const subnets = [...base.subnets];
    if (stack.subnetId && !subnets.some((s) => s.id === stack.subnetId)) {
        subnets.push({
            id: stack.subnetId,
            vpcId: "vpc-0offline000000000",
            availabilityZone: `${region}a`,
            defaultForAz: false,
        });
    }
    return { ...base, instanceTypes, offerings, subnets };
}
