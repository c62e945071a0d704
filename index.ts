import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { AdminUser } from "./components/adminUser";
import { EnforcementCheck } from "./components/enforcementCheck";
import { MfaRole } from "./components/mfaRole";
import { TestInstance } from "./components/testInstance";

const config = loadConfig();
const tags = { Project: pulumi.getProject(), Stack: pulumi.getStack(), ManagedBy: "pulumi" };

const admin = new AdminUser("k3s-admin", {
    userName: config.userName,
    policyName: config.policyName,
    hardened: config.hardened,
    tags,
});

const check = config.verifyEnforcement
    ? new EnforcementCheck("k3s-admin", { admin, region: config.aws.region, profile: config.aws.profile })
    : undefined;

const role = new MfaRole("k3s-admin", {
    roleName: config.roleName,
    userArn: admin.userArn,
    roleTrust: config.roleTrust,
    mfaMaxAgeSeconds: config.mfaMaxAgeSeconds,
    tags,
});

const testInstance = config.createTestInstance
    ? new TestInstance("k3s-admin-mfa-test", {
          instanceType: config.testInstanceType,
          subnetId: config.testInstanceSubnetId,
          tags,
      })
    : undefined;

export const userName = admin.userName;
export const userArn = admin.userArn;
export const policyName = admin.policyName;
export const roleName = role.roleName;
export const roleArn = role.roleArn;
export const mfaMaxAgeSeconds = config.mfaMaxAgeSeconds;
export const testInstanceId = testInstance?.instanceId;
export const enforcementCheck = check?.summary ?? "skipped: verifyEnforcement is false";
