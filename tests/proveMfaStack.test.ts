import * as assert from "node:assert/strict";
import { stackFacts } from "../commands/prove-mfa/stack";

/** prove-mfa in a stack of several admins: the `people` output names each person's ARN and profile. */
const ACCOUNT = "arn:aws:iam::123456789012";
const profile = (name: string) =>
    `[profile ${name}-mfa]\nrole_arn = ${ACCOUNT}:role/alice-mfa\nsource_profile = ${name}\nmfa_serial = ${ACCOUNT}:mfa/${name}\nregion = eu-west-1\n`;
const outputs = JSON.stringify({
    userName: "alice",
    userArn: `${ACCOUNT}:user/alice`,
    roleName: "alice-mfa",
    roleArn: `${ACCOUNT}:role/alice-mfa`,
    awsConfigProfile: profile("alice"),
    testInstanceId: "i-0123456789abcdef0",
    testInstanceType: "t3.micro",
    testInstanceSubnetId: "subnet-0123456789abcdef0",
    testInstanceAmi: "ami-0123456789abcdef0",
    people: {
        alice: { userArn: `${ACCOUNT}:user/alice`, awsConfigProfile: profile("alice") },
        bob: { userArn: `${ACCOUNT}:user/bob`, awsConfigProfile: profile("bob") },
    },
});

describe("prove-mfa: which admin's door (--user)", () => {
    it("proves the first admin by default, and another by name, with that person's profile and device", () => {
        const first = stackFacts(outputs, "stack dev", "pulumi up");
        assert.equal(first.userName, "alice");
        const bob = stackFacts(outputs, "stack dev", "pulumi up", "bob");
        assert.deepEqual([bob.userName, bob.userArn, bob.roleName], ["bob", `${ACCOUNT}:user/bob`, "alice-mfa"]);
        assert.deepEqual(bob.profile, { region: "eu-west-1", mfaSerial: `${ACCOUNT}:mfa/bob`, sourceProfile: "bob" });
    });

    it("names the stack's admins when --user is not one of them", () => {
        assert.throws(
            () => stackFacts(outputs, "stack dev", "pulumi up", "carol"),
            /^Error: stack dev has no admin `carol` \(its admins: alice, bob\): check --user$/,
        );
    });
});
