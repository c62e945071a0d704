import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { mfaTrustPolicy, trustedPrincipalArn } from "./policies";

export interface MfaRoleArgs {
    /** IAM role name. */
    readonly roleName: string;
    /**
     * ARNs of the admin users; the trust policy names them, or their account's root when `roleTrust` is `account`.
     * Pass values known at preview (AdminUser's `knownUserArn`), so the policy pack can read the trust policy then.
     */
    readonly userArns: readonly pulumi.Input<string>[];
    /**
     * The admin users. The role is created after them, since IAM refuses a trust policy naming a principal that
     * does not exist yet, and is replaced whenever one of them is (see below).
     */
    readonly users: readonly iam.User[];
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
    public readonly role: iam.Role;
    public readonly roleName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: MfaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k3s-admin-mfa:iam:MfaRole", name, {}, opts);

        if (args.userArns.length === 0) throw new Error("MfaRole needs at least one admin user");
        // `users` drives the replacement when a user is recreated: one short of `userArns` would leave a stale
        // principal in the trust with no error.
        if (args.users.length !== args.userArns.length)
            throw new Error(`MfaRole needs one user per ARN: ${args.users.length} users, ${args.userArns.length} ARNs`);
        // In a fixed order (issue 19): reordering adminUserNames must not change the document.
        const trustPolicy = pulumi.all([...args.userArns]).apply((userArns: string[]) =>
            mfaTrustPolicy({
                // One account root, or every admin user, in the one Allow statement.
                principalArn:
                    args.roleTrust === "account" ? trustedPrincipalArn(userArns[0]!, "account") : [...userArns].sort(),
                mfaMaxAgeSeconds: args.mfaMaxAgeSeconds,
            }),
        );

        this.role = new iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                description:
                    "k3s administrators behind MFA: assumable only with an MFA session; holds no AWS permissions, " +
                    "it is the identity aws-iam-authenticator maps to a Kubernetes group",
                assumeRolePolicy: trustPolicy,
                maxSessionDuration: ROLE_MAX_SESSION_SECONDS,
                // The role holds no policies of ours, so any it has were put there outside Pulumi (what the tamper
                // alarm watches for). terraform-provider-aws internal/service/iam/role.go `deleteRole` (the 2026 v6
                // source) detaches managed policies and deletes inline ones only `if forceDetach || hasManaged` /
                // `if forceDetach || hasInline` (the latter two from state, empty for us), then retries DeleteRole
                // only on DeleteConflict until propagationTimeout: without this, `pulumi destroy` and a
                // trigger-driven replacement fail with DeleteConflict after such tampering. Nothing of a person's is
                // on the role.
                forceDetachPolicies: true,
                tags: { ...args.tags },
            },
            {
                parent: this,
                dependsOn: [...args.users],
                // IAM stores a trust principal as the user's unique ID. If a user is ever recreated, the stored
                // policy keeps naming the deleted user's ID while our input ARN is unchanged, so no diff would fix
                // it. A new unique ID replaces the role, and the new role's policy resolves to the new user. (The
                // engine compares the trigger with the last recorded one: step_generator.go shouldTriggerReplace.)
                // One admin's trigger is their ID alone, as before there could be several; adding or removing a
                // person changes the list, and so replaces the role too (everyone assumes it again; nothing of
                // theirs is touched). Sorted, so that reordering adminUserNames replaces nothing (issue 19).
                replacementTrigger: pulumi
                    .all(args.users.map((u) => u.uniqueId))
                    .apply((ids) => [...ids].sort().join(",")),
                // The name is fixed: the old role must go before the new one can take the name.
                deleteBeforeReplace: true,
            },
        );

        this.roleName = this.role.name;
        this.roleArn = this.role.arn;
        this.registerOutputs({ roleName: this.roleName, roleArn: this.roleArn });
    }
}
