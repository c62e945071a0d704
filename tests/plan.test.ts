import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { declaredAccess } from "../analysis/declared";
import { accessMatrix, isViolation, withDocuments } from "../analysis/matrix";
import { buildReport, exitStatus, main } from "../analysis/plan";
import { render, type Report } from "../analysis/report";
import { readStackFile, SECRET } from "../analysis/stackFile";
import { architecturesOf } from "./fakeAccount";
import { parseConfig } from "../config";
import { runProgram } from "./mocks";
import { takeStderr } from "./quiet";

/** A dev stack of our own: the tests pass whatever the person's Pulumi.dev.yaml holds, or without one. */
const FIXTURES = path.join(__dirname, "fixtures");

async function plan(...argv: string[]): Promise<{ code: number; out: string; err: string[] }> {
    let out = "";
    const err: string[] = [];
    const code = await main(argv, { out: (t) => (out += t), err: (l) => err.push(l) }, FIXTURES);
    return { code, out, err };
}

const tempDirs: string[] = [];

function tempProject(stackYaml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-plan-"));
    tempDirs.push(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.test.yaml"), stackYaml);
    return dir;
}

describe("npm run plan (offline access report)", () => {
    after(() => {
        for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });

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
        assert.match(
            out,
            /\n  \[exemptions on other users\]\n  iam:EnableMFADevice on another user\s+DENY \(OnlyOwnUserWithoutMFA\)/,
        );
        assert.match(out, /sts:AssumeRole on the role, no MFA code on the call\s+DENY \(MustBeSignedInWithMFA\)/);
        assert.match(out, /k3s-admin, MFA 3601 s old \(above limit\)\s+DENY \(MFASessionsExpire\)/);
        assert.match(
            out,
            /k3s-admin, long-term keys \+ MFA code \(AWS CLI role profile, MFA 0 s old\)\s+ALLOW \(AssumeOnlyWithRecentMFA\)/,
        );
        assert.match(out, /Sampled from AWS's service authorization reference: \d+ actions of \d+ services/);
        assert.match(out, /\n  long-term keys, eu-west-1\s+(\d+)\s+\1\s+0\s+0\s+none\n/);
        assert.match(out, /! sts:GetCallerIdentity cannot be denied/);
        // The count follows the sample of IAM's reference, which a data update may change: not pinned here.
        assert.match(out, /\nOK: 0 of \d+ requests that must be denied are allowed$/);
        // Readable: the sample is summarised per caller, not printed action by action.
        assert.ok(out.split("\n").length < 250, String(out.split("\n").length));
    });

    it("shows every admin of a team: resources, each person's inline policy, their requests, the role and session names", async () => {
        const { code, out } = await plan(
            "--config",
            'adminUserNames=["alice","bob","carol"]',
            "--config",
            "userName=alice",
        );
        assert.equal(code, 0);
        for (const name of ["alice", "bob", "carol"]) {
            assert.match(out, new RegExp(`aws:iam/user:User\\s+${name}-user\\s+k3s-admin-mfa:iam:AdminUser ${name}\n`));
            assert.match(out, new RegExp(`\n  inline policy k3s-admin-ui-cli-with-mfa on user ${name}\n {4}\\{`));
            assert.match(
                out,
                new RegExp(`\n  Requests signed by ${name}\n  request\\s+long-term keys\\s+GetSessionToken`),
            );
            assert.match(out, new RegExp(`\n  ${name}, MFA 60 s old\\s+ALLOW \\(AssumeOnlyWithRecentMFA\\)\n`));
            assert.match(
                out,
                new RegExp(
                    `\n  ${name}, MFA 60 s old\\s+sts:AssumeRole on the role as "${name}"\\s+ALLOW \\(AssumeOnlyWithRecentMFA\\)\n`,
                ),
            );
            assert.match(out, new RegExp(`\n  ${name}, long-term keys\\s+(\\d+)\\s+\\1\\s+0\\s+0\\s+none\n`));
        }
        assert.match(
            out,
            /\n  managed policy AdministratorAccess attached to users alice, bob, carol \(AWS's document\)\n/,
        );
        assert.match(
            out,
            /\n  alice, MFA 60 s old\s+sts:AssumeRole on the role as "bob"\s+DENY \(no trust statement matches\)\n/,
        );
        assert.doesNotMatch(out, /Requests signed by the admin user/);
        assert.match(out, /\nOK: 0 of \d+ requests that must be denied are allowed$/);
    });

    it("renders markdown tables for pull-request comments", async () => {
        const { code, out } = await plan("--format", "markdown");
        assert.equal(code, 0);
        assert.match(out, /^## k3s-admin-mfa offline plan: stack `dev`/);
        assert.match(
            out,
            /\n\| request \| long-term keys \| GetSessionToken without a code \| MFA session \(60 s old\) \| MFA session \(3599 s old\) \| MFA session \(3600 s old\) \|\n\| --- \|/,
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
        const matrix = await accessMatrix(broken, parseConfig({}));
        const failing: Report = { ...report, matrix, violations: matrix.filter(isViolation).length };
        assert.equal(exitStatus(report), 0);
        assert.equal(exitStatus(failing), 1);
        const text = render(failing, "text");
        assert.match(text, /ec2:RunInstances\s+ALLOW \(AdministratorAccess\) !! MUST BE DENIED/);
        // The sample's row names each violation: long-term keys (both regions) get everything the sample holds.
        assert.match(
            text,
            /\n  long-term keys\s+(\d+)\s+0\s+\1\s+0\s+ssm:StartSession ALLOW !!, .*ec2:RunInstances ALLOW !!, .*, and \d+ more \(--format json lists them\)\n/,
        );
        const mustDeny = matrix.filter((c) => c.mustDeny).length;
        assert.match(
            text,
            new RegExp(`\\nFAIL: ${failing.violations} of ${mustDeny} requests that must be denied are allowed$`),
        );
        assert.ok(failing.violations > 100, String(failing.violations));
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

    it("says which setting is encrypted and how to pass a stand-in, and ignores the provider's own secrets", async () => {
        const dir = tempProject(
            "config:\n  aws:region: eu-west-1\n  aws:secretKey:\n    secure: AAABAKkey\n" +
                "  k3s-admin-mfa:testInstanceSubnetId:\n    secure: AAABAKcipher\n",
        );
        assert.deepEqual(readStackFile(dir, "test").secretKeys, [
            "aws:secretKey",
            "k3s-admin-mfa:testInstanceSubnetId",
        ]);
        assert.equal(readStackFile(dir, "test").values["k3s-admin-mfa:testInstanceSubnetId"], SECRET);
        await assert.rejects(
            buildReport("test", {}, dir),
            new Error(
                "`k3s-admin-mfa:testInstanceSubnetId` is stored encrypted in Pulumi.test.yaml and the offline report " +
                    "cannot decrypt it: pass a stand-in, e.g. --config testInstanceSubnetId=VALUE",
            ),
        );
        const report = await buildReport(
            "test",
            { "k3s-admin-mfa:testInstanceSubnetId": "subnet-0a1b2c3d4e5f67890" },
            dir,
        );
        assert.equal(report.violations, 0);
    });

    for (const [setting, expect] of [
        ["testInstanceSubnetId=subnet-0a1b2c3d4e5f67890", /aws:ec2\/instance:Instance/],
        ["testInstanceSubnetId=subnet-0a1b2c3d", /aws:ec2\/instance:Instance/],
        ["testInstanceType=m7g.large", /aws:ec2\/instance:Instance/],
        ["testInstanceType=t4g.micro", /aws:ec2\/instance:Instance/],
        ["testInstanceType=t3.small", /aws:ec2\/instance:Instance/],
    ] as const) {
        it(`shows any well-formed setting without an account: ${setting}`, async () => {
            const r = await plan("--format", "json", "--config", setting);
            assert.deepEqual(r.err, []);
            assert.equal(r.code, 0);
            assert.match(r.out, expect);
        });
    }

    it("reads an instance type's architecture from its name, as EC2 reports it", () => {
        assert.deepEqual(architecturesOf("m7g.large"), ["arm64"]);
        assert.deepEqual(architecturesOf("c7gn.xlarge"), ["arm64"]);
        assert.deepEqual(architecturesOf("a1.medium"), ["arm64"]);
        assert.deepEqual(architecturesOf("t3.small"), ["x86_64"]);
        assert.deepEqual(architecturesOf("g5.xlarge"), ["x86_64"]);
        assert.deepEqual(architecturesOf("m7i-flex.large"), ["x86_64"]);
        assert.deepEqual(architecturesOf("mac2-m2.metal"), ["arm64_mac"]);
    });

    it("warns about an aws: key the AWS provider does not know, naming the one meant", async () => {
        const r = await plan("--config", "aws:regon=eu-west-1");
        assert.equal(r.code, 0);
        assert.match(
            r.out,
            /! config `aws:regon` is not a setting of the AWS provider, which ignores it \(did you mean `aws:region`\?\)/,
        );
        // The program warns as it would under `pulumi preview`, through pulumi.log (stderr, with no engine).
        assert.equal(
            takeStderr(),
            "warning: [runtime] config `aws:regon` is not a setting of the AWS provider, which ignores it (did you mean `aws:region`?)\n",
        );
    });

    it("reads lists stored with --path as lists, like the CLI", async () => {
        const dir = tempProject(
            "config:\n  aws:region: eu-west-1\n  k3s-admin-mfa:kubernetesGroups:\n    - k3s:admins\n",
        );
        const report = await buildReport("test", {}, dir);
        assert.equal(report.violations, 0);
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
