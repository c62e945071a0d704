import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { mfaTrustPolicy, trustedPrincipalArn } from "./policies";

export interface MfaRoleArgs {
    /** IAM role name. */
    readonly roleName: string;
    /**
     * ARN of the admin user; the trust policy names it, or its account's root when `roleTrust` is `account`. Pass a
     * value known at preview (AdminUser's `knownUserArn`), so the policy pack can read the trust policy then.
     */
    readonly userArn: pulumi.Input<string>;
    /**
     * The admin user. The role is created after it, since IAM refuses a trust policy naming a principal that does
     * not exist yet, and is replaced whenever the user is (see below).
     */
    readonly user: aws.iam.User;
    /** Who may assume the role. */
    readonly roleTrust: "user" | "account";
    /** Longest accepted time since MFA sign-in, in seconds (`aws:MultiFactorAuthAge`). */
    readonly mfaMaxAgeSeconds: number;
    /** Tags for the role. Default: none. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** One hour: the longest session the role hands out, and the MFA cadence seed 000 aims for. */
export const ROLE_MAX_SESSION_SECONDS = 3600;

/**
 * The role that kubectl reaches through aws-iam-authenticator. It holds no permission policies: its only job is to
 * be an identity that can be assumed with MFA alone, which the cluster then maps to a Kubernetes group.
 */
export class MfaRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: MfaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k3s-admin-mfa:iam:MfaRole", name, {}, opts);

        const trustPolicy = pulumi.output(args.userArn).apply((userArn) =>
            mfaTrustPolicy({
                principalArn: trustedPrincipalArn(userArn, args.roleTrust),
                mfaMaxAgeSeconds: args.mfaMaxAgeSeconds,
            }),
        );

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                description:
                    "k3s administrators behind MFA: assumable only with an MFA session; holds no AWS permissions, " +
                    "it is the identity aws-iam-authenticator maps to a Kubernetes group",
                assumeRolePolicy: trustPolicy,
                maxSessionDuration: ROLE_MAX_SESSION_SECONDS,
                tags: { ...args.tags },
            },
            {
                parent: this,
                dependsOn: [args.user],
                // IAM stores a trust principal as the user's unique ID. If the user is ever recreated, the stored
                // policy keeps naming the deleted user's ID while our input ARN is unchanged, so no diff would fix
                // it. A new unique ID replaces the role, and the new role's policy resolves to the new user. (The
                // engine compares the trigger with the last recorded one: step_generator.go shouldTriggerReplace.)
                replacementTrigger: args.user.uniqueId,
                // The name is fixed: the old role must go before the new one can take the name.
                deleteBeforeReplace: true,
            },
        );

        this.roleName = this.role.name;
        this.roleArn = this.role.arn;
        this.registerOutputs({ roleName: this.roleName, roleArn: this.roleArn });
    }
}
