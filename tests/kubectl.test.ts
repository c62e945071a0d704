import * as assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import {
    CLUSTER_ROLE_BINDING,
    clusterRoleBinding,
    kubeconfigFile,
    kubectlSetup,
    type ClientConfigArgs,
} from "../components/clientConfig";
import { early, inBackground } from "./early";

/**
 * The Daily-use kubeconfig steps, run with the real kubectl (on the machine image) against a kubeconfig that already
 * holds a k3s cluster, its `default` user and context, and another cluster's entries: nothing may be lost.
 */

const ARGS: ClientConfigArgs = {
    userName: "k3s-admin",
    userArn: "arn:aws:iam::123456789012:user/k3s-admin",
    roleArn: "arn:aws:iam::123456789012:role/k3s-admin-mfa",
    roleName: "k3s-admin-mfa",
    region: "us-east-1",
    sourceProfile: "k3s-admin",
    mfaDeviceName: "k3s-admin",
    durationSeconds: 3600,
    clusterId: "k3s",
    kubernetesGroups: ["system:masters"],
    kubeconfigCluster: "default",
};

const EXISTING = `apiVersion: v1
kind: Config
clusters:
- name: default
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: "Y2E="}
- name: work
  cluster: {server: "https://work.example:6443"}
users:
- name: default
  user: {client-certificate-data: "Y2VydA==", client-key-data: "a2V5"}
- name: work-user
  user: {token: "t0ken"}
contexts:
- name: default
  context: {cluster: default, user: default}
- name: work
  context: {cluster: work, user: work-user, namespace: apps}
current-context: default
`;

type View = {
    clusters: { name: string }[];
    users: { name: string; user: Record<string, unknown> }[];
    contexts: { name: string; context: Record<string, string> }[];
    "current-context": string;
};

const execFileAsync = promisify(execFile);

/**
 * The environment as the run began. The scenarios run while other files' tests do, and some of those change
 * process.env for a moment (prove-mfa's tests empty PATH).
 */
const ENV = { ...process.env };

/** Runs kubectl with KUBECONFIG (and the rest of `env`) set; its standard output. */
async function kubectl(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
    const run = execFileAsync("kubectl", args, { env: { ...ENV, ...env }, encoding: "utf8" });
    inBackground(run.child);
    return (await run).stdout;
}

async function view(env: NodeJS.ProcessEnv): Promise<View> {
    return JSON.parse(await kubectl(env, "config", "view", "--raw", "-o", "json")) as View;
}

/** The setup's output is shell text, run as the README says: one command a line. */
async function runSetup(env: NodeJS.ProcessEnv): Promise<void> {
    const run = execFileAsync("/bin/sh", ["-c", kubectlSetup(ARGS)], { env: { ...ENV, ...env } });
    inBackground(run.child);
    await run;
}

/** A folder of its own holding the kubeconfig that already has other entries. */
function existing(root: string, name: string): string {
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "config"), EXISTING);
    return dir;
}

/**
 * The three scenarios, each on a kubeconfig of its own. About twenty kubectl processes in all: they start with the
 * test run (tests/early.ts) and run on the core mocha leaves free; the tests below judge what they left.
 */
const scenarios = early(
    async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-kubeconfig-"));
        try {
            return { root, ...(await runScenarios(root)) };
        } catch (error) {
            fs.rmSync(root, { recursive: true, force: true });
            throw error;
        }
    },
    ({ root }) => fs.rmSync(root, { recursive: true, force: true }),
);

/** The three scenarios, one after the other, each in a folder of its own under `root`; what each left. */
async function runScenarios(root: string) {
    const adds = { KUBECONFIG: path.join(existing(root, "adds"), "config") };
    const addsBefore = await view(adds);
    await runSetup(adds);
    const addsAfter = await view(adds);

    const twice = { KUBECONFIG: path.join(existing(root, "twice"), "config") };
    await runSetup(twice);
    const once = await view(twice);
    await runSetup(twice);
    const again = await view(twice);

    const mergeDir = existing(root, "merge");
    const mine = path.join(mergeDir, "k3s-admin-mfa.yaml");
    fs.writeFileSync(mine, kubeconfigFile(ARGS));
    const merge = { KUBECONFIG: `${path.join(mergeDir, "config")}:${mine}` };
    const merged = await view(merge);
    // The new context points at the existing k3s cluster entry of the first file: kubectl fails if it does not.
    await kubectl(merge, "config", "get-contexts", "k3s-admin-mfa");
    const files = {
        config: fs.readFileSync(path.join(mergeDir, "config"), "utf8"),
        mine: fs.readFileSync(mine, "utf8"),
    };
    return { adds: { before: addsBefore, after: addsAfter }, twice: { once, again }, merged, files };
}

describe("kubectl setup on a kubeconfig that already holds other entries", () => {
    let ran: Awaited<ReturnType<typeof scenarios>>;
    before(async () => {
        ran = await scenarios();
    });

    it("adds the MFA user and context through kubectl, keeping every other user, cluster and context", () => {
        const { before, after } = ran.adds;
        assert.deepEqual(after.clusters, before.clusters);
        assert.deepEqual(
            after.users.filter((u) => u.name !== "k3s-admin-mfa"),
            before.users,
        );
        assert.deepEqual(
            after.contexts.filter((c) => c.name !== "k3s-admin-mfa"),
            before.contexts,
        );
        assert.equal(after["current-context"], "default");
        const user = after.users.find((u) => u.name === "k3s-admin-mfa")!;
        assert.deepEqual(user.user["exec"], {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: [
                ...["--profile", "k3s-admin-mfa", "--region", "us-east-1"],
                ...["eks", "get-token", "--cluster-name", "k3s", "--output", "json"],
            ],
            // No variable is blanked: the profile on the command line already keeps exported keys out.
            env: null,
            interactiveMode: "IfAvailable",
            provideClusterInfo: false,
        });
        const context = after.contexts.find((c) => c.name === "k3s-admin-mfa")!;
        assert.deepEqual(context.context, { cluster: "default", user: "k3s-admin-mfa" });
    });

    it("is idempotent: running the commands twice leaves one user, one context, the same arguments", () => {
        assert.deepEqual(ran.twice.again, ran.twice.once);
    });

    it("merges the standalone kubeconfig with KUBECONFIG=a:b and changes neither file", () => {
        const { merged, files } = ran;
        assert.deepEqual(merged.users.map((u) => u.name).sort(), ["default", "k3s-admin-mfa", "work-user"]);
        assert.deepEqual(merged.contexts.map((c) => c.name).sort(), ["default", "k3s-admin-mfa", "work"]);
        assert.equal(files.config, EXISTING);
        assert.equal(files.mine, kubeconfigFile(ARGS));
    });
});

describe("the clusterRoleBinding output, against kubectl's own", () => {
    it("is the binding `kubectl create clusterrolebinding --clusterrole=cluster-admin --group=…` writes", () => {
        const groups = ["k3s-admins", "ops:oncall"];
        const theirs = parse(
            execFileSync(
                "kubectl",
                [
                    ...["create", "clusterrolebinding", CLUSTER_ROLE_BINDING, "--clusterrole=cluster-admin"],
                    ...groups.map((g) => `--group=${g}`),
                    ...["--dry-run=client", "-o", "yaml"],
                ],
                { env: { ...process.env, KUBECONFIG: "/dev/null" }, encoding: "utf8" },
            ),
        ) as { metadata: Record<string, unknown> };
        delete theirs.metadata["creationTimestamp"];
        assert.deepEqual(parse(clusterRoleBinding({ kubernetesGroups: groups })), theirs);
    });

    it("binds no system: group (system:masters bypasses RBAC, so it needs and takes no binding)", () => {
        const doc = parse(clusterRoleBinding({ kubernetesGroups: ["system:masters", "k3s-admins"] })) as {
            subjects: { name: string }[];
        };
        assert.deepEqual(
            doc.subjects.map((s) => s.name),
            ["k3s-admins"],
        );
        assert.match(clusterRoleBinding({ kubernetesGroups: ["system:masters"] }), /^# none needed: /);
    });
});
