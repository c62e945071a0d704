import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsSettingsInputs, loadConfig } from "./config";
import { AdminUser } from "./components/adminUser";
import { clientConfigOutputs } from "./components/clientConfig";
import { EnforcementCheck } from "./components/enforcementCheck";
import { MfaRole, ROLE_MAX_SESSION_SECONDS } from "./components/mfaRole";
import { TestInstance } from "./components/testInstance";

const config = loadConfig();
const tags = { Project: pulumi.getProject(), Stack: pulumi.getStack(), ManagedBy: "pulumi" };

const admin = new AdminUser("k3s-admin", {
    userName: config.userName,
    policyName: config.policyName,
    hardened: config.hardened,
    mfaPolicy: config.mfaPolicy,
    userMfaMaxAgeSeconds: config.userMfaMaxAgeSeconds,
    tags,
});

const role = new MfaRole("k3s-admin", {
    roleName: config.roleName,
    userArn: admin.knownUserArn,
    user: admin.user,
    roleTrust: config.roleTrust,
    mfaMaxAgeSeconds: config.mfaMaxAgeSeconds,
    tags,
});

// Declared after the role: the check proves the role's trust policy as IAM stores it, so it runs after the role.
const check = config.verifyEnforcement
    ? new EnforcementCheck("k3s-admin", {
          admin,
          role,
          mfaMaxAgeSeconds: config.mfaMaxAgeSeconds,
          awsSettings: awsSettingsInputs(config),
      })
    : undefined;

// Seed 004 launches its instance as the person: with testInstanceProfile, a provider of its own signs the launch (and
// the lookups before it) with that profile, so long-term keys are refused and an MFA session succeeds. An explicit
// provider reads no `aws:` stack setting, so it is given the stack's region.
const testInstanceProvider =
    config.createTestInstance && config.testInstanceProfile !== undefined
        ? new aws.Provider("k3s-admin-mfa-test-as-person", {
              profile: config.testInstanceProfile,
              region: aws.getRegionOutput().region,
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

const client = clientConfigOutputs({
    userName: config.userName,
    userArn: admin.knownUserArn,
    roleArn: role.roleArn,
    roleName: role.roleName,
    region: aws.getRegionOutput().region,
    sourceProfile: config.sourceProfile,
    mfaDeviceName: config.mfaDeviceName,
    durationSeconds: ROLE_MAX_SESSION_SECONDS,
    clusterId: config.clusterId,
    kubernetesGroups: config.kubernetesGroups,
    kubeconfigCluster: config.kubeconfigCluster,
});

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
export const enforcementCheck = check?.summary ?? "skipped: verifyEnforcement is false";
export const awsConfigProfile = client.awsConfigProfile;
export const kubectlSetup = client.kubectlSetup;
export const kubeconfig = client.kubeconfig;
export const authenticatorMapping = client.authenticatorMapping;
export const clusterRoleBinding = client.clusterRoleBinding;
