import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { ProveWorld } from "./standIn/world";

/**
 * Bad input and failure, against the stand-in: each ends with exit 1 and one line on stderr naming what to do,
 * never a stack trace and never a credential; the steps printed before it stay printed.
 */
describe("prove-mfa failures", () => {
    let w: ProveWorld;
    before(async () => {
        w = await ProveWorld.start();
    });
    after(async () => w.stop());
    beforeEach(() => {
        w.standIn.use();
        w.writeFiles();
    });

    async function fails(argv: string[], message: RegExp, steps = 0) {
        const r = await w.run(["--outputs", w.outputsFile(), ...argv]);
        assert.equal(r.code, 1, r.out.join("\n"));
        assert.equal(r.err.length, 1, r.err.join("\n"));
        assert.match(r.err[0]!, /^prove-mfa: /);
        assert.match(r.err[0]!, message);
        assert.doesNotMatch(r.err[0]!, /\n|    at /);
        assert.equal(r.out.length, steps, r.out.join("\n"));
        assert.deepEqual(w.leaked(r), []);
        return r;
    }

    it("a wrong code: step 3 stops, saying to wait for the next code", async () => {
        await fails(
            ["--token-code", "000000"],
            /step 3 \(sts:GetSessionToken\): the MFA code was wrong or has already been used .*: wait for the next code and try again/,
            2,
        );
    });

    it("a reused code: refused as AWS refuses it, with the same line", async () => {
        assert.equal((await w.run(["--outputs", w.outputsFile(), "--token-code", "456789"])).code, 0);
        await fails(
            ["--token-code", "456789"],
            /step 3 \(sts:GetSessionToken\): the MFA code was wrong or has already been used/,
            2,
        );
    });

    it("an expired session in --decode-profile: says to renew it", async () => {
        const a = w.standIn.world.account;
        const old = a.issueSession({ ...a.deployer, session: true }, 900, Date.now() - 3600_000);
        w.writeFiles(
            `[deployer-session]\naws_access_key_id = ${old.accessKeyId}\naws_secret_access_key = ${old.secretAccessKey}\naws_session_token = ${old.sessionToken}\n`,
        );
        await fails(
            ["--token-code", "123456", "--decode-profile", "deployer-session"],
            /step 1 \(sts:DecodeAuthorizationMessage\): the session of profile `deployer-session` has expired \(ExpiredToken\): renew it/,
        );
    });

    it("a profile without keys", async () => {
        w.writeFiles("", "\n[profile keyless]\nregion = us-east-1\n");
        await fails(
            ["--profile", "keyless", "--token-code", "123456"],
            /profile `keyless` holds no access keys: `aws configure --profile keyless`/,
        );
    });

    it("a profile that does not exist", async () => {
        await fails(
            ["--profile", "nobody", "--token-code", "123456"],
            /AWS profile `nobody` is not in .*credentials or .*config: `aws configure --profile nobody`/,
        );
    });

    it("a profile with a session instead of long-term keys", async () => {
        w.writeFiles(
            "[k3s-admin-session]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\n",
        );
        await fails(
            ["--profile", "k3s-admin-session", "--token-code", "123456"],
            /holds temporary credentials \(a session token\), not long-term keys/,
        );
    });

    it("another identity's keys: the experiment would prove nothing about the user", async () => {
        await fails(
            ["--profile", "deployer", "--token-code", "123456"],
            /profile `deployer` signs as arn:aws:iam::123456789012:user\/deployer, not as the stack's user arn:aws:iam::123456789012:user\/k3s-admin: give the profile with k3s-admin's long-term keys/,
        );
    });

    it("keys AWS does not know (deleted or mistyped)", async () => {
        w.writeFiles("[stale]\naws_access_key_id = AKIASTALE0000000000\naws_secret_access_key = x\n");
        await fails(
            ["--profile", "stale", "--token-code", "123456"],
            /AWS does not accept the keys of profile `stale` \(InvalidClientTokenId\): replace them with `aws configure --profile stale`/,
        );
    });

    it("a region without the instance type: step 3 names the stack's region", async () => {
        await fails(
            ["--token-code", "123456", "--region", "eu-north-1"],
            /step 3 \(ec2:RunInstances\): EC2 in eu-north-1 does not offer t3\.micro there \(Unsupported: .*\): run in the stack's region \(--region us-east-1\)/,
            2,
        );
    });

    it("throttling: says to wait and run again", async () => {
        w.standIn.use({ throttle: ["sts:GetSessionToken"] });
        w.setProcessEnv({ AWS_MAX_ATTEMPTS: "1" }); // the SDK's own retries would only make this test slow
        try {
            await fails(
                ["--token-code", "123456"],
                /step 3 \(sts:GetSessionToken\): AWS is throttling the requests \(Throttling\) .*: wait a minute and try again/,
                2,
            );
        } finally {
            w.setProcessEnv({ AWS_MAX_ATTEMPTS: undefined });
        }
    });

    it("no code and no terminal to ask: stops before calling AWS", async () => {
        await fails([], /no --token-code given and no terminal to ask for it: give --token-code CODE/);
        assert.deepEqual(w.standIn.log, []);
    });

    it("Ctrl+C at the prompt: exit 130 after the steps that ran", async () => {
        const abort = Object.assign(new Error("Aborted with Ctrl+C"), { name: "AbortError" });
        const r = await w.run(["--outputs", w.outputsFile()], { prompt: async () => Promise.reject(abort) });
        assert.equal(r.code, 130);
        assert.equal(r.out.length, 2);
        assert.match(r.err[0]!, /^prove-mfa: interrupted at the MFA prompt \(Ctrl\+C\)/);
    });

    describe("stack outputs", () => {
        const outputs = (text: string) => {
            const file = `${w.dir}/custom.json`;
            fs.writeFileSync(file, text);
            return w.run(["--outputs", file, "--token-code", "123456"]);
        };
        for (const [what, text, message] of [
            [
                "a stack not deployed yet (no outputs)",
                "{}",
                /outputs in .* has no outputs: it is not deployed yet; run `pulumi up` first$/,
            ],
            ["not JSON", "Current stack outputs (3):", /are not JSON: give the output of `pulumi stack output --json`/],
            [
                "a stack without its test instance",
                JSON.stringify({ userName: "k3s-admin", userArn: "arn:aws:iam::123456789012:user/k3s-admin" }),
                /has no test instance \(createTestInstance is false\): run `pulumi config set createTestInstance true` and `pulumi up`/,
            ],
        ] as const) {
            it(what, async () => {
                const r = await outputs(text);
                assert.equal(r.code, 1);
                assert.equal(r.err.length, 1);
                assert.match(r.err[0]!, message);
                assert.deepEqual(w.standIn.log, []);
            });
        }

        it("an older deployment without the test instance's settings", async () => {
            const r = await w.run([
                "--outputs",
                w.outputsFile({ testInstanceAmi: undefined }),
                "--token-code",
                "123456",
            ]);
            assert.equal(r.code, 1);
            assert.match(
                r.err[0]!,
                /has no output `testInstanceAmi`: deployed by an older version of this program; run `pulumi up`/,
            );
        });

        it("a missing outputs file", async () => {
            const r = await w.run(["--outputs", `${w.dir}/none.json`, "--token-code", "123456"]);
            assert.match(
                r.err[0]!,
                /cannot read --outputs .*none\.json \(ENOENT\): write it with `pulumi stack output --json >/,
            );
        });
    });
});
