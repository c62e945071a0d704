import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { resolveRegion } from "../cli/awsRegion";
import { awsAnswers, awsCalls, BEFORE, ini, removeWorlds, world } from "./mfaSessionWorld";

/**
 * The region, as the AWS CLI resolves it: --region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`
 * (read by the SDK's own loader). The session profile gets it, in the credentials file, where the SDKs and the CLI
 * read it and prefer it to the config file.
 */
describe("mfa-session region", () => {
    beforeEach(awsAnswers);
    afterEach(removeWorlds);

    const ARGV = ["--profile", "k3s-admin", "--token-code", "123456"];
    const withConfig = (text: string, env: NodeJS.ProcessEnv = {}) => {
        const w = world(env);
        fs.writeFileSync(path.join(w.home, ".aws", "config"), text);
        return w;
    };
    const sessionOf = (w: ReturnType<typeof world>) => ini(fs.readFileSync(w.file, "utf8"))["k3s-admin-session"]!;

    it("uses the profile's region from ~/.aws/config, not us-east-1, and writes it into the session profile", async () => {
        const w = withConfig("[default]\nregion = us-west-2\n\n[profile k3s-admin]\nregion = eu-west-1\n");
        const r = await w.run(ARGV);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.equal(r.region, "eu-west-1");
        assert.equal(sessionOf(w)["region"], "eu-west-1");
        assert.ok(fs.readFileSync(w.file, "utf8").startsWith(BEFORE));
        assert.match(r.err[0]!, /^mfa-session: wrote profile k3s-admin-session \(region eu-west-1\) to /);
        // The SDK's loader, as a JS SDK client or `aws configure get region` would, finds the session's region.
        assert.deepEqual(await resolveRegion(undefined, "k3s-admin-session", w.env), {
            name: "eu-west-1",
            from: "the region of profile k3s-admin-session",
        });
    });

    it("follows the profile into another partition (cn-north-1)", async () => {
        const w = withConfig("[profile k3s-admin]\nregion = cn-north-1\n");
        const r = await w.run(ARGV);
        assert.equal(r.region, "cn-north-1");
        assert.equal(sessionOf(w)["region"], "cn-north-1");
    });

    it("finds the config file through AWS_CONFIG_FILE", async () => {
        const w = world();
        const config = path.join(w.home, "elsewhere");
        fs.writeFileSync(config, "[profile k3s-admin]\nregion = ap-southeast-2\n");
        w.env["AWS_CONFIG_FILE"] = config;
        assert.equal((await w.run(ARGV)).region, "ap-southeast-2");
    });

    for (const [what, env, argv, expected] of [
        ["AWS_DEFAULT_REGION over the profile", { AWS_DEFAULT_REGION: "eu-north-1" }, [], "eu-north-1"],
        ["AWS_REGION over AWS_DEFAULT_REGION", { AWS_REGION: "eu-south-1", AWS_DEFAULT_REGION: "x" }, [], "eu-south-1"],
        ["--region over everything", { AWS_REGION: "eu-south-1" }, ["--region", "sa-east-1"], "sa-east-1"],
    ] as const) {
        it(`takes ${what}, and writes it`, async () => {
            const w = withConfig("[profile k3s-admin]\nregion = eu-west-1\n", env);
            const r = await w.run([...ARGV, ...argv]);
            assert.equal(r.code, 0, r.err.join("\n"));
            assert.equal(r.region, expected);
            assert.equal(sessionOf(w)["region"], expected);
        });
    }

    it("with no region anywhere, asks STS in us-east-1 (the CLI's global endpoint) and writes none", async () => {
        const w = world();
        const r = await w.run(ARGV);
        assert.equal(r.region, "us-east-1");
        assert.equal(sessionOf(w)["region"], undefined);
        assert.match(r.err[0]!, /\(no region: none is set for k3s-admin\)/);
    });

    it("refuses a region setting that is not one, naming where it is set (exit 1)", async () => {
        const w = withConfig("[profile k3s-admin]\nregion = eu west 1\n");
        const r = await w.run(ARGV);
        assert.equal(r.code, 1);
        assert.deepEqual(r.err, [
            'mfa-session: the region of profile k3s-admin must be an AWS region such as eu-west-1, got "eu west 1"',
        ]);
        assert.equal(awsCalls(), 0);
    });
});
