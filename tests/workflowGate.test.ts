import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { lintWorkflow } from "../dev/lintWorkflows";
import {
    credentialedJobsGated,
    noLongLivedSecrets,
    noPrivilegedPullRequestEvents,
    supportedPinnedActions,
    trustProblems,
    type Workflow,
} from "./workflowRules";

/**
 * Issue #20, section 3: the pull request's code must not hold the deploy secrets. The attacks a branch pusher has
 * (edit ci.yml in the pull request, read the environment from index.ts) are written as broken copies of today's
 * files, refused by the same workflow checks (tests/workflowRules.ts, actionlint through lint-workflows); the files
 * as they were before the issue (tests/fixtures/*-before-issue-20.*) fail each rule too.
 */

const ROOT = path.resolve(__dirname, "..");
const read = (...p: string[]) => fs.readFileSync(path.join(ROOT, ...p), "utf8");
const CI = read(".github", "workflows", "ci.yml");
const DRIFT = read(".github", "workflows", "drift.yml");
const PREVIEW_TRUST = read("ci", "aws", "preview-trust.json");
const DRIFT_TRUST = read("ci", "aws", "drift-trust.json");
const BEFORE = {
    ci: read("tests", "fixtures", "ci-before-issue-20.yml"),
    drift: read("tests", "fixtures", "drift-before-issue-20.yml"),
    trust: read("tests", "fixtures", "preview-trust-before-issue-20.json"),
};

const PREVIEW_SUB = "repo:OWNER/REPO:environment:preview";
const DRIFT_SUB = "repo:OWNER/REPO:ref:refs/heads/main";
/** Every rule of the section, over one workflow's text; empty when all hold. */
const workflowProblems = (text: string) => {
    const wf = parse(text) as Workflow;
    return [
        ...credentialedJobsGated(wf, "preview"),
        ...noLongLivedSecrets(wf),
        ...noPrivilegedPullRequestEvents(wf),
        ...supportedPinnedActions(text),
    ];
};
const previewTrust = (text: string) => trustProblems(JSON.parse(text) as { Statement: unknown[] }, PREVIEW_SUB);

describe("pull-request code holds no deploy secret (issue #20, section 3)", () => {
    it("today's ci.yml, drift.yml and trust policies pass every rule", async () => {
        assert.deepEqual(workflowProblems(CI), []);
        assert.deepEqual(workflowProblems(DRIFT), []);
        assert.deepEqual(previewTrust(PREVIEW_TRUST), []);
        assert.deepEqual(trustProblems(JSON.parse(DRIFT_TRUST) as { Statement: unknown[] }, DRIFT_SUB), []);
        assert.deepEqual(await lintWorkflow(CI, "ci.yml"), []);
    });

    it("the files before the issue are refused: no environment, long-lived secrets, a pull_request sub", () => {
        assert.deepEqual(workflowProblems(BEFORE.ci), [
            "job preview: holds credentials on pull requests outside any environment, not in preview (whose required reviewers approve each run)",
            "job preview: reads the long-lived secret PULUMI_ACCESS_TOKEN",
            "job preview: reads the long-lived secret PULUMI_CONFIG_PASSPHRASE",
        ]);
        assert.deepEqual(workflowProblems(BEFORE.drift), [
            "job check: reads the long-lived secret PULUMI_ACCESS_TOKEN",
            "job check: reads the long-lived secret PULUMI_CONFIG_PASSPHRASE",
        ]);
        assert.deepEqual(previewTrust(BEFORE.trust), [
            "statement 0: sub repo:OWNER/REPO:pull_request admits any pull request without review",
            `statement 0: sub ["repo:OWNER/REPO:pull_request"], not ${PREVIEW_SUB}`,
        ]);
    });

    describe("a pull request's edit of ci.yml is refused", () => {
        for (const [what, from, to, fault] of [
            [
                "the credentialed job without an environment",
                "    environment: preview\n",
                "",
                /outside any environment/,
            ],
            [
                "the credentialed job in an environment without reviewers",
                "environment: preview",
                "environment: scratch",
                /in environment scratch, not in preview/,
            ],
            [
                "a long-lived Pulumi access token in the credentialed job",
                "          cloud-url: ${{ vars.PULUMI_BACKEND_URL }}\n",
                "          cloud-url: ${{ vars.PULUMI_BACKEND_URL }}\n        env:\n          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n",
                /reads the long-lived secret PULUMI_ACCESS_TOKEN/,
            ],
            [
                "a passphrase for the state's secrets",
                "          cloud-url: ${{ vars.PULUMI_BACKEND_URL }}\n",
                "          cloud-url: ${{ vars.PULUMI_BACKEND_URL }}\n        env:\n          PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}\n",
                /reads the long-lived secret PULUMI_CONFIG_PASSPHRASE/,
            ],
            [
                "any other repository secret beside the OIDC token",
                "          AWS_ROLE_ARN: ${{ vars.AWS_ROLE_ARN }}\n",
                "          AWS_ROLE_ARN: ${{ vars.AWS_ROLE_ARN }}\n          KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n",
                /reads a repository secret beside its OIDC token/,
            ],
            [
                "pull_request_target, which runs with the base's secrets",
                "on:\n  pull_request:\n",
                "on:\n  pull_request_target:\n",
                /runs on pull_request_target/,
            ],
            [
                "the Pulumi Cloud exchange pinned to a tag",
                "pulumi/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2 # v2.1.0",
                "pulumi/auth-actions@v2 # v2.1.0",
                /not pinned to a full commit SHA/,
            ],
        ] as const) {
            it(what, () => {
                assert.ok(CI.includes(from), `ci.yml no longer contains ${from}`);
                const problems = workflowProblems(CI.replace(from, to));
                assert.ok(
                    problems.some((p) => fault.test(p)),
                    problems.join("\n") || "no problem found",
                );
            });
        }
    });

    describe("a trust policy that admits more than the preview environment is refused", () => {
        const sub = `"token.actions.githubusercontent.com:sub": "${PREVIEW_SUB}"`;
        for (const [what, from, to, fault] of [
            ["any pull request's sub", sub, sub.replace("environment:preview", "pull_request"), /without review/],
            ["a wildcard sub", sub, sub.replace("environment:preview", "*"), /has a wildcard/],
            ["a StringLike condition", '"StringEquals"', '"StringLike"', /StringLike on GitHub's claims/],
            [
                "another environment",
                sub,
                sub.replace("environment:preview", "environment:scratch"),
                /not repo:OWNER\/REPO:environment:preview/,
            ],
            [
                "a second sub beside it",
                sub,
                sub.replace(`"${PREVIEW_SUB}"`, `["${PREVIEW_SUB}", "repo:OWNER/REPO:ref:refs/heads/dev"]`),
                /not repo:OWNER\/REPO:environment:preview/,
            ],
            ["no audience", '"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",\n', "", /aud \[\]/],
        ] as const) {
            it(what, () => {
                assert.ok(PREVIEW_TRUST.includes(from), `preview-trust.json no longer contains ${from}`);
                const problems = previewTrust(PREVIEW_TRUST.replace(from, to));
                assert.ok(
                    problems.some((p) => fault.test(p)),
                    problems.join("\n") || "no problem found",
                );
            });
        }
    });

    it("exchanges this run's OIDC token for a Pulumi Cloud team token before each pulumi step", () => {
        for (const [text, job, team] of [
            [CI, "preview", "PULUMI_PREVIEW_TEAM"],
            [DRIFT, "check", "PULUMI_DRIFT_TEAM"],
        ] as const) {
            const steps = (parse(text) as Workflow).jobs[job]!.steps;
            const auth = steps.findIndex((s) => s.uses?.startsWith("pulumi/auth-actions@"));
            const first = steps.findIndex(
                (s) =>
                    (s.uses?.startsWith("pulumi/actions@") && s.with?.["command"]) || /^\s*pulumi /m.test(s.run ?? ""),
            );
            assert.ok(auth >= 0 && auth < first, `${job}: no exchange before the first pulumi step`);
            assert.deepEqual(steps[auth]!.with, {
                organization: "${{ vars.PULUMI_ORGANIZATION }}",
                "requested-token-type": "urn:pulumi:token-type:access_token:team",
                scope: `team:\${{ vars.${team} }}`,
                "token-expiration": job === "preview" ? 1800 : 2700,
            });
            assert.equal(steps[auth]!.if, "vars.PULUMI_BACKEND_URL == ''");
        }
    });
});
