import * as assert from "node:assert/strict";
import { parse as parseIni } from "ini";
import { parse as parseYaml } from "yaml";
import { fakeAccount } from "./fakeAccount";
import { runProgram, type StackSettings } from "./mocks";

/** The three client outputs of a program run, parsed with real INI and YAML parsers. */
async function outputs(config: StackSettings = {}, region = "us-east-1") {
    const run = await runProgram(
        { createTestInstance: "false", verifyEnforcement: "false", "aws:region": region, ...config },
        fakeAccount({ region }),
    );
    const o = run.outputs;
    return {
        // ini builds null-prototype objects; a JSON round trip makes them plain for deepEqual.
        profile: JSON.parse(JSON.stringify(parseIni(String(o["awsConfigProfile"])))) as Record<
            string,
            Record<string, string>
        >,
        kubeconfig: parseYaml(String(o["kubeconfig"])) as {
            users: { name: string; user: { exec: Record<string, unknown> } }[];
            contexts: { name: string; context: Record<string, string> }[];
        },
        mapping: parseYaml(String(o["authenticatorMapping"])) as Record<string, unknown>[],
        raw: o,
    };
}

describe("client configuration outputs", () => {
    it("renders the ~/.aws/config profile that assumes the MFA role", async () => {
        const { profile } = await outputs();
        assert.deepEqual(profile, {
            "profile k3s-admin-mfa": {
                role_arn: "arn:aws:iam::123456789012:role/k3s-admin-mfa",
                source_profile: "k3s-admin",
                mfa_serial: "arn:aws:iam::123456789012:mfa/k3s-admin",
                role_session_name: "k3s-admin",
                duration_seconds: "3600",
                region: "us-east-1",
            },
        });
    });

    it("follows sourceProfile, mfaDeviceName, userName, roleName and the provider's region", async () => {
        const { profile } = await outputs(
            { userName: "ops", roleName: "ops-admin", sourceProfile: "work-keys", mfaDeviceName: "pixel-8" },
            "eu-west-1",
        );
        assert.deepEqual(profile["profile ops-mfa"], {
            role_arn: "arn:aws:iam::123456789012:role/ops-admin",
            source_profile: "work-keys",
            mfa_serial: "arn:aws:iam::123456789012:mfa/pixel-8",
            role_session_name: "ops",
            duration_seconds: "3600",
            region: "eu-west-1",
        });
    });

    it("keeps duration_seconds within the role's maximum session", async () => {
        const { profile, raw } = await outputs();
        assert.ok(Number(profile["profile k3s-admin-mfa"].duration_seconds) <= 3600);
        assert.match(String(raw["awsConfigProfile"]), /^\[profile k3s-admin-mfa\]\n/);
    });

    it("renders a standalone kubeconfig: the v1beta1 exec user (aws eks get-token, --profile, no blanked keys) and a context", async () => {
        const { kubeconfig } = await outputs();
        assert.deepEqual(kubeconfig, {
            apiVersion: "v1",
            kind: "Config",
            users: [
                {
                    name: "k3s-admin-mfa",
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            // The AWS CLI's own token: no aws-iam-authenticator binary on the person's machine. The
                            // profile on the command line drops exported keys from the CLI's chain (botocore
                            // create_credential_resolver), so nothing needs blanking and aws-vault/granted work.
                            command: "aws",
                            args: [
                                ...["--profile", "k3s-admin-mfa", "--region", "us-east-1"],
                                ...["eks", "get-token", "--cluster-name", "k3s", "--output", "json"],
                            ],
                            interactiveMode: "IfAvailable",
                        },
                    },
                },
            ],
            contexts: [{ name: "k3s-admin-mfa", context: { cluster: "default", user: "k3s-admin-mfa" } }],
        });
    });

    it("puts the configured cluster ID and kubeconfig cluster in the user and context", async () => {
        const { kubeconfig } = await outputs({ clusterId: "prod.k3s", kubeconfigCluster: "k3s-prod" });
        assert.deepEqual((kubeconfig.users[0]!.user.exec["args"] as string[]).slice(4, 8), [
            "eks",
            "get-token",
            "--cluster-name",
            "prod.k3s",
        ]);
        assert.equal(kubeconfig.contexts[0]!.context["cluster"], "k3s-prod");
    });

    it("maps the role, never the user, to the configured Kubernetes groups", async () => {
        const defaults = await outputs();
        assert.deepEqual(defaults.mapping, [
            {
                roleARN: "arn:aws:iam::123456789012:role/k3s-admin-mfa",
                username: "k3s-admin-mfa:{{SessionName}}",
                groups: ["k3s-admins"],
            },
        ]);
        const custom = await outputs({ kubernetesGroups: ["k3s:admins", "k3s:viewers"] });
        assert.deepEqual(custom.mapping[0]!["groups"], ["k3s:admins", "k3s:viewers"]);
        assert.doesNotMatch(String(custom.raw["authenticatorMapping"]), /:user\//);
    });
});

describe("the handover output", () => {
    type Handover = { people: Record<string, Record<string, string>>; cluster: Record<string, string> };

    it("holds one folder per admin, with the stack's own values in settings, and the cluster operator's files", async () => {
        const run = await runProgram(
            {
                createTestInstance: "false",
                verifyEnforcement: "false",
                userMfaMaxAgeSeconds: "7200",
                userName: "alice",
                adminUserNames: ["alice", "bob"],
                clusterId: "prod.k3s",
            },
            fakeAccount({ region: "eu-west-1" }),
        );
        const h = run.outputs["handover"] as Handover;
        assert.deepEqual(Object.keys(h.people).sort(), ["alice", "bob"]);
        for (const [user, files] of Object.entries(h.people)) {
            assert.deepEqual(Object.keys(files).sort(), [
                "README.txt",
                "aws-config",
                "ini.sh",
                "kubeconfig",
                "prove-door.sh",
                "session.sh",
                "settings",
                "setup.sh",
            ]);
            assert.match(files["settings"]!, new RegExp(`^K3S_USER=${user}$`, "m"));
            assert.match(files["settings"]!, /^K3S_USER_MFA_MAX_AGE=7200$/m);
            assert.match(files["settings"]!, /^K3S_REGION=eu-west-1$/m);
            assert.match(files["settings"]!, /^K3S_CLUSTER_ID=prod\.k3s$/m);
            assert.match(files["settings"]!, /^K3S_TEST_AMI=''$/m, "no test instance: prove-door.sh says so");
        }
        const config = parseYaml(h.cluster["config.yaml"]!) as { clusterID: string; server: { mapRoles: unknown[] } };
        assert.equal(config.clusterID, "prod.k3s");
        assert.deepEqual(config.server.mapRoles, [
            {
                rolearn: "arn:aws:iam::123456789012:role/alice-mfa",
                username: "alice-mfa:{{SessionName}}",
                groups: ["k3s-admins"],
            },
        ]);
        assert.match(h.cluster["aws-iam-authenticator.service"]!, /^Before=k3s\.service$/m);
        assert.match(
            h.cluster["k3s-aws-iam-authenticator.yaml"]!,
            /authentication-token-webhook-config-file=\/etc\/kubernetes\/aws-iam-authenticator\/kubeconfig\.yaml/,
        );
    });
});
