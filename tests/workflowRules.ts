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
