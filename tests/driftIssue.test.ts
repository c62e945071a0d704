import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { Workflow } from "./workflowRules";

/**
 * The drift workflow's github-script, run as actions/github-script runs it (src/async-function.ts,
 * callAsyncFunction: an AsyncFunction over `github`, `context`, `core`, …) against a stand-in for the REST calls it
 * makes (octokit's issues.listForRepo, create, createComment, update; paginate returns every page's items).
 */
const wf = parse(
    fs.readFileSync(path.resolve(__dirname, "..", ".github", "workflows", "drift.yml"), "utf8"),
) as Workflow;
const SCRIPT = String(wf.jobs["issue"]!.steps[0]!.with?.["script"]);
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
    ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

type Issue = { number: number; pull_request?: object };
type Call = [string, Record<string, unknown>];

async function runScript(env: Record<string, string>, open: Issue[]): Promise<Call[]> {
    const calls: Call[] = [];
    const record = (name: string) => async (params: Record<string, unknown>) => {
        calls.push([name, params]);
        return { data: { number: 99 } };
    };
    const listForRepo = async () => ({ data: open });
    const github = {
        paginate: async (fn: unknown, params: Record<string, unknown>) => {
            assert.equal(fn, listForRepo);
            calls.push(["list", params]);
            return open;
        },
        rest: {
            issues: {
                listForRepo,
                create: record("create"),
                createComment: record("comment"),
                update: record("update"),
            },
        },
    };
    const context = { repo: { owner: "acme", repo: "k3s-admin-mfa" }, serverUrl: "https://github.com", runId: 7 };
    const core = { info: () => undefined };
    await new AsyncFunction("github", "context", "core", "process", SCRIPT)(github, context, core, {
        env: { STACK: "dev", ...env },
    });
    return calls;
}

const FAILED = {
    RESULT: "failed",
    PREVIEW: "~ aws:iam/userPolicy:UserPolicy update [diff: ~policy]",
    CHECK: "check-enforcement: MustBeSignedInWithMFA … allowed",
};

describe("nightly drift workflow: the tracking issue", () => {
    it("looks only at open issues labelled drift", async () => {
        const [list] = await runScript({ RESULT: "clean" }, []);
        assert.deepEqual(list, [
            "list",
            { owner: "acme", repo: "k3s-admin-mfa", labels: "drift", state: "open", per_page: 100 },
        ]);
    });

    it("opens one issue labelled drift with the preview diff and the check's lines", async () => {
        const calls = await runScript(FAILED, []);
        assert.deepEqual(
            calls.map(([n]) => n),
            ["list", "create"],
        );
        const created = calls[1]![1];
        assert.deepEqual(created["labels"], ["drift"]);
        assert.match(String(created["body"]), /```text\n~ aws:iam\/userPolicy:UserPolicy update/);
        assert.match(String(created["body"]), /MustBeSignedInWithMFA … allowed/);
        assert.match(String(created["body"]), /actions\/runs\/7/);
    });

    it("comments on the open issue instead of opening a second, ignoring pull requests", async () => {
        const calls = await runScript(FAILED, [{ number: 3, pull_request: {} }, { number: 12 }, { number: 15 }]);
        assert.deepEqual(
            calls.map(([n, p]) => [n, p["issue_number"]]),
            [
                ["list", undefined],
                ["comment", 12],
            ],
        );
    });

    it("says it is fixed and closes the issue on the first clean run after a failure", async () => {
        const calls = await runScript({ RESULT: "clean" }, [{ number: 12 }]);
        assert.deepEqual(
            calls.map(([n]) => n),
            ["list", "comment", "update"],
        );
        assert.match(String(calls[1]![1]["body"]), /^Fixed:/);
        assert.deepEqual(calls[2]![1], {
            owner: "acme",
            repo: "k3s-admin-mfa",
            issue_number: 12,
            state: "closed",
            state_reason: "completed",
        });
    });

    it("does nothing on a clean run with no open issue", async () => {
        assert.deepEqual(
            (await runScript({ RESULT: "clean" }, [])).map(([n]) => n),
            ["list"],
        );
    });

    it("treats a check job that never recorded a result as a failure", async () => {
        const calls = await runScript({ RESULT: "" }, []);
        assert.match(String(calls[1]![1]["body"]), /\(no output: see the run's log\)/);
    });

    it("keeps a log's own backticks inside the fence", async () => {
        const calls = await runScript({ ...FAILED, PREVIEW: "a ```` b" }, []);
        assert.match(String(calls[1]![1]["body"]), /`````text\na ```` b\n`````/);
    });
});
