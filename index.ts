import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as pulumi from "@pulumi/pulumi";
import { type AdminSettings, awsSettingsInputs, LEGACY_ADMIN_NAME, loadConfig } from "./config";
import { AdminUser } from "./components/adminUser";
import { clientConfigOutputs } from "./components/clientConfig";
import { EnforcementCheck } from "./components/enforcementCheck";
import { MfaRole, ROLE_MAX_SESSION_SECONDS } from "./components/mfaRole";
import { TamperAlarm } from "./components/tamperAlarm";
import { TestInstance } from "./components/testInstance";
import { clusterFiles } from "./handover/cluster";
import { handoverOutput } from "./handover/person";

const config = loadConfig();
const tags = { Project: pulumi.getProject(), Stack: pulumi.getStack(), ManagedBy: "pulumi" };

/**
 * Each admin's components are named after their IAM user, so adding or removing a person moves nothing of anyone
 * else's. The first admin's were always called "k3s-admin": where their user is named otherwise, an alias keeps
 * their URNs (and so their resources) as they were before several admins existed. A renamed person's components
 * alias the name before (`previousUserNames`), so the engine updates their user in place rather than deleting it
 * (issue 19); config.ts refuses any setting where two components would claim one name.
 */
const aliasesOf = (a: AdminSettings): pulumi.ComponentResourceOptions | undefined => {
    const legacy = a.userName === config.userName && a.userName !== LEGACY_ADMIN_NAME ? [LEGACY_ADMIN_NAME] : [];
    const names = [...new Set([...legacy, ...(a.previousUserName === undefined ? [] : [a.previousUserName])])];
    return names.length > 0 ? { aliases: names.map((name) => ({ name })) } : undefined;
};

// Each person: their settings and their user, first the one `userName` names.
const team = config.admins.map((settings) => ({
    settings,
    user: new AdminUser(
        settings.userName,
        {
            userName: settings.userName,
            policyName: config.policyName,
            hardened: config.hardened,
            mfaPolicy: config.mfaPolicy,
            userMfaMaxAgeSeconds: config.userMfaMaxAgeSeconds,
            allowDeletion: config.allowUserDeletion,
            mfaDeviceName: settings.mfaDeviceName,
            tags,
        },
        aliasesOf(settings),
    ),
}));
const admin = team[0]!.user;

const role = new MfaRole("k3s-admin", {
    roleName: config.roleName,
    userArns: team.map((p) => p.user.knownUserArn),
    users: team.map((p) => p.user.user),
    roleTrust: config.roleTrust,
    mfaMaxAgeSeconds: config.mfaMaxAgeSeconds,
    tags,
});

// Declared after the role: each check proves the role's trust policy as IAM stores it, so it runs after the role.
const checks = config.verifyEnforcement
    ? team.map(
          (p) =>
              new EnforcementCheck(
                  p.settings.userName,
                  {
                      admin: p.user,
                      role,
                      mfaMaxAgeSeconds: config.mfaMaxAgeSeconds,
                      maxMfaDevices: config.maxMfaDevices,
                      awsSettings: awsSettingsInputs(config),
                  },
                  aliasesOf(p.settings),
              ),
      )
    : undefined;

const testInstance = config.createTestInstance
    ? new TestInstance("k3s-admin-mfa-test", {
          instanceType: config.testInstanceType,
          subnetId: config.testInstanceSubnetId,
          followLatestAmi: config.testInstanceFollowLatestAmi,
          profile: config.testInstanceProfile,
          tags,
      })
    : undefined;

const region = getRegionOutput().region;
// What each person's client configuration is built from: the same for the outputs and for their hand-over.
const clientSettings = team.map(({ settings: a, user }) => ({
    userName: a.userName,
    userArn: user.knownUserArn,
    roleArn: role.roleArn,
    roleName: role.roleName,
    region,
    sourceProfile: a.sourceProfile,
    mfaDeviceName: a.mfaDeviceName,
    durationSeconds: ROLE_MAX_SESSION_SECONDS,
    clusterId: config.clusterId,
    kubernetesGroups: config.kubernetesGroups,
    kubeconfigCluster: config.kubeconfigCluster,
}));
const clients = clientSettings.map((settings) => clientConfigOutputs(settings));
const client = clients[0]!;

// IAM's CloudTrail events reach EventBridge only in us-east-1: the alarm's resources live there, whatever the
// stack's region (components/tamperAlarm.ts).
const alarm = config.tamperAlarm
    ? new TamperAlarm("k3s-admin", {
          userNames: config.admins.map((a) => a.userName),
          roleName: config.roleName,
          email: config.tamperAlarmEmail,
          tags,
      })
    : undefined;

export const userName = admin.userName;
export const userArn = admin.userArn;
export const policyName = admin.policyName;
export const roleName = role.roleName;
export const roleArn = role.roleArn;
export const mfaMaxAgeSeconds = config.mfaMaxAgeSeconds;
/** The nightly drift run holds every admin to the same device count as the post-deploy check. */
export const maxMfaDevices = config.maxMfaDevices;
export const testInstanceId = testInstance?.instanceId;
export const testInstanceType = testInstance?.instanceType;
export const testInstanceSubnetId = testInstance?.subnetId;
export const testInstanceAmi = testInstance?.ami;
export const enforcementCheck = checks
    ? pulumi.all(checks.map((c) => c.summary)).apply((lines) => lines.join("\n"))
    : "skipped: verifyEnforcement is false";
export const awsConfigProfile = client.awsConfigProfile;
export const kubectlSetup = client.kubectlSetup;
export const kubeconfig = client.kubeconfig;
export const authenticatorMapping = client.authenticatorMapping;
export const clusterRoleBinding = client.clusterRoleBinding;
export const tamperAlarmTopicArn = alarm?.topicArn;

/**
 * With several admins, what each person pastes into their own machine, keyed by user name (the outputs above are
 * the first admin's, as they were before several admins existed). Absent for a one-person stack.
 */
export const people =
    config.admins.length > 1
        ? pulumi.output(
              Object.fromEntries(
                  team.map((p, i) => [
                      p.settings.userName,
                      {
                          userArn: p.user.userArn,
                          awsConfigProfile: clients[i]!.awsConfigProfile,
                          kubectlSetup: clients[i]!.kubectlSetup,
                          kubeconfig: clients[i]!.kubeconfig,
                      },
                  ]),
              ),
          )
        : undefined;

/**
 * Everything each admin needs on their machine, and what the cluster operator installs: `pulumi stack output --json
 * handover | node handover/write.mjs` writes it as files (docs/daily-use.md).
 */
export const handover = handoverOutput(
    clientSettings.map((settings) => ({
        ...settings,
        userMfaMaxAgeSeconds: config.userMfaMaxAgeSeconds,
        testInstance: testInstance
            ? pulumi
                  .all([testInstance.instanceType, testInstance.ami, testInstance.subnetId])
                  .apply(([type, ami, subnetId]) => ({ type, ami, subnetId }))
            : undefined,
    })),
    (a) => clusterFiles({ ...a, partition: a.userArn.split(":")[1]! }),
);
