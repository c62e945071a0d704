import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ListMFADevicesCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { awsAnswers, awsError, BEFORE, iam, removeWorlds, sts, world } from "./mfaSessionWorld";

describe("mfa-session failures", () => {
    beforeEach(awsAnswers);
    afterEach(removeWorlds);

    describe("fails with one clear line and leaves the credentials file byte for byte unchanged", () => {
        const cases: [string, () => void, string[], RegExp][] = [
            [
                "a wrong or reused code",
                () =>
                    sts
                        .on(GetSessionTokenCommand)
                        .rejects(
                            awsError(
                                "AccessDenied",
                                "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                            ),
                        ),
                [],
                /^mfa-session: the MFA code was wrong or has already been used \(AWS accepts each code once\): wait for the next code and try again$/,
            ],
            [
                "no MFA device enrolled",
                () => iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] }),
                [],
                /^mfa-session: no MFA device is enrolled for the keys of profile `k3s-admin`: enrol one first/,
            ],
            [
                "an unknown source profile",
                () => undefined,
                ["--profile", "nobody"],
                /^mfa-session: AWS profile `nobody` is not in .*credentials or .*config/,
            ],
            [
                "expired keys",
                () =>
                    sts
                        .on(GetSessionTokenCommand)
                        .rejects(awsError("ExpiredToken", "The security token included in the request is expired")),
                [],
                /^mfa-session: the session of profile `k3s-admin` has expired \(ExpiredToken\): renew it/,
            ],
            [
                "invalid keys",
                () =>
                    iam
                        .on(ListMFADevicesCommand)
                        .rejects(
                            awsError("InvalidClientTokenId", "The security token included in the request is invalid."),
                        ),
                [],
                /^mfa-session: AWS does not accept the keys of profile `k3s-admin` \(InvalidClientTokenId\): replace them with `aws configure --profile k3s-admin`/,
            ],
            [
                "no network",
                () =>
                    iam
                        .on(ListMFADevicesCommand)
                        .rejects(awsError("Error", "getaddrinfo ENOTFOUND iam.amazonaws.com", { code: "ENOTFOUND" })),
                [],
                /^mfa-session: cannot reach AWS \(ENOTFOUND\): check the network and try again$/,
            ],
            [
                "a role the keys may not assume",
                () =>
                    sts
                        .on(AssumeRoleCommand)
                        .rejects(
                            awsError(
                                "AccessDenied",
                                "User: arn:aws:iam::123456789012:user/k3s-admin is not authorized to perform: sts:AssumeRole",
                            ),
                        ),
                ["--role-arn", "arn:aws:iam::123456789012:role/other"],
                /^mfa-session: not allowed to assume arn:aws:iam::123456789012:role\/other: User: .* is not authorized/,
            ],
            [
                "a stack with no stack file (issue #9: `Error: no stack file Pulumi.prod.yaml` showed through)",
                () => undefined,
                ["--stack", "prod"],
                /^mfa-session: no stack file Pulumi\.prod\.yaml \(create it with `pulumi stack init prod`\)$/,
            ],
        ];
        for (const [what, arrange, argv, message] of cases) {
            it(what, async () => {
                arrange();
                const w = world();
                const r = await w.run(["--profile", "k3s-admin", "--token-code", "123456", ...argv]);
                assert.equal(r.code, 1);
                assert.equal(r.err.length, 1);
                assert.match(r.err[0]!, message);
                assert.ok(!r.err[0]!.includes("\n"));
                assert.equal(fs.readFileSync(w.file, "utf8"), BEFORE);
                assert.deepEqual(
                    fs.readdirSync(path.dirname(w.file)),
                    ["credentials"],
                    "no temporary file left behind",
                );
            });
        }
    });
});
