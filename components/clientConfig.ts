import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";

/**
 * What people paste into their machines and the cluster, rendered from the stack's real values: the AWS CLI
 * profile that assumes the MFA role, the kubeconfig user that uses it, and the aws-iam-authenticator mapping.
 * Pure functions of plain values; index.ts feeds them Outputs.
 */

export interface ClientConfigArgs {
    readonly userName: string;
    readonly userArn: string;
    readonly roleArn: string;
    readonly roleName: string;
    readonly region: string;
    readonly sourceProfile: string;
    readonly mfaDeviceName: string;
    readonly durationSeconds: number;
    readonly clusterId: string;
    readonly kubernetesGroups: readonly string[];
}

/** `[profile <userName>-mfa]`: the name people type after `--profile` and put in `AWS_PROFILE`. */
export function mfaProfileName(userName: string): string {
    return `${userName}-mfa`;
}

/** `arn:<partition>:iam::<account>:mfa/<device>`, in the user's partition and account. */
export function mfaSerial(userArn: string, deviceName: string): string {
    const [, partition, , , account] = userArn.split(":");
    return `arn:${partition}:iam::${account}:mfa/${deviceName}`;
}

/** The `~/.aws/config` section: assuming the role asks for the MFA code, and the CLI caches the session. */
export function awsConfigProfile(a: ClientConfigArgs): string {
    return [
        `[profile ${mfaProfileName(a.userName)}]`,
        `role_arn = ${a.roleArn}`,
        `source_profile = ${a.sourceProfile}`,
        `mfa_serial = ${mfaSerial(a.userArn, a.mfaDeviceName)}`,
        // Shows up as {{SessionName}} in the cluster's audit trail instead of botocore-session-<time>.
        `role_session_name = ${a.userName}`,
        `duration_seconds = ${a.durationSeconds}`,
        `region = ${a.region}`,
        "",
    ].join("\n");
}

/**
 * The kubeconfig `users:` entry. `client.authentication.k8s.io/v1beta1`: v1alpha1 (the seed's) was removed in
 * Kubernetes 1.24. `--cache` keeps the assumed-role session on disk, so kubectl asks for a code once an hour, not
 * on every call (seed 000, caveat 1). The profile goes through `env`, because `-r` cannot prompt for MFA (caveat 2).
 */
export function kubeconfigUser(a: ClientConfigArgs): string {
    return stringify({
        users: [
            {
                name: mfaProfileName(a.userName),
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws-iam-authenticator",
                        args: ["token", "-i", a.clusterId, "--cache"],
                        env: [{ name: "AWS_PROFILE", value: mfaProfileName(a.userName) }],
                        // The MFA prompt needs the terminal.
                        interactiveMode: "IfAvailable",
                    },
                },
            },
        ],
    });
}

/**
 * The aws-iam-authenticator server's `mapRoles` entry (its config.yaml, `server.mapRoles`). Only the role is
 * mapped, never the user: the user's long-term keys can always call sts:GetCallerIdentity, so a mapped user would
 * reach the cluster without MFA.
 */
export function authenticatorMapping(a: ClientConfigArgs): string {
    return stringify([
        { roleARN: a.roleArn, username: `${a.roleName}:{{SessionName}}`, groups: [...a.kubernetesGroups] },
    ]);
}

export type ClientConfigInputs = { readonly [K in keyof ClientConfigArgs]: pulumi.Input<ClientConfigArgs[K]> };

/** The three renderings as stack outputs, once the ARNs and the region are known. */
export function clientConfigOutputs(inputs: ClientConfigInputs): {
    awsConfigProfile: pulumi.Output<string>;
    kubeconfigUser: pulumi.Output<string>;
    authenticatorMapping: pulumi.Output<string>;
} {
    const args = pulumi.output(inputs) as pulumi.Output<ClientConfigArgs>;
    return {
        awsConfigProfile: args.apply(awsConfigProfile),
        kubeconfigUser: args.apply(kubeconfigUser),
        authenticatorMapping: args.apply(authenticatorMapping),
    };
}
