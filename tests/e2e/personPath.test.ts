import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { kubeconfigFile } from "../../components/clientConfig";
import { clusterFiles } from "../../handover/cluster";
import { handoverFiles } from "../../handover/person";
import { CODES } from "../awsStandIn";
import { early } from "../early";
import { credentialsOf, run, startPersonWorld, type Ran } from "../personWorld";
import { ApiServer } from "../standIn/apiServer";

/**
 * The "done when": a fresh user account on this machine, given only its hand-over folder, the Debian AWS
 * CLI v2 and kubectl, runs the person's whole path (setup, proving the door, a role session with one code, kubectl
 * through the cluster's token webhook, its own user session) against the AWS stand-in and a local TLS API server,
 * with no npm install and no clone. The account is made with useradd and every step runs as it through runuser.
 */

const PERSON = "k3s-handover-test";
const isRoot = process.getuid?.() === 0;

function freshAccount(): string {
    try {
        execFileSync("id", ["-u", PERSON], { stdio: "ignore" });
    } catch {
        execFileSync("useradd", ["-m", "-s", "/bin/sh", PERSON]);
    }
    const home = execFileSync("sh", ["-c", `getent passwd ${PERSON} | cut -d: -f6`], { encoding: "utf8" }).trim();
    // Fresh each run: the home holds nothing but what the steps below put there.
    fs.rmSync(home, { recursive: true, force: true });
    fs.mkdirSync(home, { mode: 0o700 });
    execFileSync("chown", [`${PERSON}:`, home]);
    return home;
}

const journey = early(
    async () => {
        const w = await startPersonWorld();
        const api = await ApiServer.start(
            w.pki,
            clusterFiles({ ...w.args, partition: "aws" })["config.yaml"]!,
            w.standIn.url,
        );
        try {
            const home = freshAccount();
            // The deployer's side: the stack output, written by the deployer's command, one folder sent to the person.
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-handover-out-"));
            const json = JSON.stringify({
                people: { [w.args.userName]: handoverFiles(w.args) },
                cluster: clusterFiles({ ...w.args, partition: "aws" }),
            });
            const written = await run(
                [process.execPath, path.join(__dirname, "../../handover/write.mjs"), out],
                {
                    PATH: "/usr/bin:/bin",
                },
                json,
            );
            assert.equal(written.code, 0, written.err);
            fs.cpSync(path.join(out, w.args.userName), path.join(home, "handover"), { recursive: true });
            fs.rmSync(out, { recursive: true, force: true });
            // What the person already has: their long-term keys, and the cluster's entry in their kubeconfig.
            fs.mkdirSync(path.join(home, ".aws"), { mode: 0o700 });
            fs.writeFileSync(path.join(home, ".aws/credentials"), credentialsOf(w), { mode: 0o600 });
            fs.mkdirSync(path.join(home, ".kube"), { mode: 0o700 });
            const ca = Buffer.from(w.pki.ca).toString("base64");
            fs.writeFileSync(
                path.join(home, ".kube/config"),
                `apiVersion: v1\nkind: Config\nclusters:\n- name: default\n  cluster: {server: "${api.url}", certificate-authority-data: "${ca}"}\ncontexts: []\nusers: []\n`,
            );
            execFileSync("chown", ["-R", `${PERSON}:`, home]);
            const as = (script: string, input = "") =>
                run(
                    [
                        "runuser",
                        "-u",
                        PERSON,
                        "--",
                        "/usr/bin/env",
                        "-i",
                        ...Object.entries(w.env(home)).map(([k, v]) => `${k}=${v}`),
                        "sh",
                        "-c",
                        script,
                    ],
                    { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
                    input,
                );
            const steps: Record<string, Ran> = {};
            // setup.sh itself needs no AWS CLI: it runs without one on PATH. (This machine's kubectl is Google Cloud
            // SDK's dispatcher, which asks the cluster for its version on every command, `config` ones included; with
            // the AWS CLI on PATH that would run the exec plugin, and its code prompt, during the set-up.)
            steps.setup = await as(`cd ~/handover && PATH=${w.shared}/bin-no-aws sh setup.sh`);
            steps.setupAgain = await as(
                `cd ~/handover && PATH=${w.shared}/bin-no-aws sh setup.sh && cat ~/.aws/config`,
            );
            steps.prove = await as(`cd ~/handover && sh prove-door.sh --token-code ${CODES[0]}`);
            // The first AWS CLI call with the role profile asks for a code (getpass reads stdin without a terminal).
            steps.login = await as(
                "aws sts get-caller-identity --profile k3s-admin-mfa --query Arn --output text",
                `${CODES[1]}\n`,
            );
            steps.nodes = await as("kubectl --context k3s-admin-mfa get --raw /api/v1/nodes");
            steps.session = await as(`cd ~/handover && sh session.sh --token-code ${CODES[2]}`);
            steps.sessionUse = await as(
                "aws sts get-caller-identity --profile k3s-admin-session --query Arn --output text",
            );
            if (process.env["PERSON_DEBUG"]) console.error(JSON.stringify(steps, null, 1));
            const files = {
                config: fs.readFileSync(path.join(home, ".aws/config"), "utf8"),
                kube: parse(
                    execFileSync("kubectl", ["config", "view", "-o", "json"], {
                        env: { KUBECONFIG: path.join(home, ".kube/config") },
                        encoding: "utf8",
                    }),
                ) as { users: { name: string; user: { exec: Record<string, unknown> } }[] },
                cache: fs.readdirSync(path.join(home, ".aws/cli/cache")),
                which: (await as("command -v node npm python3 pulumi git || true")).out,
            };
            return { w, api, steps, files, reviews: [...api.reviews], log: [...w.standIn.log] };
        } finally {
            await api.close();
            await w.close();
        }
    },
    () => undefined,
);

describe("the person's path, as a fresh user account with only the hand-over, the AWS CLI v2 and kubectl", function () {
    let r: Awaited<ReturnType<typeof journey>>;
    before(async function () {
        // useradd and runuser need root; CI runs as root, so there a skip would hide the person's whole path.
        if (!isRoot) {
            assert.ok(!process.env["CI"], "CI: the person's path needs root (useradd, runuser)");
            this.skip();
        }
        this.timeout(600_000); // about 12 AWS CLI runs, a second of CPU each
        r = await journey();
    });

    it("setup.sh writes the role profile and kubectl's user and context, the same user as the kubeconfig file", () => {
        assert.equal(r.steps.setup!.code, 0, r.steps.setup!.err);
        assert.match(
            r.files.config,
            /\[profile k3s-admin-mfa\]\n(.+\n)*role_arn = arn:aws:iam::123456789012:role\/k3s-admin-mfa\n/,
        );
        assert.equal(r.steps.setupAgain!.out, r.files.config, "running setup.sh again changes nothing");
        assert.doesNotMatch(r.steps.setup!.err, /MFA code/, `setting up asks for no code: ${r.steps.setup!.err}`);
        assert.match(r.files.config, /mfa_serial = arn:aws:iam::123456789012:mfa\/k3s-admin\n/);
        const user = r.files.kube.users.find((u) => u.name === "k3s-admin-mfa")!;
        const expected = (parse(kubeconfigFile(r.w.args)) as { users: { user: { exec: Record<string, unknown> } }[] })
            .users[0]!.user.exec;
        const { env, provideClusterInfo, ...exec } = user.user.exec;
        assert.deepEqual([exec, env, provideClusterInfo], [expected, null, false]);
    });

    it("prove-door.sh proves all five steps with the AWS CLI alone, and exits 0", () => {
        const p = r.steps.prove!;
        assert.equal(p.code, 0, p.out + p.err);
        const lines = p.out.trim().split("\n");
        assert.equal(lines.length, 5);
        lines.forEach((l, i) => assert.match(l, new RegExp(`^step ${i + 1}: .*\\[held\\]$`)));
        assert.match(
            lines[1]!,
            /refused by your user's MFA Deny \(the role's trust was not reached: this proves the Deny, not the trust\)/,
        );
    });

    it("the role profile asks for one code, and the AWS CLI caches the role session", () => {
        assert.equal(r.steps.login!.code, 0, r.steps.login!.err);
        assert.equal(r.steps.login!.out.trim(), "arn:aws:sts::123456789012:assumed-role/k3s-admin-mfa/k3s-admin");
        assert.equal(r.files.cache.length, 1);
    });

    it("kubectl get nodes authenticates through aws eks get-token and the cluster's webhook as the role session named after the user", () => {
        assert.equal(r.steps.nodes!.code, 0, r.steps.nodes!.err);
        assert.match(r.steps.nodes!.out, /k3s-server-0/);
        // The webhook's review, with the mapRoles of the config.yaml the operator installs.
        // (Every review: this machine's kubectl dispatcher also asks the cluster for its version, with the same token.)
        assert.ok(r.reviews.length >= 1);
        for (const review of r.reviews)
            assert.deepEqual(review, { username: "k3s-admin-mfa:k3s-admin", groups: ["k3s-admins"] });
        // No second code: the AssumeRole calls that succeeded are prove-door's step 4 and the login.
        const assumed = r.log.filter((l) => l.action === "AssumeRole" && l.status === 200);
        assert.equal(assumed.length, 2, JSON.stringify(r.log));
    });

    it("session.sh writes the user's own session profile, capped at userMfaMaxAgeSeconds, and it signs as the user", () => {
        assert.equal(r.steps.session!.code, 0, r.steps.session!.err);
        assert.match(
            r.steps.session!.err,
            /^session\.sh: wrote profile k3s-admin-session \(region us-east-1\) to .*credentials; it expires \S+\. Use: --profile k3s-admin-session\n$/,
        );
        assert.equal(r.steps.sessionUse!.out.trim(), "arn:aws:iam::123456789012:user/k3s-admin");
    });

    it("needs no node, npm, python, pulumi or git on the person's PATH", () => {
        assert.equal(r.files.which, "");
    });
});
