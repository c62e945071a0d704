import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { promiseOf, useMocks } from "./mocks";

describe("the shared mock runtime", () => {
    it("fails an invoke it does not know, instead of resolving it to undefined", async () => {
        useMocks();
        const ami = aws.ec2.getAmiOutput({ owners: ["amazon"], mostRecent: true });
        await assert.rejects(promiseOf(ami.id), /unmocked invoke aws:ec2\/getAmi:getAmi/);
    });

    it("fails a lookup the fake account cannot answer, as AWS would", async () => {
        useMocks();
        const param = aws.ssm.getParameterOutput({ name: "/no/such/parameter" });
        await assert.rejects(promiseOf(param.value), /ParameterNotFound/);
    });
});
