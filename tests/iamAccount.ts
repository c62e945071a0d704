import { AccessAnalyzerClient, ValidatePolicyCommand } from "@aws-sdk/client-accessanalyzer";
import {
    EvaluationResult,
    GetRoleCommand,
    GetUserPolicyCommand,
    IAMClient,
    ListAccessKeysCommand,
    ListMFADevicesCommand,
    SimulatePrincipalPolicyCommand,
    SimulatePrincipalPolicyCommandInput,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { analyzerMock, iamMock, stsMock } from "./sdkMocks";
import { mfaEnforcementPolicy, mfaTrustPolicy } from "../components/policies";
import type { CheckDeps } from "../checks/enforcement";

/**
 * IAM, STS and IAM Access Analyzer as the SDK clients see them (aws-sdk-client-mock), answering the way the API
 * references describe: documents URL-encoded, MatchedStatements without SCP statements, an SCP's denial ending the
 * evaluation; ValidatePolicy finding nothing unless a test says otherwise.
 */
export const USER_ARN = "arn:aws:iam::123456789012:user/k3s-admin";
export const ROLE_ARN = "arn:aws:iam::123456789012:role/k3s-admin-mfa";
export const POLICY = "k3s-admin-ui-cli-with-mfa";
export const OPTS = {
    userArn: USER_ARN,
    policyName: POLICY,
    roleArn: ROLE_ARN,
    mfaMaxAgeSeconds: 3600,
    maxWaitSeconds: 60,
};

export { analyzerMock, iamMock, stsMock } from "./sdkMocks";

/** A fake clock: sleeping advances it, so retries take no real time and their delays can be read back. */
export function deps(): CheckDeps & { slept: number[] } {
    let t = 0;
    const slept: number[] = [];
    const sleep = async (ms: number) => {
        slept.push(ms);
        t += ms;
    };
    return {
        iam: new IAMClient({}),
        sts: new STSClient({}),
        accessAnalyzer: new AccessAnalyzerClient({}),
        now: () => t,
        sleep,
        slept,
    };
}

export type Input = SimulatePrincipalPolicyCommandInput;
export type Answer = (action: string, input: Input) => Partial<EvaluationResult>;
export const hasMfa = (input: Input) =>
    (input.ContextEntries ?? []).some((c) => c.ContextKeyName === "aws:MultiFactorAuthPresent");
export const excluded = (input: Input) => (input.PolicyExclusionList ?? []).map((p) => p.PolicyType);
const ours = [{ SourcePolicyId: POLICY, SourcePolicyType: "user" as const }];
export const admin = [{ SourcePolicyId: "AdministratorAccess", SourcePolicyType: "aws-managed" as const }];

/** The user's own policies: our Deny matches without MFA except on the exemptions, AdministratorAccess allows. */
const enforcedAnswer: Answer = (action, input) =>
    hasMfa(input) || action === "sts:GetSessionToken"
        ? { EvalDecision: "allowed", MatchedStatements: admin }
        : { EvalDecision: "explicitDeny", MatchedStatements: ours };

/** GetRole's answer: the trust policy comes back URL-encoded, as IAM returns every policy document. */
export function roleOutput(trust: unknown = mfaTrustPolicy({ principalArn: USER_ARN, mfaMaxAgeSeconds: 3600 })) {
    const document = encodeURIComponent(JSON.stringify(trust));
    return {
        Role: {
            RoleName: "k3s-admin-mfa",
            Arn: ROLE_ARN,
            Path: "/",
            RoleId: "AROAEXAMPLE",
            CreateDate: new Date(0),
            AssumeRolePolicyDocument: document,
        },
    };
}

/** The user's credentials: active access keys, MFA devices. Default: one key, one device (enrolled, as advised). */
export interface Credentials {
    readonly activeKeys?: number;
    readonly inactiveKeys?: number;
    readonly devices?: number;
}

/** Installs IAM and STS answers; `outside` may change what the simulator says, as an SCP or boundary would. */
export function account(
    outside: Answer = () => ({}),
    trust: unknown = mfaTrustPolicy({ principalArn: USER_ARN, mfaMaxAgeSeconds: 3600 }),
    credentials: Credentials = {},
    inline: unknown = mfaEnforcementPolicy(),
): void {
    const key = (i: number, Status: "Active" | "Inactive") => ({
        UserName: "k3s-admin",
        AccessKeyId: `AKIA${i}`,
        Status,
    });
    iamMock.on(ListAccessKeysCommand).resolves({
        AccessKeyMetadata: [
            ...Array.from({ length: credentials.activeKeys ?? 1 }, (_, i) => key(i, "Active")),
            ...Array.from({ length: credentials.inactiveKeys ?? 0 }, (_, i) => key(100 + i, "Inactive")),
        ],
    });
    iamMock.on(ListMFADevicesCommand).resolves({
        MFADevices: Array.from({ length: credentials.devices ?? 1 }, (_, i) => ({
            UserName: "k3s-admin",
            SerialNumber: `arn:aws:iam::123456789012:mfa/k3s-admin-${i}`,
            EnableDate: new Date(0),
        })),
    });
    stsMock
        .on(GetCallerIdentityCommand)
        .resolves({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/deployer" });
    iamMock.on(GetUserPolicyCommand).resolves({
        UserName: "k3s-admin",
        PolicyName: POLICY,
        PolicyDocument: encodeURIComponent(JSON.stringify(inline)),
    });
    iamMock.on(GetRoleCommand).resolves(roleOutput(trust));
    analyzerMock.on(ValidatePolicyCommand).resolves({ findings: [] });
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake((input: Input) => ({
        EvaluationResults: (input.ActionNames ?? []).map((a) => ({
            EvalActionName: a,
            EvalResourceName: "*",
            ...enforcedAnswer(a, input),
            ...outside(a, input),
        })),
    }));
}

export const simulations = () => iamMock.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
