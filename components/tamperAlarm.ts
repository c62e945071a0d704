import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as sns from "@pulumi/aws/sns";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as pulumi from "@pulumi/pulumi";
import { tamperEventPattern } from "./tamperPattern";

/** IAM is a global service: its CloudTrail events reach EventBridge only in us-east-1, whatever the stack's region. */
const IAM_EVENTS_REGION = "us-east-1";

/** KMS's shortest waiting period before a scheduled key deletion; `pulumi destroy` schedules it, it cannot skip it. */
const KEY_DELETION_WINDOW_DAYS = 7;

export interface TamperAlarmArgs {
    /** The admin users to watch, by name: plain strings, so the event pattern is known (and checked) at preview. */
    readonly userNames: readonly string[];
    /** The MFA role to watch, by name. */
    readonly roleName: string;
    /**
     * An address to subscribe to the topic (AWS mails a confirmation link first). Default: no subscription. A secret
     * Output stays one in the subscription's `endpoint`, in state and in the preview.
     */
    readonly email?: pulumi.Input<string>;
    /** Tags for the rule, topic and key. Default: none. */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An EventBridge rule in us-east-1 that fires when the MFA door is weakened (components/tamperPattern.ts), publishing
 * to an SNS topic encrypted with a key of its own.
 *
 * Every child sets `region` (the AWS provider's per-resource region, @pulumi/aws 7) instead of using a provider of
 * its own: an explicit provider reads no `aws:` stack setting, so it would need the profile, keys, assumed role,
 * allowed accounts and default tags copied in, and would silently differ from the stack's provider whenever one is
 * added. A provider passed in `opts` (`provider` or `providers.aws`) is still used, in us-east-1.
 */
export class TamperAlarm extends pulumi.ComponentResource {
    public readonly rule: cloudwatch.EventRule;
    public readonly key: kms.Key;
    public readonly topic: sns.Topic;
    public readonly topicPolicy: sns.TopicPolicy;
    public readonly target: cloudwatch.EventTarget;
    public readonly subscription: sns.TopicSubscription | undefined;
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: TamperAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k3s-admin-mfa:monitoring:TamperAlarm", name, {}, opts);
        const region = IAM_EVENTS_REGION;
        const tags = { ...args.tags };

        let eventPattern: Readonly<Record<string, unknown>>;
        try {
            eventPattern = tamperEventPattern(args.userNames, args.roleName);
        } catch (err) {
            throw new pulumi.ResourceError(err instanceof Error ? err.message : String(err), this);
        }

        this.rule = new cloudwatch.EventRule(
            `${name}-rule`,
            {
                region,
                description: `The k3s MFA door weakened: ${args.roleName} or its admin users' credentials changed`,
                eventPattern: JSON.stringify(eventPattern),
                // ENABLED receives CloudTrail's write management events; the calls we watch are all writes.
                state: "ENABLED",
                tags,
            },
            { parent: this },
        );

        const partition = getPartitionOutput({}, { parent: this }).partition;
        const accountId = getCallerIdentityOutput({}, { parent: this }).accountId;
        // The name is fixed so the key policy can name the topic's ARN before the topic exists (the topic needs the key).
        // It follows the role, whose name is unique in the account: two stacks in one account get two topics.
        const topicName = `${args.roleName}-tamper-alarm`;
        const topicArn = pulumi.interpolate`arn:${partition}:sns:${region}:${accountId}:${topicName}`;

        this.key = new kms.Key(
            `${name}-key`,
            {
                region,
                description: `Encrypts the ${topicName} SNS topic (tamper alarm)`,
                enableKeyRotation: true,
                deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
                policy: pulumi
                    .all([partition, accountId, topicArn])
                    .apply(([p, account, arn]) => JSON.stringify(tamperKeyPolicy(p, account, arn))),
                tags,
            },
            { parent: this },
        );

        this.topic = new sns.Topic(
            `${name}-topic`,
            { region, name: topicName, kmsMasterKeyId: this.key.arn, tags },
            { parent: this },
        );

        this.topicPolicy = new sns.TopicPolicy(
            `${name}-topic-policy`,
            {
                region,
                arn: this.topic.arn,
                policy: pulumi
                    .all([this.topic.arn, this.rule.arn])
                    .apply(([topic, rule]) => JSON.stringify(tamperTopicPolicy(topic, rule))),
            },
            { parent: this },
        );

        this.target = new cloudwatch.EventTarget(
            `${name}-target`,
            { region, rule: this.rule.name, arn: this.topic.arn },
            // Without the topic policy, EventBridge's first deliveries would fail (FailedInvocations), not retry later.
            { parent: this, dependsOn: [this.topicPolicy] },
        );

        this.subscription =
            args.email === undefined
                ? undefined
                : new sns.TopicSubscription(
                      `${name}-email`,
                      { region, topic: this.topic.arn, protocol: "email", endpoint: args.email },
                      { parent: this },
                  );

        this.topicArn = this.topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}

/**
 * The key policy: the account administers the key through IAM (the default key policy's statement), and
 * EventBridge may use it to publish to the topic. EventBridge cannot publish to a topic under the AWS-managed
 * aws/sns key, whose policy cannot be changed to let it (SNS developer guide, "Enable compatibility between event
 * sources from AWS services and encrypted topics"). The EventBridge grant carries no aws:SourceArn/SourceAccount
 * condition: the KMS request EventBridge's delivery makes does not carry them, so such a condition would drop every
 * alarm silently. It is scoped instead by the encryption context SNS binds to each message, the topic's ARN.
 */
export function tamperKeyPolicy(partition: string, accountId: string, topicArn: string): iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "EventBridgePublishesToTamperAlarmTopic",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
                Condition: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": topicArn } },
            },
        ],
    };
}

/** The topic policy: EventBridge may publish, only on behalf of the alarm's rule (aws:SourceArn). */
export function tamperTopicPolicy(topicArn: string, ruleArn: string): iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "TamperAlarmRulePublishes",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
            },
        ],
    };
}
