import type { ResourceValidationPolicy } from "@pulumi/policy";

/**
 * Every resource type the program declares (index.ts and components/, under every setting), the root stack, and
 * the default providers the engine registers for the packages it uses. tests/policyPack.test.ts compares this list
 * with what the program declares, so a type added to the program must be added here on purpose.
 */
export const STACK_TYPES: readonly string[] = Object.freeze([
    "pulumi:pulumi:Stack",
    "pulumi:providers:aws",
    "pulumi:providers:command",
    "k3s-admin-mfa:iam:AdminUser",
    "k3s-admin-mfa:iam:MfaRole",
    "k3s-admin-mfa:iam:EnforcementCheck",
    "k3s-admin-mfa:ec2:TestInstance",
    "k3s-admin-mfa:monitoring:TamperAlarm",
    "aws:iam/user:User",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/role:Role",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/instance:Instance",
    "aws:kms/key:Key",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "command:local:Command",
]);
const ALLOWED = new Set(STACK_TYPES);

export const onlyTheStacksResourceTypes: ResourceValidationPolicy = {
    name: "only-the-stacks-resource-types",
    description:
        "The stack declares only the resource types the program uses: no other route to a principal (groups, " +
        "managed policies, policy or exclusive attachments, role policies, access keys, identity providers, " +
        "CloudFormation, dynamic providers …) can appear, however it is written.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!ALLOWED.has(args.type))
            report(
                `${args.name} is of type ${args.type}, which this stack does not declare (allowed: ${STACK_TYPES.join(", ")})`,
            );
    },
};
