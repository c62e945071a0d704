import { stringify } from "yaml";
import { clusterRoleBinding } from "../components/clientConfig";

/**
 * What the cluster operator installs on the k3s server node so that the API server accepts the admins' tokens:
 * aws-iam-authenticator's server as a systemd unit on the host (it must be up before the API server starts, which
 * reads the webhook kubeconfig the authenticator writes), its config file with the stack's mapRoles, and the k3s
 * flag that points the API server at the webhook. Flags, defaults and formats are aws-iam-authenticator v0.7.18's:
 * cmd/aws-iam-authenticator/server.go (init: --config, --state-dir, --generate-kubeconfig, --address 127.0.0.1,
 * --port 21362, --backend-mode MountedFile), root.go (getConfig: `clusterID`, `server.mapRoles`), pkg/config/types.go
 * (RoleMapping: rolearn, username, groups).
 */

export interface ClusterArgs {
    readonly clusterId: string;
    /** The AWS partition of the role (aws, aws-cn, aws-us-gov): the server accepts only that partition's STS hosts. */
    readonly partition: string;
    readonly roleArn: string;
    readonly roleName: string;
    readonly kubernetesGroups: readonly string[];
}

export const AUTHENTICATOR_VERSION = "v0.7.18";
export const PATHS = {
    config: "/etc/aws-iam-authenticator/config.yaml",
    stateDir: "/var/aws-iam-authenticator",
    webhookKubeconfig: "/etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml",
    binary: "/usr/local/bin/aws-iam-authenticator",
    unit: "/etc/systemd/system/aws-iam-authenticator.service",
    k3sDropIn: "/etc/rancher/k3s/config.yaml.d/90-aws-iam-authenticator.yaml",
} as const;

/**
 * The server's config file. Only the role is mapped, never a user: a user's long-term keys can always call
 * sts:GetCallerIdentity, so a mapped user would reach the cluster without MFA. The username carries the session
 * name, which the role's trust forces to be the IAM user's own name, so the audit log names the person.
 */
export function authenticatorConfig(a: ClusterArgs): string {
    return stringify({
        clusterID: a.clusterId,
        server: {
            partition: a.partition,
            mapRoles: [
                { rolearn: a.roleArn, username: `${a.roleName}:{{SessionName}}`, groups: [...a.kubernetesGroups] },
            ],
        },
    });
}

/** A systemd unit ordered before k3s: the webhook kubeconfig exists before the API server reads it. */
function systemdUnit(): string {
    return `[Unit]
Description=aws-iam-authenticator server (token webhook for the k3s API server)
Documentation=https://github.com/kubernetes-sigs/aws-iam-authenticator
After=network-online.target
Wants=network-online.target
Before=k3s.service

[Service]
ExecStart=${PATHS.binary} server --config=${PATHS.config} --state-dir=${PATHS.stateDir} --generate-kubeconfig=${PATHS.webhookKubeconfig}
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target k3s.service
`;
}

/**
 * The k3s drop-in: `kube-apiserver-arg+` appends to the list k3s already has (k3s merges config.yaml.d files in
 * order; a key ending in + appends). The cache TTL bounds how long a revoked session's token keeps working.
 */
function k3sDropIn(): string {
    return stringify({
        "kube-apiserver-arg+": [
            `authentication-token-webhook-config-file=${PATHS.webhookKubeconfig}`,
            "authentication-token-webhook-cache-ttl=1m",
        ],
    });
}

/** The operator's steps, in order, with every prerequisite. */
export function clusterReadme(a: ClusterArgs): string {
    return `Cluster side: aws-iam-authenticator's server for k3s (cluster ID ${a.clusterId})
=====================================================================

Prerequisites
  - root on the k3s server node(s), k3s started by systemd as k3s.service
  - the aws-iam-authenticator ${AUTHENTICATOR_VERSION} binary for the node's architecture, from
    https://github.com/kubernetes-sigs/aws-iam-authenticator/releases/tag/${AUTHENTICATOR_VERSION}
    (not packaged by Debian), checked against the release's checksums file
  - outbound HTTPS from the node to sts.<region>.amazonaws.com (the server replays each token there)
  - no AWS credentials on the node: verifying a token needs none

Steps (on each server node)
  install -m 0755 aws-iam-authenticator ${PATHS.binary}
  install -D -m 0644 config.yaml ${PATHS.config}
  install -m 0644 aws-iam-authenticator.service ${PATHS.unit}
  systemctl daemon-reload && systemctl enable --now aws-iam-authenticator
  test -s ${PATHS.webhookKubeconfig}      # written by the server at start
  install -D -m 0644 k3s-aws-iam-authenticator.yaml ${PATHS.k3sDropIn}
  systemctl restart k3s
  kubectl apply -f clusterrolebinding.yaml   # with the k3s admin kubeconfig; nothing when it says "none needed"

Check: an admin runs kubectl --context <their>-mfa auth whoami and sees ${a.roleName}:<their user name>.
Revoke a person: remove their user from the role's trust (the deployer), or delete the binding.
`;
}

export function clusterFiles(a: ClusterArgs): Record<string, string> {
    return {
        "README.txt": clusterReadme(a),
        "config.yaml": authenticatorConfig(a),
        "aws-iam-authenticator.service": systemdUnit(),
        "k3s-aws-iam-authenticator.yaml": k3sDropIn(),
        "clusterrolebinding.yaml": clusterRoleBinding(a),
    };
}
