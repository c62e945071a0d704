/**
 * The rules of issue #13 for workflows that hold credentials, as pure functions over a parsed workflow: each returns
 * the problems it finds, so a test can show that today's workflow passes and a broken copy (or the workflow before
 * the issue, tests/fixtures/ci-before-issue-13.yml) does not.
 */
export type Step = {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    if?: string;
    "working-directory"?: string;
    "continue-on-error"?: boolean;
};
export type Job = {
    needs?: string | string[];
    environment?: string | { name: string; url?: string };
    if?: string;
    permissions?: Record<string, string>;
    steps: Step[];
    env?: Record<string, string>;
    defaults?: { run?: { "working-directory"?: string } };
    outputs?: Record<string, string>;
};
export type Workflow = {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    env?: Record<string, string>;
    jobs: Record<string, Job>;
};

const SECRET = /\$\{\{\s*secrets\./;
const mentions = (value: unknown): boolean => SECRET.test(JSON.stringify(value ?? {}));

/** A job holds credentials when it can mint an OIDC token or reads a secret anywhere. */
export const holdsCredentials = (job: Job): boolean => job.permissions?.["id-token"] === "write" || mentions(job);

/**
 * The Node runtime each release line runs on, from its action.yml `runs.using` (read at the tags named in the
 * pins): configure-aws-credentials v5.1.1 `node20`, v6.0.0 to v6.2.3 `node24`; pulumi/actions v7.0.0 `node24`;
 * checkout v6.1.0, setup-node v6.5.0 and github-script v8.0.0 `node24`. GitHub retires node20 on its runners.
 */
export const RUNTIMES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
    "aws-actions/configure-aws-credentials": { 4: "node20", 5: "node20", 6: "node24" },
    "pulumi/actions": { 6: "node20", 7: "node24" },
    "actions/checkout": { 6: "node24" },
    "actions/setup-node": { 6: "node24" },
    "actions/github-script": { 8: "node24" },
    // pulumi/auth-actions v2.1.0 action.yml `runs.using: 'node24'`.
    "pulumi/auth-actions": { 2: "node24" },
};
export const SUPPORTED_RUNTIMES = ["node24"];

/** `owner/repo@<40 hex> # vX.Y.Z` in the file's text: the action, whether it is SHA-pinned, and its major version. */
export function pins(text: string): { action: string; sha: boolean; major?: number; line: string }[] {
    return [...text.matchAll(/^\s*-?\s*uses:\s*([\w.-]+\/[\w.-]+)@(\S+)(?:\s+#\s*v(\d+)[\w.]*)?/gm)].map((m) => ({
        action: m[1]!,
        sha: /^[0-9a-f]{40}$/.test(m[2]!),
        major:
            m[3] !== undefined ? Number(m[3]) : /^v(\d+)/.test(m[2]!) ? Number(/^v(\d+)/.exec(m[2]!)![1]) : undefined,
        line: m[0].trim(),
    }));
}

/** Secrets only on the steps that need them: never workflow- or job-wide, never on a step that runs npm. */
export function secretsScoped(wf: Workflow): string[] {
    const problems: string[] = [];
    if (mentions(wf.env)) problems.push("workflow env holds a secret");
    for (const [id, job] of Object.entries(wf.jobs)) {
        if (mentions(job.env)) problems.push(`job ${id}: env holds a secret for every step`);
        for (const step of job.steps) {
            const secretEnv = Object.entries(step.env ?? {}).filter(
                ([, v]) => SECRET.test(v) && !/secrets\.\w+\s*!=\s*''/.test(v),
            );
            if (secretEnv.length > 0 && /\bnpm\b/.test(step.run ?? ""))
                problems.push(`job ${id}: npm runs with ${secretEnv.map(([k]) => k).join(", ")}`);
        }
    }
    return problems;
}

/** `npm ci`/`npm install` without --ignore-scripts in a job that holds credentials. */
export function installScriptsOff(wf: Workflow): string[] {
    return Object.entries(wf.jobs)
        .filter(([, job]) => holdsCredentials(job))
        .flatMap(([id, job]) =>
            job.steps
                .filter((s) => /\bnpm (ci|install|i)\b/.test(s.run ?? "") && !/--ignore-scripts/.test(s.run ?? ""))
                .map((s) => `job ${id}: \`${s.run}\` runs install scripts with credentials in reach`),
        );
}

/** The pack that judges the preview is the base branch's, checked out and installed on its own. */
export function basePolicyPack(job: Job): string[] {
    const pulumi = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.["command"] === "preview");
    const packs = String(pulumi?.with?.["policyPacks"] ?? "");
    const base = job.steps.find(
        (s) => s.uses?.startsWith("actions/checkout@") && /base_ref|base\.sha|base\.ref/.test(String(s.with?.["ref"])),
    );
    const basePath = String(base?.with?.["path"] ?? "");
    if (!base || !basePath) return ["no checkout of the base branch into a path of its own"];
    const problems: string[] = [];
    if (!packs.startsWith(`\${{ github.workspace }}/${basePath}/`))
        problems.push(`policyPacks ${JSON.stringify(packs)} is not the base checkout's (${basePath}/)`);
    const prPath = String(
        job.steps.find((s) => s.uses?.startsWith("actions/checkout@") && s !== base)?.with?.["path"] ?? "",
    );
    // Folders, not strings: `prbase` is not inside `pr`.
    const inside = (dir: string, tree: string) => dir === tree || dir.startsWith(`${tree}/`);
    if (!prPath || inside(basePath, prPath)) problems.push("the base checkout lies inside the pull request's tree");
    const installed = job.steps.some(
        (s) => s["working-directory"] === basePath && /^npm ci --ignore-scripts$/.test((s.run ?? "").trim()),
    );
    if (!installed) problems.push(`the base pack is not installed on its own in ${basePath} (npm ci --ignore-scripts)`);
    return problems;
}

/** Every action SHA-pinned with its release in a comment, on a Node runtime GitHub still supports. */
export function supportedPinnedActions(text: string): string[] {
    return pins(text).flatMap((p) => {
        const problems: string[] = [];
        if (!p.sha) problems.push(`${p.line}: not pinned to a full commit SHA`);
        const runtime = p.major === undefined ? undefined : RUNTIMES[p.action]?.[p.major];
        if (!runtime)
            problems.push(`${p.line}: no known runtime for this release (add it to RUNTIMES from its action.yml)`);
        else if (!SUPPORTED_RUNTIMES.includes(runtime))
            problems.push(`${p.line}: runs on ${runtime}, which GitHub retires`);
        return problems;
    });
}

/*
 * Issue #20, section 3: pull-request code must not hold the deploy secrets. GitHub's own mechanisms carry it: the
 * credentialed job runs in an Environment whose required reviewers approve each run, the AWS role and Pulumi Cloud
 * trust only that environment's OIDC `sub`, and no long-lived secret exists for the pull request's code to read.
 */

/** The events whose jobs run code a pull request brings. */
const PR_EVENTS = ["pull_request", "pull_request_target"];
const runsPullRequestCode = (wf: Workflow) => Object.keys(wf.on ?? {}).some((e) => PR_EVENTS.includes(e));
const environmentOf = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

/**
 * On pull requests, every job that holds credentials names the environment whose reviewers gate it. Without it the
 * job's OIDC `sub` is `repo:OWNER/REPO:pull_request` and it starts at once, with whatever the pull request wrote.
 */
export function credentialedJobsGated(wf: Workflow, environment: string): string[] {
    if (!runsPullRequestCode(wf)) return [];
    return Object.entries(wf.jobs)
        .filter(([, job]) => holdsCredentials(job) && environmentOf(job) !== environment)
        .map(
            ([id, job]) =>
                `job ${id}: holds credentials on pull requests ${
                    environmentOf(job) ? `in environment ${environmentOf(job)}` : "outside any environment"
                }, not in ${environment} (whose required reviewers approve each run)`,
        );
}

/**
 * `pull_request_target` and `workflow_run` run with the base repository's secrets and a write token on an event a
 * pull request (a fork's included) sets off: the classic way a pull request's code reaches secrets.
 */
export function noPrivilegedPullRequestEvents(wf: Workflow): string[] {
    return ["pull_request_target", "workflow_run"]
        .filter((e) => e in (wf.on ?? {}))
        .map((e) => `runs on ${e}, which hands the base repository's secrets to an event a pull request sets off`);
}

/** The long-lived secrets the OIDC exchanges replace: a Pulumi access token, a passphrase for the state's secrets. */
const LONG_LIVED = /\$\{\{[^}]*secrets\.(PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE)\b/g;

/**
 * No job that can mint an OIDC token reads a repository secret, and no job reads a long-lived Pulumi secret at all:
 * the program it runs could read either from its environment and keep it. Short-lived tokens come from the OIDC
 * exchanges (AWS: configure-aws-credentials; Pulumi Cloud: pulumi/auth-actions).
 */
export function noLongLivedSecrets(wf: Workflow): string[] {
    return Object.entries(wf.jobs).flatMap(([id, job]) => {
        const named = [...JSON.stringify(job).matchAll(LONG_LIVED)].map((m) => m[1]!);
        const problems = [...new Set(named)].map((n) => `job ${id}: reads the long-lived secret ${n}`);
        if (holdsCredentials(job) && job.permissions?.["id-token"] === "write" && mentions(job) && named.length === 0)
            problems.push(`job ${id}: reads a repository secret beside its OIDC token`);
        return problems;
    });
}

type TrustStatement = {
    Effect?: string;
    Principal?: { Federated?: string };
    Action?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
};
const GITHUB = "token.actions.githubusercontent.com";

/**
 * A GitHub OIDC trust policy admits exactly one `sub`, the one given, with `aud` sts.amazonaws.com: compared with
 * StringEquals (a StringLike, a wildcard or a list widens it), never a pull request's `sub` (any branch pusher's PR
 * gets it without review), and no other statement beside it.
 */
export function trustProblems(doc: { Statement: readonly unknown[] }, sub: string): string[] {
    const statements = doc.Statement as TrustStatement[];
    const problems: string[] = [];
    if (statements.length !== 1) problems.push(`${statements.length} statements, not one`);
    for (const [i, s] of statements.entries()) {
        const at = `statement ${i}`;
        if (s.Effect !== "Allow" || !s.Principal?.Federated?.endsWith(`:oidc-provider/${GITHUB}`))
            problems.push(`${at}: not an Allow for GitHub's OIDC provider`);
        if ([s.Action].flat().join() !== "sts:AssumeRoleWithWebIdentity")
            problems.push(`${at}: actions ${JSON.stringify(s.Action)}`);
        const operators = Object.keys(s.Condition ?? {});
        for (const op of operators.filter((o) => o !== "StringEquals"))
            if (JSON.stringify(s.Condition![op]).includes(`${GITHUB}:`))
                problems.push(`${at}: ${op} on GitHub's claims (only StringEquals admits one exact value)`);
        const equals = s.Condition?.["StringEquals"] ?? {};
        const subs = [equals[`${GITHUB}:sub`] ?? []].flat();
        const aud = [equals[`${GITHUB}:aud`] ?? []].flat();
        if (JSON.stringify(aud) !== JSON.stringify(["sts.amazonaws.com"]))
            problems.push(`${at}: aud ${JSON.stringify(aud)}`);
        for (const v of subs) {
            if (/[*?]/.test(v)) problems.push(`${at}: sub ${v} has a wildcard`);
            if (/:pull_request$/.test(v)) problems.push(`${at}: sub ${v} admits any pull request without review`);
        }
        if (JSON.stringify(subs) !== JSON.stringify([sub]))
            problems.push(`${at}: sub ${JSON.stringify(subs)}, not ${sub}`);
    }
    return problems;
}
