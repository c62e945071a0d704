import * as iam from "@pulumi/aws/iam";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as pulumi from "@pulumi/pulumi";
import {
    administratorAccessArn,
    iamUserArn,
    mfaEnforcementPolicy,
    type MfaPolicyStyle,
    type PolicyDocument,
} from "./policies";

/** The IAM path of the user: the root path, so its ARN is `arn:…:user/<name>`. */
const USER_PATH = "/";

export interface AdminUserArgs {
    /** IAM user name. */
    readonly userName: string;
    /** Name of the inline MFA-enforcement policy. */
    readonly policyName: string;
    /** Drop the MFA-device exemptions from the Deny. Default: false (the seed's statement exactly). */
    readonly hardened?: boolean;
    /** The inline policy's style (components/policies.ts `MfaPolicyStyle`). Default: `scoped`. */
    readonly mfaPolicy?: MfaPolicyStyle;
    /** `scoped`: age at which the user's own MFA sessions stop acting as admin. Default: 3600. */
    readonly userMfaMaxAgeSeconds?: number;
    /**
     * Name of the person's MFA device (the end of its serial `arn:…:mfa/<name>`). When it is not the user name (a
     * chosen `mfaDeviceName`, or the old name after a rename: IAM does not rename devices), the scoped Deny lets bare
     * keys create a device of this name too. Default: the user name.
     */
    readonly mfaDeviceName?: string;
    /** Tags for the user. Default: none. */
    readonly tags?: Readonly<Record<string, string>>;
    /**
     * Let Pulumi delete the user with everything the person holds (the stack's `allowUserDeletion`). Default: false,
     * the user is protected and deleted only without keys, MFA devices, password or foreign policies.
     */
    readonly allowDeletion?: boolean;
}

/**
 * The k3s administrator: an IAM user with `AdministratorAccess`, made unusable without MFA by an inline Deny.
 * The two policies are separate resources so either can be checked (and re-checked after changes) on its own.
 */
export class AdminUser extends pulumi.ComponentResource {
    public readonly user: iam.User;
    public readonly adminAttachment: iam.UserPolicyAttachment;
    public readonly mfaPolicy: iam.UserPolicy;
    /** The inline policy's document, as declared (it names the partition, known from an invoke, even at preview). */
    public readonly mfaPolicyDocument: pulumi.Output<PolicyDocument>;
    /** ARN of the attached AdministratorAccess policy. */
    public readonly adminPolicyArn: pulumi.Output<string>;
    public readonly userName: pulumi.Output<string>;
    /** The user's ARN as IAM reports it once the user exists (unknown during a preview that creates it). */
    public readonly userArn: pulumi.Output<string>;
    /**
     * The same ARN built from values known before the user exists (partition, account, path, name), for documents
     * that name the user: a policy rule that reads an unknown value only warns during preview.
     */
    public readonly knownUserArn: pulumi.Output<string>;
    public readonly policyName: pulumi.Output<string>;

    constructor(name: string, args: AdminUserArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k3s-admin-mfa:iam:AdminUser", name, {}, opts);

        this.user = new iam.User(
            `${name}-user`,
            {
                name: args.userName,
                path: USER_PATH,
                // What forceDestroy removes with the user, in terraform-provider-aws internal/service/iam/user.go
                // `resourceUserDelete` (the 2026 v6 source): "All access keys, MFA devices and login profile for the
                // user must be removed" — deleteUserPolicies, detachUserPolicies, deleteUserAccessKeys,
                // deleteUserSSHKeys, deleteUserVirtualMFADevices, deactivateUserMFADevices, deleteUserLoginProfile,
                // deleteUserSigningCertificates, deleteServiceSpecificCredentials; without it only group memberships
                // go, and IAM refuses (DeleteConflict) a user that still holds any of the rest. The provider reads
                // the flag from state, so it counts from the `pulumi up` after it is set (docs/engine.md).
                forceDestroy: args.allowDeletion ?? false,
                tags: { ...args.tags },
            },
            {
                parent: this,
                // The name is fixed, so a replacement must delete the old user first: IAM would refuse a second user
                // of the same name (EntityAlreadyExists) under the default create-before-delete.
                deleteBeforeReplace: true,
                // Protected, the engine refuses at preview any plan that deletes or replaces the user (a person
                // removed, a rename it cannot follow, `pulumi destroy`): pulumi pkg/resource/deploy/step.go
                // `DeleteStep.Apply` (deleteProtectedError, checked before the dry-run branch) and step_generator.go
                // ("unable to replace resource … marked for protection"). A rename IAM can do in place is an update.
                protect: !(args.allowDeletion ?? false),
            },
        );

        const partition = getPartitionOutput({}, { parent: this }).partition;
        this.mfaPolicyDocument = partition.apply((p) =>
            mfaEnforcementPolicy({
                style: args.mfaPolicy ?? "scoped",
                hardened: args.hardened ?? false,
                partition: p,
                userMfaMaxAgeSeconds: args.userMfaMaxAgeSeconds,
                ...(args.mfaDeviceName !== undefined && args.mfaDeviceName !== args.userName
                    ? { deviceNames: [args.mfaDeviceName] }
                    : {}),
            }),
        );
        this.mfaPolicy = new iam.UserPolicy(
            `${name}-mfa-policy`,
            {
                name: args.policyName,
                user: this.user.name,
                policy: this.mfaPolicyDocument,
            },
            { parent: this },
        );

        const accountId = getCallerIdentityOutput({}, { parent: this }).accountId;
        this.knownUserArn = pulumi
            .all([partition, accountId])
            .apply(([p, account]) => iamUserArn(p, account, USER_PATH, args.userName));
        this.adminPolicyArn = partition.apply(administratorAccessArn);
        this.adminAttachment = new iam.UserPolicyAttachment(
            `${name}-administrator-access`,
            {
                user: this.user.name,
                policyArn: this.adminPolicyArn,
            },
            // The grant waits for the Deny, and on destroy goes first: at no moment does the user hold
            // AdministratorAccess without the MFA requirement.
            { parent: this, dependsOn: [this.mfaPolicy] },
        );

        this.userName = this.user.name;
        this.userArn = pulumi.all([this.user.arn, this.knownUserArn]).apply(([actual, known]) => {
            // Documents name the user by knownUserArn; if IAM ever disagrees, stop rather than trust the wrong user.
            if (actual !== known)
                throw new pulumi.ResourceError(`IAM reports the user's ARN as ${actual}, expected ${known}`, this);
            return actual;
        });
        this.policyName = this.mfaPolicy.name;
        this.registerOutputs({ userName: this.userName, userArn: this.userArn, policyName: this.policyName });
    }
}
