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
    /** Name of the k3s cluster's entry in people's kubeconfig (k3s.yaml calls it `default`). */
    readonly kubeconfigCluster: string;
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
 * The kubeconfig user's exec plugin: the AWS CLI's own `aws eks get-token`, which writes the same `k8s-aws-v1.` token
 * aws-iam-authenticator's server verifies (a presigned sts:GetCallerIdentity URL signing the `x-k8s-aws-id` header:
 * awscli/customizations/eks/get_token.py, TokenGenerator; aws-iam-authenticator v0.7.18 pkg/token/token.go,
 * tokenVerifier.Verify), so people need no other binary. The CLI asks for the MFA code when the role profile's cached
 * session has expired and keeps the new one in ~/.aws/cli/cache: one code an hour, not one per kubectl call.
 *
 * The profile goes on the command line, not in AWS_PROFILE: a profile given so makes the CLI drop environment keys
 * from its credential chain (botocore credentials.py, create_credential_resolver: `disable_env_vars` when the
 * profile is an instance variable), so keys exported in the shell (an eval'd session, `aws-vault exec`) cannot sign
 * as someone the cluster does not map. Nothing is blanked: the source profile's own credential_process (aws-vault,
 * granted) still runs with the environment it needs. `IfAvailable`: the prompt needs the terminal when there is one.
 */
export function execPlugin(a: ClientConfigArgs) {
    return {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: [
            ...["--profile", mfaProfileName(a.userName), "--region", a.region],
            ...["eks", "get-token", "--cluster-name", a.clusterId, "--output", "json"],
        ],
        interactiveMode: "IfAvailable",
    };
}

/** POSIX single quotes where a word needs them; the values are validated names, so mostly none is needed. */
export function sh(word: string): string {
    return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The commands that add the user and a context to the person's kubeconfig through kubectl itself, which merges
 * them into whatever the file already holds (kubectl's `config set-credentials`: "Specifying a name that already
 * exists will merge new fields on top of existing values"). Pasting YAML under `users:` could lose entries.
 * `--exec-arg` is a comma-separated list flag in kubectl, so each argument gets its own flag (none holds a comma).
 */
export function kubectlSetup(a: ClientConfigArgs): string {
    const name = mfaProfileName(a.userName);
    const exec = execPlugin(a);
    const credentials = [
        "kubectl config set-credentials",
        sh(name),
        `--exec-command=${sh(exec.command)}`,
        `--exec-api-version=${sh(exec.apiVersion)}`,
        ...exec.args.map((arg) => `--exec-arg=${sh(arg)}`),
        `--exec-interactive-mode=${exec.interactiveMode}`,
    ];
    const context = [
        "kubectl config set-context",
        sh(name),
        `--cluster=${sh(a.kubeconfigCluster)}`,
        `--user=${sh(name)}`,
    ];
    return `${credentials.join(" ")}\n${context.join(" ")}\n`;
}

/**
 * A standalone kubeconfig holding the user and a context on the cluster entry people already have, for
 * `KUBECONFIG=~/.kube/config:<this file>`: kubectl merges the files and changes neither.
 */
export function kubeconfigFile(a: ClientConfigArgs): string {
    const name = mfaProfileName(a.userName);
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        users: [{ name, user: { exec: execPlugin(a) } }],
        contexts: [{ name, context: { cluster: a.kubeconfigCluster, user: name } }],
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

/** The group the role is mapped to by default: a named group that RBAC can bind, and unbind. */
export const DEFAULT_KUBERNETES_GROUP = "k3s-admins";

/** Name of the ClusterRoleBinding that grants the mapped groups cluster-admin. */
export const CLUSTER_ROLE_BINDING = "k3s-admin-mfa-cluster-admin";

/**
 * The ClusterRoleBinding that makes the mapped groups cluster admins, as `kubectl create clusterrolebinding
 * … --clusterrole=cluster-admin --group=…` writes it. A named group, unlike `system:masters`, goes through RBAC:
 * deleting this binding (or the group from it) revokes access at once. `system:` groups are Kubernetes' own and
 * need no binding (`system:masters` bypasses RBAC altogether), so they are left out.
 */
export function clusterRoleBinding(a: Pick<ClientConfigArgs, "kubernetesGroups">): string {
    const groups = a.kubernetesGroups.filter((g) => !g.startsWith("system:"));
    if (groups.length === 0)
        return "# none needed: system: groups are Kubernetes' own (system:masters bypasses RBAC and cannot be revoked by it)\n";
    return stringify({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: CLUSTER_ROLE_BINDING },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: groups.map((name) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name })),
    });
}

export type ClientConfigInputs = { readonly [K in keyof ClientConfigArgs]: pulumi.Input<ClientConfigArgs[K]> };

/** The renderings as stack outputs, once the ARNs and the region are known. */
export function clientConfigOutputs(inputs: ClientConfigInputs): {
    awsConfigProfile: pulumi.Output<string>;
    kubectlSetup: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    authenticatorMapping: pulumi.Output<string>;
    clusterRoleBinding: pulumi.Output<string>;
} {
    const args = pulumi.output(inputs) as pulumi.Output<ClientConfigArgs>;
    return {
        awsConfigProfile: args.apply(awsConfigProfile),
        kubectlSetup: args.apply(kubectlSetup),
        kubeconfig: args.apply(kubeconfigFile),
        authenticatorMapping: args.apply(authenticatorMapping),
        clusterRoleBinding: args.apply(clusterRoleBinding),
    };
}
