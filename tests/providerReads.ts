/**
 * What AWS calls a `pulumi preview` (invokes) and a `pulumi preview --refresh` (each resource's Read) make, per
 * resource type and invoke token the program can declare: the source of truth the CI roles' permissions
 * (ci/aws/*-permissions.json) are checked against, in tests/ciReads.test.ts and tests/ciPolicies.test.ts.
 *
 * Read in terraform-provider-aws, which @pulumi/aws 7.48.0 bridges (its `upstream` submodule is on the v6 line;
 * the snapshot read is the stored one whose version/VERSION says 6.36.0, commit 00a35305, where a file was stored at
 * another commit its citation says so). Each Read function named below is the one the bridge calls on refresh.
 *
 * Every resource type and invoke token the program declares must have an entry here, even an empty one: a new type
 * without one fails tests/ciReads.test.ts, so nobody adds a resource the nightly drift run cannot read.
 */

/** The placeholders the shipped documents use, filled in as the README tells people to. */
export const ACCOUNT = "123456789012";
/** The tamper alarm's region: IAM's CloudTrail events reach EventBridge only there (components/tamperAlarm.ts). */
const ALARM_REGION = "us-east-1";
const IAM = `arn:aws:iam::${ACCOUNT}`;
export const USER = `${IAM}:user/k3s-admin`;
export const ROLE = `${IAM}:role/k3s-admin-mfa`;
/** Auto-named by Pulumi from the component's name (`k3s-admin-rule-` and seven random characters). */
const RULE = `arn:aws:events:${ALARM_REGION}:${ACCOUNT}:rule/k3s-admin-rule-1a2b3c4`;
/** `${roleName}-tamper-alarm`, fixed so the key policy can name it before it exists. */
const TOPIC = `arn:aws:sns:${ALARM_REGION}:${ACCOUNT}:k3s-admin-mfa-tamper-alarm`;
const KEY = `arn:aws:kms:${ALARM_REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const al2023 = (arch: string) =>
    `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;

/** One AWS request: the action IAM authorizes, a resource it is made on, and where in the source it is made. */
export type Read = readonly [action: string, resource: string, source: string];

/** Made by the provider itself whatever the program declares (the credential check when it is configured). */
export const PROVIDER_READS: readonly Read[] = [
    ["sts:GetCallerIdentity", "*", "the provider's credential check on configure (skipCredentialsValidation false)"],
];

/** Resource type → what its Read calls on `--refresh`. */
export const RESOURCE_READS: Readonly<Record<string, readonly Read[]>> = {
    "aws:iam/user:User": [
        ["iam:GetUser", USER, "iam/user.go resourceUserRead: findUserByName"],
        ["iam:ListUserTags", USER, "iam/user.go, the tags interceptor's listTags (tags_gen.go userTags)"],
    ],
    "aws:iam/userPolicy:UserPolicy": [
        ["iam:GetUserPolicy", USER, "iam/user_policy.go resourceUserPolicyRead: findUserPolicyByTwoPartKey"],
    ],
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": [
        ["iam:ListAttachedUserPolicies", USER, "iam/user_policy_attachment.go resourceUserPolicyAttachmentRead"],
    ],
    "aws:iam/role:Role": [
        ["iam:GetRole", ROLE, "iam/role.go resourceRoleRead: findRoleByName"],
        ["iam:ListRoleTags", ROLE, "iam/role.go, the tags interceptor's listTags (tags_gen.go roleTags)"],
        ["iam:ListRolePolicies", ROLE, "iam/role.go resourceRoleRead: readRoleInlinePolicies"],
        ["iam:GetRolePolicy", ROLE, "iam/role.go readRoleInlinePolicies, for each inline policy"],
        ["iam:ListAttachedRolePolicies", ROLE, "iam/role.go resourceRoleRead: readRolePolicyAttachments"],
    ],
    "aws:ec2/securityGroup:SecurityGroup": [
        ["ec2:DescribeSecurityGroups", "*", "ec2/vpc_security_group.go resourceSecurityGroupRead"],
        ["ec2:DescribeSecurityGroupRules", "*", "ec2/vpc_security_group.go resourceSecurityGroupRead (rules)"],
    ],
    "aws:ec2/instance:Instance": [
        ["ec2:DescribeInstances", "*", "ec2/ec2_instance.go resourceInstanceRead: findInstanceByID"],
        ["ec2:DescribeInstanceTypes", "*", "ec2/ec2_instance.go resourceInstanceRead: findInstanceTypeByName"],
        ["ec2:DescribeInstanceAttribute", "*", "resourceInstanceRead: disableApiStop, disableApiTermination, userData"],
        ["ec2:DescribeInstanceCreditSpecifications", "*", "resourceInstanceRead: burstable (t3) types"],
        ["ec2:DescribeVolumes", "*", "resourceInstanceRead: readBlockDevices, readVolumeTags"],
        ["ec2:DescribeTags", "*", "resourceInstanceRead: readVolumeTags"],
        ["ec2:DescribeImages", "*", "resourceInstanceRead: readBlockDevices (the image's root device name)"],
    ],
    // The tamper alarm (tamperAlarm: true).
    "aws:cloudwatch/eventRule:EventRule": [
        ["events:DescribeRule", RULE, "events/rule.go resourceRuleRead: findRuleByTwoPartKey"],
        ["events:ListTagsForResource", RULE, "events/rule.go, the tags interceptor (tags_gen.go listTags)"],
    ],
    "aws:cloudwatch/eventTarget:EventTarget": [
        ["events:ListTargetsByRule", RULE, "events/target.go resourceTargetRead: findTargetByThreePartKey"],
    ],
    "aws:kms/key:Key": [
        ["kms:DescribeKey", KEY, "kms/key.go resourceKeyRead: findKeyInfo → findKeyByID"],
        ["kms:GetKeyPolicy", KEY, "kms/key.go findKeyInfo → findKeyPolicyByTwoPartKey"],
        ["kms:GetKeyRotationStatus", KEY, "kms/key.go findKeyInfo → findKeyRotationEnabledByKeyID (AWS_KMS origin)"],
        ["kms:ListResourceTags", KEY, "kms/key.go findKeyInfo → listTags"],
    ],
    "aws:sns/topic:Topic": [
        [
            "sns:GetTopicAttributes",
            TOPIC,
            "sns/topic.go resourceTopicRead: findTopicAttributesWithValidAWSPrincipalsByARN",
        ],
        ["sns:ListTagsForResource", TOPIC, "sns/topic.go, the tags interceptor (tags_gen.go listTags)"],
    ],
    "aws:sns/topicPolicy:TopicPolicy": [
        ["sns:GetTopicAttributes", TOPIC, "sns/topic_policy.go resourceTopicPolicyRead: findTopicAttributesByARN"],
    ],
    "aws:sns/topicSubscription:TopicSubscription": [
        // Authorized against the subscription's topic (service authorization reference: resource type `topic`; the
        // documents also name `topic:*`, the subscriptions' ARNs). The file was stored at commit 04a2e6e5.
        [
            "sns:GetSubscriptionAttributes",
            TOPIC,
            "sns/topic_subscription.go resourceTopicSubscriptionRead: findSubscriptionAttributesByARN",
        ],
    ],
    // pulumi-command's local provider: Read returns the inputs it was given; it runs nothing and calls no AWS API.
    "command:local:Command": [],
};

/** Invoke token → what the data source calls, on every preview. */
export const INVOKE_READS: Readonly<Record<string, readonly Read[]>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": [
        ["sts:GetCallerIdentity", "*", "sts/caller_identity_data_source.go"],
    ],
    // Answered from the provider's own partition and endpoints data, without a request (meta/region_data_source.go
    // Read: FindRegionByName over endpoints.DefaultPartitions; meta/partition_data_source.go likewise).
    "aws:index/getPartition:getPartition": [],
    "aws:index/getRegion:getRegion": [],
    "aws:ec2/getInstanceType:getInstanceType": [
        ["ec2:DescribeInstanceTypes", "*", "ec2/ec2_instance_type_data_source.go"],
    ],
    "aws:ssm/getParameter:getParameter": [
        ["ssm:GetParameter", al2023("x86_64"), "ssm/parameter_data_source.go, x86_64 types"],
        ["ssm:GetParameter", al2023("arm64"), "ssm/parameter_data_source.go, arm64 types"],
    ],
    "aws:ec2/getVpcs:getVpcs": [["ec2:DescribeVpcs", "*", "ec2/vpc_vpcs_data_source.go"]],
    "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": [
        ["ec2:DescribeInstanceTypeOfferings", "*", "ec2/ec2_instance_type_offerings_data_source.go"],
    ],
    "aws:ec2/getSubnets:getSubnets": [["ec2:DescribeSubnets", "*", "ec2/vpc_subnets_data_source.go"]],
    "aws:ec2/getSubnet:getSubnet": [["ec2:DescribeSubnets", "*", "ec2/vpc_subnet_data_source.go"]],
};

/** Types and tokens a run declared that have no entry above: each one is a read the CI roles may lack. */
export function unmapped(declared: { readonly types: Iterable<string>; readonly tokens: Iterable<string> }): string[] {
    return [
        ...[...new Set(declared.types)].filter((t) => !(t in RESOURCE_READS)).map((t) => `resource type ${t}`),
        ...[...new Set(declared.tokens)].filter((t) => !(t in INVOKE_READS)).map((t) => `invoke ${t}`),
    ];
}

/** Every read a preview with `--refresh` of a stack with these types and tokens makes. */
export function readsOf(declared: { readonly types: Iterable<string>; readonly tokens: Iterable<string> }): Read[] {
    return [
        ...PROVIDER_READS,
        ...[...new Set(declared.types)].flatMap((t) => RESOURCE_READS[t] ?? []),
        ...[...new Set(declared.tokens)].flatMap((t) => INVOKE_READS[t] ?? []),
    ];
}
