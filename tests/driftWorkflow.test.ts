import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseFlags } from "../checks/command";
import { installScriptsOff, secretsScoped, supportedPinnedActions, type Workflow } from "./workflowRules";

const FILE = path.resolve(__dirname, "..", ".github", "workflows", "drift.yml");
const TEXT = fs.readFileSync(FILE, "utf8");

/** Everything issue #13 asks of the nightly drift workflow; empty when it holds. */
function driftProblems(text: string): string[] {
    const wf = parse(text) as Workflow;
    const p: string[] = [];
    const on = wf.on as { schedule?: { cron: string }[]; workflow_dispatch?: unknown };
    if (!on.schedule?.[0]?.cron) p.push("no schedule");
    if (!("workflow_dispatch" in wf.on)) p.push("no manual dispatch");
    if (Object.keys(wf.on).some((e) => e.startsWith("pull_request") || e === "push")) p.push("runs on PRs or pushes");
    if (JSON.stringify(wf.permissions) !== "{}") p.push("workflow-wide permissions");
    if (wf.concurrency?.group !== "drift" || wf.concurrency["cancel-in-progress"]) p.push("not one queued group");
    const check = wf.jobs["check"];
    const issue = wf.jobs["issue"];
    if (!check || !issue) return [...p, "needs a check job and an issue job"];
    if (check.if !== "github.ref == 'refs/heads/main'") p.push("check job not limited to the default branch");
    if (JSON.stringify(check.permissions) !== JSON.stringify({ contents: "read", "id-token": "write" }))
        p.push(`check job permissions ${JSON.stringify(check.permissions)}`);
    const aws = check.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    if (aws?.with?.["role-to-assume"] !== "${{ vars.AWS_DRIFT_ROLE_ARN }}") p.push("not the read-only drift role");
    if (aws && Object.keys(aws.with ?? {}).some((k) => k.startsWith("aws-secret"))) p.push("long-lived keys");
    const runs = check.steps.map((s) => s.run ?? "").join("\n");
    if (!/pulumi preview --refresh --expect-no-changes[^\n]*\\\n\s*--stack "\$PULUMI_STACK"/.test(runs))
        p.push("no `pulumi preview --refresh --expect-no-changes --stack`");
    if (!/npm run -s check-enforcement --/.test(runs)) p.push("no enforcement check");
    if (JSON.stringify(issue.permissions) !== JSON.stringify({ issues: "write" }))
        p.push(`issue job permissions ${JSON.stringify(issue.permissions)}`);
    if (!/always\(\)/.test(issue.if ?? "")) p.push("issue job skipped when the check fails");
    const script = String(issue.steps.find((s) => s.uses?.startsWith("actions/github-script@"))?.with?.["script"]);
    if (!/labels: label/.test(script) || !/const label = "drift"/.test(script)) p.push("no drift-labelled issue");
    if (/pull-requests|comment-on-pr/.test(text)) p.push("touches pull requests");
    return [...p, ...secretsScoped(wf), ...installScriptsOff(wf), ...supportedPinnedActions(text)];
}

describe("nightly drift workflow", () => {
    it("has the structure issue #13 asks for", () => {
        assert.deepEqual(driftProblems(TEXT), []);
    });

    describe("a deliberately broken copy is refused", () => {
        // Each broken copy must be refused for its own fault, and for nothing else.
        for (const [what, from, to, fault] of [
            ["no schedule", '  schedule:\n    - cron: "23 4 * * *"\n', "", /^no schedule$/],
            ["drift not an error", "--expect-no-changes", "", /^no `pulumi preview --refresh --expect-no-changes/],
            [
                "issues: write in the credentialed job",
                "      id-token: write\n",
                "      id-token: write\n      issues: write\n",
                /^check job permissions .*"issues":"write"/,
            ],
            [
                "the preview role instead of the read-only one",
                "vars.AWS_DRIFT_ROLE_ARN",
                "vars.AWS_ROLE_ARN",
                /^not the read-only drift role$/,
            ],
            ["install scripts enabled", "npm ci --ignore-scripts", "npm ci", /`npm ci` runs install scripts/],
            [
                "a secret for the whole job",
                "    env:\n      PULUMI_STACK:",
                "    env:\n      PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n      PULUMI_STACK:",
                /env holds a secret for every step/,
            ],
            [
                "a check failure skips the issue",
                "if: always() && needs.check.result",
                "if: needs.check.result",
                /^issue job skipped when the check fails$/,
            ],
            [
                // Pinned to a commit as the rule asks, so only the runtime can be what is refused.
                "a node20 action",
                "configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3",
                "configure-aws-credentials@0123456789abcdef0123456789abcdef01234567 # v5.1.1",
                /# v5\.1\.1: runs on node20, which GitHub retires$/,
            ],
        ] as const) {
            it(what, () => {
                assert.ok(TEXT.includes(from), `drift.yml no longer contains ${from}`);
                const problems = driftProblems(TEXT.replace(from, to));
                assert.equal(problems.length, 1, problems.join("\n"));
                assert.match(problems[0]!, fault);
            });
        }
    });

    it("passes the check-enforcement flags its parser accepts, from the stack's outputs", () => {
        const run = (parse(TEXT) as Workflow).jobs["check"]!.steps.find((s) => s.id === "check")!.run!;
        const outputs: Record<string, string> = {
            userArn: "arn:aws:iam::123456789012:user/k3s-admin",
            policyName: "k3s-admin-ui-cli-with-mfa",
            roleArn: "arn:aws:iam::123456789012:role/k3s-admin-mfa",
            mfaMaxAgeSeconds: "3600",
        };
        const fromOutputs = [...run.matchAll(/(--[\w-]+) "\$\(jq -r \.(\w+) "\$out"\)"/g)].map(([, flag, key]) => [
            flag!,
            outputs[key!]!,
        ]);
        assert.match(run, /--region "\$AWS_REGION"/);
        // One check per admin: the user ARNs come from the people output of a team, or userArn.
        assert.ok(run.includes(`jq -r 'if .people then [.people[].userArn] else [.userArn] end | .[]' "$out"`));
        assert.match(run, /for arn in \$arns; do[\s\S]*--user-arn "\$arn"[\s\S]*\|\| rc=1\s+done\s+exit "\$rc"/);
        // The nightly run fails while an admin has active keys and no MFA device (the enrolment window), not only
        // prints it: under `pulumi up` the same check only reports it.
        assert.match(run, /\n\s*--fail-on-enrolment-window \\\n/);
        // The same device count as the post-deploy check; a stack deployed before the output existed means 1.
        assert.ok(run.includes(`--max-mfa-devices "$(jq -r '.maxMfaDevices // 1' "$out")"`));
        const argv = [
            ["--user-arn", outputs["userArn"]!],
            ...fromOutputs,
            ["--max-mfa-devices", "2"],
            ["--fail-on-enrolment-window"],
            ["--region", "us-east-1"],
        ];
        const flags = parseFlags(argv.flat());
        assert.deepEqual(
            [flags.userArn, flags.policyName, flags.roleArn, flags.mfaMaxAgeSeconds, flags.region],
            [outputs["userArn"], outputs["policyName"], outputs["roleArn"], 3600, "us-east-1"],
        );
        assert.equal(flags.failOnEnrolmentWindow, true);
        assert.equal(flags.maxMfaDevices, 2);
    });
});
