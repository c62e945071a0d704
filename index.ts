import { Provider } from "@pulumi/aws/provider";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as pulumi from "@pulumi/pulumi";
import { awsSettingsInputs, loadConfig } from "./config";
import { AdminUser } from "./components/adminUser";
import { clientConfigOutputs } from "./components/clientConfig";
import { EnforcementCheck } from "./components/enforcementCheck";
import { MfaRole, ROLE_MAX_SESSION_SECONDS } from "./components/mfaRole";
import { TamperAlarm } from "./components/tamperAlarm";
import { TestInstance } from "./components/testInstance";

const config = loadConfig();
const tags = { Project: pulumi.getProject(), Stack: pulumi.getStack(), ManagedBy: "pulumi" };

/**
 * Each admin's components are named after their IAM user, so adding or removing a person moves nothing of anyone
 * else's. The first admin's were always called "k3s-admin": where their user is named otherwise, an alias keeps
 * their URNs (and so their resources) as they were before several admins existed.
 */
const componentName = (userName: string) => userName;
const legacyAlias = (userName: string) =>
    userName === config.userName && userName !== "k3s-admin" ? { aliases: [{ name: "k3s-admin" }] } : undefined;

const admins = config.admins.map(
    (a) =>
        new AdminUser(
            componentName(a.userName),
            {
                userName: a.userName,
                policyName: config.policyName,
                hardened: config.hardened,
                mfaPolicy: config.mfaPolicy,
                userMfaMaxAgeSeconds: config.userMfaMaxAgeSeconds,
                tags,
            },
            legacyAlias(a.userName),
        ),
);
const admin = admins[0]!;

const role = new MfaRole("k3s-admin", {
    roleName: config.roleName,
    userArns: admins.map((a) => a.knownUserArn),
    users: admins.map((a) => a.user),
    roleTrust: config.roleTrust,
    mfaMaxAgeSeconds: config.mfaMaxAgeSeconds,
    tags,
});

// Declared after the role: each check proves the role's trust policy as IAM stores it, so it runs after the role.
const checks = config.verifyEnforcement
    ? admins.map(
          (a, i) =>
              new EnforcementCheck(
                  componentName(config.admins[i]!.userName),
                  {
                      admin: a,
                      role,
                      mfaMaxAgeSeconds: config.mfaMaxAgeSeconds,
                      awsSettings: awsSettingsInputs(config),
                  },
                  legacyAlias(config.admins[i]!.userName),
              ),
      )
    : undefined;

// Seed 004 launches its instance as the person: with testInstanceProfile, a provider of its own signs the launch (and
// the lookups before it) with that profile, so long-term keys are refused and an MFA session succeeds. An explicit
// provider reads no `aws:` stack setting, so it is given the stack's region.
const testInstanceProvider =
    config.createTestInstance && config.testInstanceProfile !== undefined
        ? new Provider("k3s-admin-mfa-test-as-person", {
              profile: config.testInstanceProfile,
              region: getRegionOutput().region,
          })
        : undefined;

const testInstance = config.createTestInstance
    ? new TestInstance(
          "k3s-admin-mfa-test",
          {
              instanceType: config.testInstanceType,
              subnetId: config.testInstanceSubnetId,
              followLatestAmi: config.testInstanceFollowLatestAmi,
              tags,
          },
          testInstanceProvider ? { providers: { aws: testInstanceProvider } } : undefined,
      )
    : undefined;

const region = getRegionOutput().region;
const clients = config.admins.map((a, i) =>
    clientConfigOutputs({
        userName: a.userName,
        userArn: admins[i]!.knownUserArn,
        roleArn: role.roleArn,
        roleName: role.roleName,
        region,
        sourceProfile: a.sourceProfile,
        mfaDeviceName: a.mfaDeviceName,
        durationSeconds: ROLE_MAX_SESSION_SECONDS,
        clusterId: config.clusterId,
        kubernetesGroups: config.kubernetesGroups,
        kubeconfigCluster: config.kubeconfigCluster,
    }),
);
const client = clients[0]!;

// IAM's CloudTrail events reach EventBridge only in us-east-1: the alarm's resources live there, whatever the
// stack's region (components/tamperAlarm.ts).
const alarm = config.tamperAlarm
    ? new TamperAlarm("k3s-admin", {
          userNames: config.admins.map((a) => a.userName),
          roleName: config.roleName,
          email: config.tamperAlarmEmail,
          tags,
          userNamesSetting: config.admins.length > 1 ? "adminUserNames" : "userName",
      })
    : undefined;

export const userName = admin.userName;
export const userArn = admin.userArn;
export const policyName = admin.policyName;
export const roleName = role.roleName;
export const roleArn = role.roleArn;
export const mfaMaxAgeSeconds = config.mfaMaxAgeSeconds;
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
                  config.admins.map((a, i) => [
                      a.userName,
                      {
                          userArn: admins[i]!.userArn,
                          awsConfigProfile: clients[i]!.awsConfigProfile,
                          kubectlSetup: clients[i]!.kubectlSetup,
                          kubeconfig: clients[i]!.kubeconfig,
                      },
                  ]),
              ),
          )
        : undefined;
