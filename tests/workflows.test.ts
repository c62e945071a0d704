import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { lintWorkflow, lintWorkflowFiles } from "../scripts/lint-workflows";

const DIR = path.resolve(__dirname, "..", ".github", "workflows");
const FILE = path.join(DIR, "ci.yml");
const TEXT = fs.readFileSync(FILE, "utf8");

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; if?: string };
type Job = {
    needs?: string;
    if?: string;
    permissions?: Record<string, string>;
    steps: Step[];
    env?: Record<string, string>;
};
const workflow = parse(TEXT) as {
    on: { pull_request: unknown; push: { branches: string[] } };
    permissions: Record<string, string>;
    concurrency: { group: string };
    jobs: Record<string, Job>;
};

describe("GitHub Actions workflow", () => {
    it("passes actionlint and the pin rule", async () => {
        const { files, findings } = await lintWorkflowFiles(DIR);
        assert.deepEqual(files, ["ci.yml"]);
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
                "uses: aws-actions/configure-aws-credentials@v5",
                "uses: aws-actions/configure-aws-credentials",
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

    it("tests on pull requests and pushes to main: Node 22, npm ci, lint, test", () => {
        assert.ok("pull_request" in workflow.on);
        assert.deepEqual(workflow.on.push.branches, ["main"]);
        const steps = workflow.jobs["test"]!.steps;
        assert.equal(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"], 22);
        assert.deepEqual(
            steps.filter((s) => s.run).map((s) => s.run),
            ["npm ci", "npm run lint", "npm test"],
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
        assert.match(workflow.concurrency.group, /github\.event\.pull_request\.number/);
    });

    it("previews same-repository pull requests after the tests, with OIDC credentials and the policy pack", () => {
        const preview = workflow.jobs["preview"]!;
        assert.equal(preview.needs, "test");
        assert.match(preview.if ?? "", /head\.repo\.full_name == github\.repository/);
        const aws = preview.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
        assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        assert.ok(!("aws-access-key-id" in (aws.with ?? {})), "no long-lived keys");
        const pulumi = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        assert.equal(pulumi.uses, "pulumi/actions@v7");
        assert.deepEqual(
            {
                command: pulumi.with?.["command"],
                comment: pulumi.with?.["comment-on-pr"],
                packs: pulumi.with?.["policyPacks"],
            },
            { command: "preview", comment: true, packs: "policy" },
        );
        assert.equal(preview.env?.["PULUMI_STACK"], "${{ vars.PULUMI_STACK || 'dev' }}");
        assert.equal(preview.env?.["PULUMI_ACCESS_TOKEN"], "${{ secrets.PULUMI_ACCESS_TOKEN }}");
        assert.equal(pulumi.with?.["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}");
        const report = preview.steps.find((s) => s.run?.includes("npm run -s plan"))!;
        assert.match(report.run!, /--format markdown >> "\$GITHUB_STEP_SUMMARY"/);
    });

    it("explains, instead of failing, when a pull request comes from a fork", () => {
        const skipped = workflow.jobs["preview-skipped"]!;
        assert.match(skipped.if ?? "", /head\.repo\.full_name != github\.repository/);
        assert.match(skipped.steps[0]!.run ?? "", /::notice title=Preview skipped::.*fork/);
    });
});
