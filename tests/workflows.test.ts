import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { main as plan } from "../analysis/plan";
import { lintWorkflow, lintWorkflowFiles } from "../dev/lintWorkflows";
import {
    basePolicyPack,
    installScriptsOff,
    secretsScoped,
    supportedPinnedActions,
    type Workflow,
} from "./workflowRules";

const DIR = path.resolve(__dirname, "..", ".github", "workflows");
const FILE = path.join(DIR, "ci.yml");
const TEXT = fs.readFileSync(FILE, "utf8");
/** ci.yml as it was before issue #13: each hardening rule must refuse it. */
const BEFORE = fs.readFileSync(path.join(__dirname, "fixtures", "ci-before-issue-13.yml"), "utf8");

const workflow = parse(TEXT) as Workflow & { on: { push: { branches: string[] } } };

describe("GitHub Actions workflow", () => {
    it("passes actionlint and the pin rule", async () => {
        const { files, findings } = await lintWorkflowFiles(DIR);
        assert.deepEqual(files.sort(), ["ci.yml", "drift.yml"]);
        assert.deepEqual(findings, []);
    });

    describe("a deliberately broken copy fails the check", () => {
        for (const [what, from, to, kind] of [
            ["a job that needs a job that does not exist", "needs: test", "needs: tests", /needs|job/],
            [
                "a misspelled key",
                "runs-on: ubuntu-latest\n    timeout-minutes: 15",
                "run-on: ubuntu-latest\n    timeout-minutes: 15",
                /syntax/,
            ],
            ["a broken expression", "${{ vars.PULUMI_STACK || 'dev' }}", "${{ vars.PULUMI_STACK || }}", /expression/],
            [
                "an action without a version",
                "uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
                "uses: aws-actions/configure-aws-credentials",
                /pin/,
            ],
            [
                "an action pinned to a tag, which can be moved, not to a commit",
                "uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
                "uses: aws-actions/configure-aws-credentials@v6.2.3",
                /pin/,
            ],
            [
                "a quoted action pinned to a tag",
                "uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
                'uses: "aws-actions/configure-aws-credentials@v6"',
                /pin/,
            ],
        ] as const) {
            it(what, async () => {
                assert.ok(TEXT.includes(from), `the workflow no longer contains ${from}`);
                const findings = await lintWorkflow(TEXT.replace(from, to), "broken.yml");
                assert.ok(findings.length > 0, "no finding");
                assert.ok(
                    findings.some((f) => kind.test(f.kind)),
                    findings.map((f) => `${f.kind}: ${f.message}`).join("\n"),
                );
            });
        }
    });

    it("tests on pull requests and pushes to main: Node 22, npm ci without install scripts, lint, test, tsc 5.9", () => {
        assert.ok("pull_request" in workflow.on);
        assert.deepEqual(workflow.on.push.branches, ["main"]);
        const steps = workflow.jobs["test"]!.steps;
        assert.equal(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"], 22);
        // Then, on pull requests, the offline access report (below).
        assert.deepEqual(
            steps.filter((s) => s.run && !s.if).map((s) => s.run),
            // npm test type-checks with TypeScript 7; typecheck is tsc 5.9, which `pulumi up` type-checks with.
            ["npm ci --ignore-scripts", "npm run lint", "npm test", "npm run typecheck"],
        );
    });

    it("grants least privilege: read-only by default, OIDC and PR comments only for the preview", () => {
        assert.deepEqual(workflow.permissions, { contents: "read" });
        assert.equal(workflow.jobs["test"]!.permissions, undefined);
        assert.deepEqual(workflow.jobs["preview"]!.permissions, {
            contents: "read",
            "id-token": "write",
            "pull-requests": "write",
        });
        assert.match(workflow.concurrency?.group ?? "", /github\.event\.pull_request\.number/);
    });

    it("previews same-repository pull requests after the tests, with OIDC credentials and the policy pack", () => {
        const preview = workflow.jobs["preview"]!;
        assert.equal(preview.needs, "test");
        assert.match(preview.if ?? "", /head\.repo\.full_name == github\.repository/);
        const aws = preview.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
        assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        assert.ok(!("aws-access-key-id" in (aws.with ?? {})), "no long-lived keys");
        const pulumi = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        assert.deepEqual(
            {
                command: pulumi.with?.["command"],
                comment: pulumi.with?.["comment-on-pr"],
                workDir: pulumi.with?.["work-dir"],
            },
            { command: "preview", comment: true, workDir: "pr" },
        );
        assert.equal(preview.env?.["PULUMI_STACK"], "${{ vars.PULUMI_STACK || 'dev' }}");
        assert.equal(pulumi.env, undefined, "no secret in pulumi's environment: the OIDC exchanges mint its tokens");
        assert.equal(pulumi.with?.["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}");
        // The offline report runs the pull request's code: in the test job, which holds no credentials.
        const report = workflow.jobs["test"]!.steps.find((s) => s.run?.includes("npm run -s plan"))!;
        assert.match(report.run!, /--format markdown >> "\$GITHUB_STEP_SUMMARY"/);
        assert.equal(report.if, "github.event_name == 'pull_request'");
        assert.equal(report.env?.["PULUMI_STACK"], preview.env?.["PULUMI_STACK"]);
    });

    describe("hardened for a public repository (issue #13): today's workflow passes, the one before is refused", () => {
        const before = parse(BEFORE) as Workflow;
        const rules: [string, (wf: Workflow, text: string) => string[]][] = [
            ["Pulumi's secrets reach only the step that runs pulumi, never npm", (wf) => secretsScoped(wf)],
            ["every job that holds credentials installs with --ignore-scripts", (wf) => installScriptsOff(wf)],
            ["the base branch's policy pack judges the pull request", (wf) => basePolicyPack(wf.jobs["preview"]!)],
            [
                "every action is SHA-pinned and runs on a supported Node runtime",
                (_wf, text) => supportedPinnedActions(text),
            ],
        ];
        for (const [what, rule] of rules) {
            it(what, () => {
                assert.deepEqual(rule(workflow, TEXT), []);
                assert.ok(rule(before, BEFORE).length > 0, "the workflow before issue #13 passes this rule");
            });
        }

        it("reads no secret in the preview job: its tokens come from the OIDC exchanges (issue #20)", () => {
            const steps = workflow.jobs["preview"]!.steps.filter((s) => /secrets\./.test(JSON.stringify(s)));
            assert.deepEqual(steps, []);
        });

        it("runs none of the pull request's code in the credentialed job but the preview itself", () => {
            const steps = workflow.jobs["preview"]!.steps;
            assert.ok(steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")));
            // Installs without scripts run no package code; anything else the pull request's npm could run would
            // come before Pulumi, able to rewrite the base pack that judges it.
            const npm = steps.filter((s) => /^\s*npm\s/m.test(s.run ?? ""));
            assert.deepEqual(
                npm.map((s) => s.run!.trim()),
                ["npm ci --ignore-scripts", "npm ci --ignore-scripts"],
            );
        });

        // The report step passes the stack as pulumi/actions' stack-name takes it; the offline report must too.
        const report = workflow.jobs["test"]!.steps.find((s) => s.run?.includes("npm run -s plan"))!;
        const argv = (stack: string) =>
            report
                .run!.replace(/^.*npm run -s plan -- /, "")
                .replace(/\s*>>.*$/, "")
                .replace('"$PULUMI_STACK"', stack)
                .split(/\s+/);
        for (const stack of ["dev", "acme/dev", "acme/k3s-admin-mfa/dev"]) {
            it(`the report step reads Pulumi.dev.yaml for stack-name ${stack}`, async () => {
                assert.deepEqual(argv(stack), ["--stack", stack, "--format", "markdown"]);
                const err: string[] = [];
                let out = "";
                const code = await plan(
                    argv(stack),
                    { out: (t) => (out += t), err: (l) => err.push(l) },
                    path.join(__dirname, "fixtures"),
                );
                assert.equal(code, 0, err.join("\n"));
                assert.match(out, /k3s-admin/);
            }).timeout(60_000);
        }
        for (const [stack, message] of [
            ["acme/other-project/dev", /names project other-project, but this is project k3s-admin-mfa/],
            ["a/b/c/dev", /--stack must be a stack name such as dev, org\/dev or org\/project\/dev/],
        ] as const) {
            it(`the report refuses --stack ${stack} with one line and exit 2`, async () => {
                const err: string[] = [];
                const code = await plan(
                    argv(stack),
                    { out: () => undefined, err: (l) => err.push(l) },
                    path.join(__dirname, "fixtures"),
                );
                assert.equal(code, 2);
                assert.match(err.join("\n"), message);
            });
        }
    });

    it("explains, instead of failing, when a pull request comes from a fork", () => {
        const skipped = workflow.jobs["preview-skipped"]!;
        assert.match(skipped.if ?? "", /head\.repo\.full_name != github\.repository/);
        assert.match(skipped.steps[0]!.run ?? "", /::notice title=Preview skipped::.*fork/);
    });
});
