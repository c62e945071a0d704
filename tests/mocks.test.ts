import * as assert from "node:assert/strict";
import * as ec2 from "@pulumi/aws/ec2";
import * as ssm from "@pulumi/aws/ssm";
import { promiseOf, useMocks } from "./mocks";

describe("the shared mock runtime", () => {
    it("fails an invoke it does not know, instead of resolving it to undefined", async () => {
        useMocks();
        const ami = ec2.getAmiOutput({ owners: ["amazon"], mostRecent: true });
        await assert.rejects(promiseOf(ami.id), /unmocked invoke aws:ec2\/getAmi:getAmi/);
    });

    it("fails a lookup the fake account cannot answer, as AWS would", async () => {
        useMocks();
        const param = ssm.getParameterOutput({ name: "/no/such/parameter" });
        await assert.rejects(promiseOf(param.value), /ParameterNotFound/);
    });
});
