import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { declaredAccess } from "../analysis/declared";
import { accessMatrix, isViolation, withDocuments } from "../analysis/matrix";
import { buildReport, exitStatus, main } from "../analysis/plan";
import { render, type Report } from "../analysis/report";
import { readStackFile, SECRET } from "../analysis/stackFile";
import { runProgram } from "./mocks";

async function plan(...argv: string[]): Promise<{ code: number; out: string; err: string[] }> {
    let out = "";
    const err: string[] = [];
    const code = await main(argv, { out: (t) => (out += t), err: (l) => err.push(l) });
    return { code, out, err };
}

function tempProject(stackYaml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-plan-"));
    fs.writeFileSync(path.join(dir, "Pulumi.test.yaml"), stackYaml);
    return dir;
}

describe("npm run plan (offline access report)", () => {
    it("prints the resources, the exact policy documents and the access matrix for the dev stack", async () => {
        const { code, out } = await plan("--stack", "dev");
        assert.equal(code, 0);
        assert.match(out, /^k3s-admin-mfa offline plan: stack dev, region us-east-1/);
        assert.match(out, /Resources that would be created \(11\)/);
        assert.match(out, /aws:iam\/user:User\s+k3s-admin-user\s+k3s-admin-mfa:iam:AdminUser k3s-admin/);
        assert.match(out, /inline policy k3s-admin-ui-cli-with-mfa on user k3s-admin\n {4}\{/);
        assert.match(out, /"BoolIfExists": \{\n\s+"aws:MultiFactorAuthPresent": "false"/);
        assert.match(
            out,
            /ec2:RunInstances\s+DENY \(MustBeSignedInWithMFA\)\s+DENY \(MustBeSignedInWithMFA\)\s+ALLOW \(AdministratorAccess\)/,
        );
        assert.match(out, /k3s-admin, MFA 3601 s old \(above limit\)\s+DENY \(no trust statement matches\)/);
        assert.match(out, /! sts:GetCallerIdentity cannot be denied/);
        assert.match(out, /\nOK: 0 of 22 requests that must be denied are allowed$/);
    });

    it("renders markdown tables for pull-request comments", async () => {
        const { code, out } = await plan("--format", "markdown");
        assert.equal(code, 0);
        assert.match(out, /^## k3s-admin-mfa offline plan: stack `dev`/);
        assert.match(
            out,
            /\n\| action \| long-term keys \(no MFA key\) \| MultiFactorAuthPresent=false \| MFA session \(60 s old\) \|\n\| --- \|/,
        );
        assert.match(out, /\| ec2:RunInstances \| DENY \(MustBeSignedInWithMFA\) \|/);
        assert.match(out, /```json\n\{/);
    });

    it("emits the whole report as JSON", async () => {
        const { code, out } = await plan("--format", "json");
        assert.equal(code, 0);
        const report = JSON.parse(out) as Report;
        assert.equal(report.violations, 0);
        assert.equal(report.policies.length, 3);
        assert.ok(report.matrix.some((c) => c.action === "ec2:RunInstances" && c.decision === "DENY"));
        assert.deepEqual(
            report.resources.find((r) => r.type === "aws:iam/role:Role"),
            { type: "aws:iam/role:Role", name: "k3s-admin-role", parent: "k3s-admin-mfa:iam:MfaRole k3s-admin" },
        );
    });

    it("takes settings like pulumi preview --config, and warns only about weaknesses that apply", async () => {
        const { code, out } = await plan("--config", "hardened=true", "-c", "createTestInstance=false");
        assert.equal(code, 0);
        assert.match(out, /Resources that would be created \(8\)/);
        assert.match(out, /iam:EnableMFADevice\s+DENY \(MustBeSignedInWithMFA\)/);
        assert.doesNotMatch(out, /! the MFA Deny exempts iam:DeleteVirtualMFADevice/);
    });

    it("exits 1 and flags the cell when a request that must be denied is allowed", async () => {
        const report = await buildReport("dev", {});
        const broken = withDocuments(declaredAccess(await runProgram(), "us-east-1"), {
            userPolicy: (d) => {
                d.Statement[0]!.Condition = { Bool: { "aws:MultiFactorAuthPresent": "false" } };
                return d;
            },
        });
        const matrix = await accessMatrix(broken, { hardened: false, roleTrust: "user", mfaMaxAgeSeconds: 3600 });
        const failing: Report = { ...report, matrix, violations: matrix.filter(isViolation).length };
        assert.equal(exitStatus(report), 0);
        assert.equal(exitStatus(failing), 1);
        const text = render(failing, "text");
        assert.match(text, /ec2:RunInstances\s+ALLOW \(AdministratorAccess\) !! MUST BE DENIED/);
        assert.match(text, /\nFAIL: 7 of 22 requests that must be denied are allowed$/);
    });

    describe("bad input: exit 2 with one line on stderr", () => {
        for (const [argv, message] of [
            [["--format", "html"], /^plan: --format must be one of text, markdown, json, got "html" \(see --help\)$/],
            [
                ["--stack", "prod"],
                /^plan: no stack file Pulumi\.prod\.yaml \(create it with `pulumi stack init prod`\)$/,
            ],
            [
                ["--config", "mfaMaxAgeSeconds=soon"],
                // What `pulumi preview --config mfaMaxAgeSeconds=soon` says: the CLI type-checks before the program.
                /^plan: Stack 'dev' with configuration key 'mfaMaxAgeSeconds' must be of type 'integer'$/,
            ],
            [["--config", "novalue"], /^plan: --config takes KEY=VALUE, got "novalue"/],
            [["--frobnicate"], /^plan: Unknown option '--frobnicate'/],
        ] as const) {
            it(`${argv.join(" ")}`, async () => {
                const r = await plan(...argv);
                assert.equal(r.code, 2);
                assert.equal(r.out, "");
                assert.equal(r.err.length, 1);
                assert.match(r.err[0]!, message);
            });
        }
    });

    it("prints --help", async () => {
        const r = await plan("--help");
        assert.equal(r.code, 0);
        assert.match(r.out, /^usage: npm run plan -- \[--stack NAME\]/);
    });

    it("shows encrypted stack values as [secret], in errors too", async () => {
        const dir = tempProject(
            "config:\n  aws:region: eu-west-1\n  k3s-admin-mfa:userName:\n    secure: AAABAKcipher\n",
        );
        assert.deepEqual(readStackFile(dir, "test"), {
            values: { "aws:region": "eu-west-1", "k3s-admin-mfa:userName": SECRET },
            secretKeys: ["k3s-admin-mfa:userName"],
        });
        await assert.rejects(
            buildReport("test", {}, dir),
            /^Error: config `userName` must be 1 to 64 .*, got \[secret\]$/,
        );
    });

    it("reads the region and typed values from the stack file", async () => {
        const dir = tempProject(
            "config:\n  aws:region: eu-west-1\n  k3s-admin-mfa:mfaMaxAgeSeconds: 900\n  k3s-admin-mfa:createTestInstance: false\n",
        );
        const report = await buildReport("test", {}, dir);
        assert.equal(report.region, "eu-west-1");
        assert.ok(report.matrix.some((c) => c.caller.includes("899 s old") && c.decision === "ALLOW"));
        assert.ok(!report.resources.some((r) => r.type.startsWith("aws:ec2/")));
    });
});
