import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parseUrn, ProgramRun, registeredUrns, runProgram, settle } from "./mocks";

const COMPONENT_TYPES = [
    "k3s-admin-mfa:iam:AdminUser",
    "k3s-admin-mfa:iam:MfaRole",
    "k3s-admin-mfa:iam:EnforcementCheck",
    "k3s-admin-mfa:ec2:TestInstance",
];

function typesOf(run: ProgramRun): string[] {
    return run.resources.map((r) => r.type).sort();
}

describe("the program (index.ts) under mocks", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram();
    });

    it("exports the stack outputs the docs promise, resolved from real resources", () => {
        assert.deepEqual(run.outputs, {
            userName: "k3s-admin",
            userArn: "arn:aws:iam::123456789012:user/k3s-admin",
            policyName: "k3s-admin-ui-cli-with-mfa",
            roleName: "k3s-admin-mfa",
            roleArn: "arn:aws:iam::123456789012:role/k3s-admin-mfa",
            mfaMaxAgeSeconds: 3600,
            maxMfaDevices: 1,
            testInstanceId: run.resources.find((r) => r.type === "aws:ec2/instance:Instance")?.id,
            // What prove-mfa needs to repeat the launch as a DryRun: the type, and the subnet and image actually used.
            testInstanceType: "t3.micro",
            testInstanceSubnetId: run.resources.find((r) => r.type === "aws:ec2/instance:Instance")?.inputs["subnetId"],
            testInstanceAmi: run.resources.find((r) => r.type === "aws:ec2/instance:Instance")?.inputs["ami"],
            enforcementCheck: "not run under mocks",
            awsConfigProfile: run.outputs["awsConfigProfile"],
            kubectlSetup: run.outputs["kubectlSetup"],
            kubeconfig: run.outputs["kubeconfig"],
            authenticatorMapping: run.outputs["authenticatorMapping"],
            clusterRoleBinding: run.outputs["clusterRoleBinding"],
            // Each admin's hand-over and the cluster operator's files (handover/; docs/daily-use.md).
            handover: run.outputs["handover"],
            // Only a stack of several admins has the per-person map; only one with the alarm, its topic.
            people: undefined,
            tamperAlarmTopicArn: undefined,
        });
        for (const key of [
            "awsConfigProfile",
            "kubectlSetup",
            "kubeconfig",
            "authenticatorMapping",
            "clusterRoleBinding",
        ] as const) {
            assert.equal(typeof run.outputs[key], "string", key);
        }
        assert.match(String(run.outputs["testInstanceId"]), /^i-/);
        // prove-door.sh DryRuns the very launch the stack made: its type, subnet and image reach the settings.
        const handover = run.outputs["handover"] as { people: Record<string, Record<string, string>> };
        const settings = handover.people["k3s-admin"]!["settings"]!;
        const instance = run.resources.find((r) => r.type === "aws:ec2/instance:Instance")!.inputs;
        assert.match(settings, new RegExp(`^K3S_TEST_AMI=${String(instance["ami"])}$`, "m"));
        assert.match(settings, new RegExp(`^K3S_TEST_SUBNET=${String(instance["subnetId"])}$`, "m"));
        assert.match(settings, /^K3S_TEST_TYPE=t3\.micro$/m);
    });

    it("uses the stack's provider for everything by default", () => {
        assert.equal(run.registrations.filter((r) => r.type === "pulumi:providers:aws").length, 0);
        assert.ok(run.registrations.every((r) => r.provider === ""));
    });

    it("declares the user, both policies, the role, and the test instance with its security group", () => {
        assert.deepEqual(typesOf(run), [
            "aws:ec2/instance:Instance",
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:iam/role:Role",
            "aws:iam/user:User",
            "aws:iam/userPolicy:UserPolicy",
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            "command:local:Command",
        ]);
    });

    it("makes every AWS resource a child of one of the project's components", () => {
        const children = run.urns.map(parseUrn).filter((u) => /^(aws|command):/.test(u.type));
        assert.equal(children.length, run.resources.length);
        for (const child of children) {
            assert.ok(
                COMPONENT_TYPES.includes(child.parentType ?? ""),
                `${child.type}::${child.name} has parent ${child.parentType}`,
            );
        }
    });

    it("trusts the user it created in the role, with the default one-hour MFA age", () => {
        const role = run.resources.find((r) => r.type === "aws:iam/role:Role")!;
        const doc = role.inputs["assumeRolePolicy"] as { Statement: { Principal: unknown; Condition: unknown }[] };
        assert.deepEqual(doc.Statement[0]!.Principal, { AWS: run.outputs["userArn"] });
        assert.deepEqual(doc.Statement[0]!.Condition, {
            Bool: { "aws:MultiFactorAuthPresent": "true" },
            NumericLessThan: { "aws:MultiFactorAuthAge": "3600" },
            StringEquals: { "sts:RoleSessionName": "${aws:username}" },
        });
    });

    it("tags what it creates with project and stack", () => {
        const user = run.resources.find((r) => r.type === "aws:iam/user:User")!;
        assert.deepEqual(user.inputs["tags"], { Project: "k3s-admin-mfa", Stack: "dev", ManagedBy: "pulumi" });
    });
});

describe("the program with other settings", () => {
    it("launches the test instance through a provider of its own when testInstanceProfile names a profile", async () => {
        const own = await runProgram({ testInstanceProfile: "k3s-admin-session" });
        const provider = own.registrations.filter((r) => r.type === "pulumi:providers:aws");
        assert.equal(provider.length, 1);
        // An explicit provider reads no aws: stack setting: it gets the profile, and the stack provider's region.
        assert.equal(provider[0]!.object["profile"], "k3s-admin-session");
        assert.equal(provider[0]!.object["region"], "us-east-1");
        const viaOwn = (r: { type: string }) => /^aws:ec2\//.test(r.type);
        const ref = own.registrations.find(viaOwn)!.provider;
        // The TestInstance component's own child: it goes with the component.
        assert.match(ref, /::k3s-admin-mfa:ec2:TestInstance\$pulumi:providers:aws::k3s-admin-mfa-test-as-person::/);
        for (const r of own.registrations.filter((r) => r.custom && r.type !== "pulumi:providers:aws"))
            assert.equal(r.provider === ref, viaOwn(r), `${r.type} ${r.name}`);
        // The lookups before the launch are the person's too (seed 004: refused before anything is created).
        const ec2Lookups = own.calls.filter((c) => /^aws:(ec2|ssm)\//.test(c.token));
        assert.ok(ec2Lookups.length >= 2);
        for (const c of ec2Lookups) assert.equal(c.provider, ref, c.token);
        assert.ok(own.calls.filter((c) => c.token.startsWith("aws:index/")).some((c) => c.provider === undefined));
    });

    it("creates neither instance nor security group with createTestInstance=false", async () => {
        const run = await runProgram({ createTestInstance: "false" });
        assert.ok(!typesOf(run).some((t) => t.startsWith("aws:ec2/")), typesOf(run).join(", "));
        assert.equal(run.outputs["testInstanceId"], undefined);
        assert.equal(run.resources.length, 5);
    });

    it("skips the post-deploy check with verifyEnforcement=false, and says so in the output", async () => {
        const run = await runProgram({ verifyEnforcement: "false", createTestInstance: "false" });
        assert.ok(!typesOf(run).includes("command:local:Command"));
        assert.equal(run.outputs["enforcementCheck"], "skipped: verifyEnforcement is false");
    });

    it("puts the hardened Deny on the user with hardened=true", async () => {
        const run = await runProgram({ hardened: "true", createTestInstance: "false" });
        const policy = run.resources.find((r) => r.type === "aws:iam/userPolicy:UserPolicy")!;
        const doc = policy.inputs["policy"] as { Statement: { NotAction: string[] }[] };
        assert.equal(doc.Statement[0]!.NotAction.length, 10);
        assert.ok(!doc.Statement[0]!.NotAction.includes("iam:EnableMFADevice"));
    });

    it("trusts the account root with roleTrust=account and carries the configured names and age", async () => {
        const run = await runProgram({
            userName: "ops",
            policyName: "ops-mfa-only",
            roleTrust: "account",
            mfaMaxAgeSeconds: "900",
            createTestInstance: "false",
        });
        assert.equal(run.outputs["roleName"], "ops-mfa");
        assert.equal(run.outputs["policyName"], "ops-mfa-only");
        assert.equal(run.outputs["mfaMaxAgeSeconds"], 900);
        const role = run.resources.find((r) => r.type === "aws:iam/role:Role")!;
        const doc = role.inputs["assumeRolePolicy"] as {
            Statement: { Principal: unknown; Condition: Record<string, unknown> }[];
        };
        assert.deepEqual(doc.Statement[0]!.Principal, { AWS: "arn:aws:iam::123456789012:root" });
        assert.deepEqual(doc.Statement[0]!.Condition["NumericLessThan"], { "aws:MultiFactorAuthAge": "900" });
    });

    it("stops on a bad setting before declaring any resource, with a message that names the key", async () => {
        // "-5" passes the CLI's integer check (strconv.Atoi), so only config.ts stands between it and the role.
        await assert.rejects(
            runProgram({ mfaMaxAgeSeconds: "-5" }),
            (err: unknown) =>
                // RunError: Pulumi prints the message alone, without a stack trace.
                pulumi.RunError.isInstance(err) &&
                err.message === 'config `mfaMaxAgeSeconds` must be an integer from 1 to 3600, got "-5"',
        );
        // Registration is asynchronous: let anything the program started finish before counting.
        await settle();
        assert.deepEqual(registeredUrns(), []);
    });

    it("places the instance in the configured subnet", async () => {
        const run = await runProgram({ testInstanceSubnetId: "subnet-0ccccccccccccccc0" });
        const instance = run.resources.find((r) => r.type === "aws:ec2/instance:Instance")!;
        assert.equal(instance.inputs["subnetId"], "subnet-0ccccccccccccccc0");
    });
});

describe("the program passes the stack's provider settings on to the post-deploy check", () => {
    it("carries aws:region, aws:profile and aws:assumeRoles into the check's environment", async () => {
        const assumeRoles = [{ roleArn: "arn:aws:iam::123456789012:role/deployer" }];
        const run = await runProgram({
            "aws:region": "us-east-1",
            "aws:profile": "admin",
            "aws:assumeRoles": assumeRoles,
            createTestInstance: "false",
        });
        const check = run.resources.find((r) => r.type === "command:local:Command")!;
        const env = check.inputs["environment"] as Record<string, string>;
        assert.equal(env["AWS_REGION"], "us-east-1");
        assert.equal(env["AWS_PROFILE"], "admin");
        assert.deepEqual(JSON.parse(env["CHECK_ENFORCEMENT_ASSUME_ROLES"]!), assumeRoles);
    });

    it("stops with one line naming a provider setting the check cannot follow", async () => {
        await assert.rejects(
            runProgram({
                "aws:region": "us-east-1",
                "aws:httpsProxy": "http://proxy:3128",
                createTestInstance: "false",
            }),
            /aws:httpsProxy.*verifyEnforcement false/,
        );
    });
});
