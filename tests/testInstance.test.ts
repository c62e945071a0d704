import * as assert from "node:assert/strict";
import { TestInstance } from "../components/testInstance";
import { AL2023_ARM, AL2023_X86, fakeAccount } from "./fakeAccount";
import { inputsOf, parseUrn, promiseOf, registrationOf, useMocks } from "./mocks";
import { takeStderr } from "./quiet";

const X86_AMI = fakeAccount().parameters[AL2023_X86];
const ARM_AMI = fakeAccount().parameters[AL2023_ARM];

describe("TestInstance", () => {
    it("is hardened: IMDSv2 only with hop limit 1, encrypted gp3 root, no key pair, no public address", async () => {
        const mocks = useMocks();
        const t = new TestInstance("t", { instanceType: "t3.micro", tags: { Project: "p" } });
        const i = await inputsOf(mocks, t.instance);
        assert.deepEqual(i["metadataOptions"], {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
        });
        assert.deepEqual(i["rootBlockDevice"], { encrypted: true, volumeType: "gp3", deleteOnTermination: true });
        assert.equal(i["keyName"], undefined);
        assert.equal(i["associatePublicIpAddress"], false);
        assert.equal(i["instanceType"], "t3.micro");
        assert.deepEqual(i["tags"], { Project: "p", Name: "t" });
    });

    it("gets its own security group with no inbound (and no outbound) rule, in the subnet's VPC", async () => {
        const mocks = useMocks();
        const t = new TestInstance("t", { instanceType: "t3.micro" });
        const sg = await inputsOf(mocks, t.securityGroup);
        const i = await inputsOf(mocks, t.instance);
        assert.equal(sg["ingress"], undefined);
        assert.equal(sg["egress"], undefined);
        assert.equal(sg["vpcId"], "vpc-0default000000000");
        assert.deepEqual(i["vpcSecurityGroupIds"], [await promiseOf(t.securityGroup.id)]);
    });

    for (const [type, ami] of [
        ["t3.micro", X86_AMI],
        ["t2.micro", X86_AMI],
        ["t4g.small", ARM_AMI],
    ] as const) {
        it(`launches the current Amazon Linux 2023 image for ${type}'s architecture, looked up in SSM`, async () => {
            const mocks = useMocks();
            const t = new TestInstance("t", { instanceType: type });
            assert.equal((await inputsOf(mocks, t.instance))["ami"], ami);
        });
    }

    it("sends the AMI ID in clear, though the engine returns SSM parameter values as secrets", async () => {
        const mocks = useMocks();
        const t = new TestInstance("t", { instanceType: "t3.micro" });
        await promiseOf(t.instanceId);
        // A secret would reach the engine as a secret envelope and show as `ami: [secret]` in every preview.
        assert.equal(registrationOf(mocks, "aws:ec2/instance:Instance").object["ami"], X86_AMI);
    });

    it("is not replaced when AWS publishes a new image, unless followLatestAmi asks for it", async () => {
        const mocks = useMocks();
        await promiseOf(new TestInstance("t", { instanceType: "t3.micro" }).instanceId);
        assert.deepEqual(registrationOf(mocks, "aws:ec2/instance:Instance").ignoreChanges, ["ami"]);
        const following = useMocks();
        await promiseOf(new TestInstance("t", { instanceType: "t3.micro", followLatestAmi: true }).instanceId);
        assert.deepEqual(registrationOf(following, "aws:ec2/instance:Instance").ignoreChanges, []);
    });

    it("picks a default subnet in a zone that offers the type (not us-east-1e for t3.micro), stably", async () => {
        const mocks = useMocks();
        const t = new TestInstance("t", { instanceType: "t3.micro" });
        assert.equal((await inputsOf(mocks, t.instance))["subnetId"], "subnet-0aaaaaaaaaaaaaaaa");
    });

    it("follows the offering: t4g.small is offered only in us-east-1b here", async () => {
        useMocks();
        const t = new TestInstance("t", { instanceType: "t4g.small" });
        assert.equal(await promiseOf(t.subnetId), "subnet-0bbbbbbbbbbbbbbbb");
    });

    it("uses a configured subnet and puts the security group in that subnet's VPC", async () => {
        const mocks = useMocks();
        const t = new TestInstance("t", { instanceType: "t3.micro", subnetId: "subnet-0ccccccccccccccc0" });
        assert.equal((await inputsOf(mocks, t.instance))["subnetId"], "subnet-0ccccccccccccccc0");
        assert.equal((await inputsOf(mocks, t.securityGroup))["vpcId"], "vpc-0other0000000000");
    });

    it("without a default VPC, fails with a message that says to set testInstanceSubnetId", async () => {
        useMocks(fakeAccount({ vpcs: [{ id: "vpc-0other0000000000", isDefault: false }] }));
        const t = new TestInstance("t", { instanceType: "t3.micro" });
        await assert.rejects(
            promiseOf(t.subnetId),
            /config `testInstanceSubnetId` is needed: us-east-1 has no default VPC; set `pulumi config set testInstanceSubnetId/,
        );
    });

    it("fails naming testInstanceType when the type has no Amazon Linux 2023 image (Mac)", async () => {
        useMocks();
        const t = new TestInstance("t", { instanceType: "mac2.metal" });
        await assert.rejects(promiseOf(t.instance.ami), /config `testInstanceType`: mac2.metal supports arm64_mac/);
        // The engine logs the failed invoke as an error too, as `pulumi preview` shows it: the same one line.
        assert.match(
            takeStderr(),
            /^error: \[runtime\] Error serializing arguments for invoke aws:ssm\/getParameter:getParameter: .*config `testInstanceType`: mac2\.metal supports arm64_mac/,
        );
    });

    it("parents the instance and its security group to the component", async () => {
        useMocks();
        const t = new TestInstance("t", { instanceType: "t3.micro" });
        for (const child of [t.instance, t.securityGroup]) {
            assert.equal(parseUrn(await promiseOf(child.urn)).parentType, "k3s-admin-mfa:ec2:TestInstance");
        }
    });
});
