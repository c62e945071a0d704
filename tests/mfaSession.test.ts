import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { ListMFADevicesCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import {
    awsAnswers,
    BEFORE,
    iam,
    ini,
    removeWorlds,
    SERIAL,
    SESSION,
    sessionCalls,
    sts,
    world,
} from "./mfaSessionWorld";

describe("mfa-session", () => {
    beforeEach(awsAnswers);
    afterEach(removeWorlds);

    it("user mode: finds the device, gets a session token and writes <profile>-session, keeping everything else", async () => {
        const w = world();
        const r = await w.run(["--profile", "k3s-admin", "--token-code", "123456"]);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.deepEqual(sts.commandCalls(GetSessionTokenCommand)[0]!.args[0].input, {
            SerialNumber: SERIAL,
            TokenCode: "123456",
            DurationSeconds: 3600, // userMfaMaxAgeSeconds' default: the session is no use after it
        });
        const after = fs.readFileSync(w.file, "utf8");
        assert.ok(after.startsWith(BEFORE), "the existing profiles and comments are kept byte for byte");
        assert.deepEqual(ini(after)["k3s-admin-session"], {
            aws_access_key_id: "ASIASESSION",
            aws_secret_access_key: "session-secret",
            aws_session_token: "session-token",
        });
        assert.match(after, /# MFA session via mfa-session; expires 2026-11-24T05:00:00.000Z/);
        assert.equal(fs.statSync(w.file).mode & 0o777, 0o600);
        assert.deepEqual(r.out, []);
        assert.match(
            r.err[0]!,
            /^mfa-session: wrote profile k3s-admin-session \(no region: none is set for k3s-admin\) to .*credentials; it expires 2026-11-24T05:00:00.000Z/,
        );
        assert.ok(!r.err.join("").includes("session-secret"), "no secret in the log");
    });

    it("replaces its own earlier session on the next run instead of adding a second one", async () => {
        const w = world();
        await w.run(["--profile", "k3s-admin", "--token-code", "123456"]);
        sts.on(GetSessionTokenCommand).resolves({ Credentials: { ...SESSION, AccessKeyId: "ASIANEWER" } });
        await w.run(["--profile", "k3s-admin", "--token-code", "654321"]);
        const after = fs.readFileSync(w.file, "utf8");
        assert.equal(after.match(/\[k3s-admin-session\]/g)?.length, 1);
        assert.equal(ini(after)["k3s-admin-session"]!["aws_access_key_id"], "ASIANEWER");
        assert.ok(after.startsWith(BEFORE));
    });

    it("role mode: assumes --role-arn with the MFA serial and code, for an hour by default", async () => {
        const w = world();
        const role = "arn:aws:iam::123456789012:role/k3s-admin-mfa";
        const r = await w.run(["--profile", "k3s-admin", "--role-arn", role, "--token-code", "123456"]);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.deepEqual(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input, {
            RoleArn: role,
            RoleSessionName: "k3s-admin",
            SerialNumber: SERIAL,
            TokenCode: "123456",
            DurationSeconds: 3600,
        });
        assert.equal(
            ini(fs.readFileSync(w.file, "utf8"))["k3s-admin-role-session"]!["aws_session_token"],
            "session-token",
        );
    });

    it("role mode with --stack: assumes the stack's role in the keys' own account", async () => {
        const w = world();
        const r = await w.run([
            "--profile",
            "k3s-admin",
            "--stack",
            "dev",
            "--token-code",
            "123456",
            "--serial-number",
            SERIAL,
        ]);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.equal(
            sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleArn,
            "arn:aws:iam::123456789012:role/k3s-admin-mfa",
        );
        assert.equal(iam.commandCalls(ListMFADevicesCommand).length, 0, "a given serial is not looked up");
        assert.equal(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleSessionName, "k3s-admin");
    });

    it("role mode with --stack: refuses a session name other than the user's own before asking STS", async () => {
        const w = world();
        const r = await w.run(
            ["--profile", "k3s-admin", "--stack", "dev", "--token-code", "123456", "--serial-number", SERIAL].concat([
                "--role-session-name",
                "bob",
            ]),
        );
        assert.equal(r.code, 1);
        assert.deepEqual(r.err, [
            "mfa-session: --role-session-name bob: the stack's role accepts only your own user name, k3s-admin, as the session name; leave the flag out",
        ]);
        assert.equal(sts.commandCalls(AssumeRoleCommand).length, 0);
        assert.equal(fs.readFileSync(w.file, "utf8"), BEFORE);
    });

    it("--print-env prints export lines for eval and writes no file", async () => {
        const w = world();
        const r = await w.run(["--profile", "k3s-admin", "--token-code", "123456", "--print-env"]);
        assert.equal(r.code, 0);
        assert.deepEqual(r.out[0]!.split("\n"), [
            "export AWS_ACCESS_KEY_ID=ASIASESSION",
            "export AWS_SECRET_ACCESS_KEY=session-secret",
            "export AWS_SESSION_TOKEN=session-token",
            "export AWS_CREDENTIAL_EXPIRATION=2026-11-24T05:00:00.000Z",
        ]);
        assert.equal(fs.readFileSync(w.file, "utf8"), BEFORE);
    });

    it("asks for the code when none is given", async () => {
        const w = world();
        const r = await w.run(["--profile", "k3s-admin"], { prompt: async () => "246810\n" });
        assert.equal(r.code, 0);
        assert.deepEqual(r.asked, [`MFA code for ${SERIAL}: `]);
        assert.equal(sts.commandCalls(GetSessionTokenCommand)[0]!.args[0].input.TokenCode, "246810");
    });

    it("a code typed at the prompt that is not 6 digits fails (exit 1) before STS is asked", async () => {
        const w = world();
        const r = await w.run(["--profile", "k3s-admin"], { prompt: async () => "12 34 56" });
        assert.equal(r.code, 1);
        assert.deepEqual(r.err, ["mfa-session: the MFA code must be 6 digits, got 8 characters"]);
        assert.equal(sessionCalls(), 0);
    });
});
