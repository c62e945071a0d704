import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
    awsConfigProfile,
    kubeconfigFile,
    mfaProfileName,
    mfaSerial,
    sh,
    type ClientConfigArgs,
} from "../components/clientConfig";

/**
 * One admin's hand-over: every file they need, from the stack's values, so that their machine needs the AWS CLI v2,
 * kubectl and a POSIX shell, and no Pulumi, no state access and no clone of this repository. The scripts are the
 * same for everyone (handover/person/*.sh); the `settings` file beside them is the person's.
 */

export interface HandoverArgs extends ClientConfigArgs {
    /** The user's own MFA sessions stop acting as admin at this age: session.sh asks for no longer one. */
    readonly userMfaMaxAgeSeconds: number;
    /** The test instance prove-door.sh DryRuns against; undefined when the stack creates none. */
    readonly testInstance?: { readonly type: string; readonly ami: string; readonly subnetId: string };
}

/** The scripts, shipped as they are in this folder. */
export const SCRIPTS = ["setup.sh", "session.sh", "prove-door.sh", "ini.sh"] as const;

const script = (name: string) => fs.readFileSync(path.join(__dirname, "person", name), "utf8");

/** `K3S_…=value` lines the scripts source: the person's names, ARNs and limits. */
function settingsFile(a: HandoverArgs): string {
    const values: Record<string, string | number> = {
        K3S_USER: a.userName,
        K3S_USER_ARN: a.userArn,
        K3S_SOURCE_PROFILE: a.sourceProfile,
        K3S_PROFILE: mfaProfileName(a.userName),
        K3S_MFA_SERIAL: mfaSerial(a.userArn, a.mfaDeviceName),
        K3S_ROLE_ARN: a.roleArn,
        K3S_ROLE_NAME: a.roleName,
        K3S_ROLE_SESSION_SECONDS: a.durationSeconds,
        K3S_USER_MFA_MAX_AGE: a.userMfaMaxAgeSeconds,
        K3S_REGION: a.region,
        K3S_CLUSTER_ID: a.clusterId,
        K3S_KUBE_CLUSTER: a.kubeconfigCluster,
        K3S_TEST_TYPE: a.testInstance?.type ?? "",
        K3S_TEST_AMI: a.testInstance?.ami ?? "",
        K3S_TEST_SUBNET: a.testInstance?.subnetId ?? "",
    };
    const lines = Object.entries(values).map(([k, v]) => `${k}=${sh(String(v))}`);
    return ["# Sourced by setup.sh, session.sh and prove-door.sh: what the stack made for you.", ...lines, ""].join(
        "\n",
    );
}

/** What the person reads first. */
export function readme(a: HandoverArgs): string {
    const profile = mfaProfileName(a.userName);
    return `Your access to the k3s cluster with MFA (${a.userName})
==========================================

You need: the AWS CLI v2, kubectl, a POSIX shell. Nothing else is installed.
Your long-term keys stay in profile ${a.sourceProfile}: in ~/.aws/credentials, or behind a
credential_process (aws-vault, granted) in ~/.aws/config. Nobody sends you keys with this folder.

Once
  1. Enrol an MFA device named ${a.mfaDeviceName} for user ${a.userName} (AWS console, or
     aws iam create-virtual-mfa-device / enable-mfa-device with --profile ${a.sourceProfile}).
  2. sh setup.sh            adds profile ${profile} (~/.aws/config) and kubectl context ${profile}
  3. sh prove-door.sh       proves the door: 5 requests, nothing created (asks for one code)

Every day
  aws sts get-caller-identity --profile ${profile}    asks for a code, keeps the role session for
                                                   ${a.durationSeconds / 60} minutes in ~/.aws/cli/cache
  kubectl --context ${profile} get nodes
  Any AWS CLI command with --profile ${profile} acts as ${a.roleName}.

For a tool that cannot assume a role with mfa_serial
  eval "$(aws configure export-credentials --profile ${profile} --format env)"
  sh session.sh             your own user's session (at most ${a.userMfaMaxAgeSeconds} s), profile ${a.sourceProfile}-session

Files
  aws-config    the profile setup.sh writes, to paste by hand instead
  kubeconfig    the user and context, for KUBECONFIG=~/.kube/config:$PWD/kubeconfig
  settings      your names and ARNs, read by the scripts
Every script answers --help.
`;
}

/** The whole hand-over, by file name. */
export function handoverFiles(a: HandoverArgs): Record<string, string> {
    return {
        "README.txt": readme(a),
        settings: settingsFile(a),
        "aws-config": awsConfigProfile(a),
        kubeconfig: kubeconfigFile(a),
        ...Object.fromEntries(SCRIPTS.map((name) => [name, script(name)])),
    };
}

type HandoverInputs = { readonly [K in keyof HandoverArgs]: pulumi.Input<HandoverArgs[K]> };

/** The stack output `handover` holds, once the ARNs are known: each person's files, and the cluster operator's. */
export function handoverOutput(
    people: readonly HandoverInputs[],
    cluster: (first: HandoverArgs) => Record<string, string>,
): pulumi.Output<{ people: Record<string, Record<string, string>>; cluster: Record<string, string> }> {
    return pulumi.all(people.map((p) => pulumi.output(p) as pulumi.Output<HandoverArgs>)).apply((all) => ({
        people: Object.fromEntries(all.map((a) => [a.userName, handoverFiles(a)])),
        cluster: cluster(all[0]!),
    }));
}
