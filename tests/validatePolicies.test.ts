import * as assert from "node:assert/strict";
import {
    AccessDeniedException,
    ThrottlingException,
    ValidatePolicyCommand,
    type ValidatePolicyCommandInput,
    type ValidatePolicyFinding,
    type ValidatePolicyResponse,
} from "@aws-sdk/client-accessanalyzer";
import { GetRoleCommand, GetUserPolicyCommand } from "@aws-sdk/client-iam";
import { mfaEnforcementPolicy, mfaTrustPolicy } from "../components/policies";
import { checkEnforcement } from "../checks/enforcement";
import { findingLine, findingsOf, pathText, trustPolicy } from "../checks/validatePolicies";
import { account, analyzerMock, deps, iamMock, OPTS, POLICY, roleOutput, stsMock, USER_ARN } from "./iamAccount";

/**
 * IAM Access Analyzer's ValidatePolicy as the post-deploy check meets it, through aws-sdk-client-mock. Findings have
 * the shape of the AWS CLI's own example (aws/aws-cli awscli/examples/accessanalyzer/validate-policy.rst): a path of
 * `value` (object member) and `index` (array member) elements, a span, a learnMoreLink.
 */

type Path = NonNullable<NonNullable<ValidatePolicyFinding["locations"]>[number]["path"]>;
const at = (...path: (string | number)[]): Path =>
    path.map((p) => (typeof p === "number" ? { index: p } : { value: p }));

function finding(findingType: string, issueCode: string, ...paths: Path[]): ValidatePolicyFinding {
    const slug = `${findingType}-${issueCode}`.toLowerCase().replace(/_/g, "-");
    return {
        findingDetails: `details of ${issueCode}`,
        findingType: findingType as ValidatePolicyFinding["findingType"],
        issueCode,
        learnMoreLink: `https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-${slug}`,
        locations: paths.map((path) => ({
            path,
            span: { start: { line: 1, column: 0, offset: 0 }, end: { line: 1, column: 1, offset: 1 } },
        })),
    };
}

const calls = (): ValidatePolicyCommandInput[] =>
    analyzerMock.commandCalls(ValidatePolicyCommand).map((c) => c.args[0].input);

/** Answers by document: the inline policy's findings, the trust policy's, one page each unless paged. */
function answer(inline: ValidatePolicyFinding[], trust: ValidatePolicyFinding[] = []): void {
    analyzerMock.on(ValidatePolicyCommand).callsFake((input: ValidatePolicyCommandInput): ValidatePolicyResponse => ({
        findings: input.policyType === "IDENTITY_POLICY" ? inline : trust,
    }));
}

describe("check-enforcement: IAM Access Analyzer validates both policies as IAM stores them", () => {
    beforeEach(() => {
        iamMock.reset();
        stsMock.reset();
        analyzerMock.reset();
        account();
    });

    it("sends the inline policy as an identity policy and the trust policy as AWS::IAM::AssumeRolePolicyDocument, each exactly as IAM returned it", async () => {
        // IAM keeps the text it was given (whitespace, key order) and returns it URL-encoded: ${aws:username} comes
        // back as %24%7Baws%3Ausername%7D. What Access Analyzer sees must be that text decoded, not our re-serialisation.
        const inline = JSON.stringify(mfaEnforcementPolicy(), null, 4);
        const trust = JSON.stringify(mfaTrustPolicy({ principalArn: USER_ARN, mfaMaxAgeSeconds: 3600 }), null, 2);
        iamMock.on(GetUserPolicyCommand).resolves({ PolicyName: POLICY, PolicyDocument: encodeURIComponent(inline) });
        iamMock.on(GetRoleCommand).resolves({
            Role: { ...roleOutput().Role, AssumeRolePolicyDocument: encodeURIComponent(trust) },
        });
        assert.ok(encodeURIComponent(inline).includes("%24%7Baws%3Ausername%7D"), "the scoped style's variable");
        const summary = await checkEnforcement(OPTS, deps());
        assert.deepEqual(calls(), [
            { policyDocument: inline, policyType: "IDENTITY_POLICY" },
            {
                policyDocument: trust,
                policyType: "RESOURCE_POLICY",
                validatePolicyResourceType: "AWS::IAM::AssumeRolePolicyDocument",
            },
        ]);
        assert.match(
            summary,
            /; IAM Access Analyzer finds no error or security warning in the inline policy k3s-admin-ui-cli-with-mfa and trust policy of role k3s-admin-mfa$/,
        );
    });

    it("fails at once on an ERROR, naming the code, the type and the statement", async () => {
        answer([finding("ERROR", "INVALID_ACTION", at("Statement", 0, "NotAction", 3))]);
        const d = deps();
        await assert.rejects(
            checkEnforcement(OPTS, d),
            (e: Error) =>
                e.message ===
                "IAM Access Analyzer finds 1 error(s) or security warning(s) in the inline policy k3s-admin-ui-cli-with-mfa " +
                    "and trust policy of role k3s-admin-mfa as IAM stores them: ERROR INVALID_ACTION in inline policy " +
                    "k3s-admin-ui-cli-with-mfa at Statement[0](MustBeSignedInWithMFA).NotAction[3]: fix the document(s), " +
                    "or turn the check off with `pulumi config set verifyEnforcement false`",
        );
        // A finding is no sign of IAM catching up: no retry.
        assert.deepEqual(d.slept, []);
    });

    it("fails on a SECURITY_WARNING, in the trust policy too, all findings on one line", async () => {
        answer(
            [finding("ERROR", "INVALID_ACTION", at("Statement", 1, "Action", 0))],
            [finding("SECURITY_WARNING", "EXTERNAL_PRINCIPAL", at("Statement", 0, "Principal", "AWS"))],
        );
        await assert.rejects(checkEnforcement(OPTS, deps()), (e: Error) => {
            assert.ok(!e.message.includes("\n"));
            assert.match(
                e.message,
                /finds 2 error\(s\) or security warning\(s\) .*: ERROR INVALID_ACTION in inline policy k3s-admin-ui-cli-with-mfa at Statement\[1\]\(OnlyOwnUserWithoutMFA\)\.Action\[0\]; SECURITY_WARNING EXTERNAL_PRINCIPAL in trust policy of role k3s-admin-mfa at Statement\[0\]\(AssumeOnlyWithRecentMFA\)\.Principal\.AWS: fix/,
            );
            return true;
        });
    });

    it("reports a WARNING and a SUGGESTION in the summary and passes", async () => {
        answer(
            [finding("WARNING", "MISSING_ARN_REGION", at("Statement", 1, "NotResource"))],
            [finding("SUGGESTION", "EMPTY_SID_VALUE", at("Statement", 0, "Sid"))],
        );
        const summary = await checkEnforcement(OPTS, deps());
        assert.match(summary, /^enforcement verified for /);
        assert.match(
            summary,
            / \(it reports, not fatal: WARNING MISSING_ARN_REGION in inline policy k3s-admin-ui-cli-with-mfa at Statement\[1\]\(OnlyOwnUserWithoutMFA\)\.NotResource, SUGGESTION EMPTY_SID_VALUE in trust policy of role k3s-admin-mfa at Statement\[0\]\(AssumeOnlyWithRecentMFA\)\.Sid\)$/,
        );
    });

    it("follows nextToken to the last page, and a fatal finding on a later page still fails", async () => {
        const pages: Record<string, ValidatePolicyResponse> = {
            first: { findings: [finding("SUGGESTION", "REDUNDANT_ACTION", at("Statement", 0))], nextToken: "p2" },
            p2: { findings: [finding("WARNING", "TYPE_MISMATCH", at("Statement", 3, "Condition"))], nextToken: "p3" },
            p3: { findings: [finding("SECURITY_WARNING", "NOT_RESOURCE_WITH_ALLOW", at("Statement", 2))] },
        };
        analyzerMock
            .on(ValidatePolicyCommand)
            .callsFake((input: ValidatePolicyCommandInput) =>
                input.policyType === "IDENTITY_POLICY" ? pages[input.nextToken ?? "first"] : { findings: [] },
            );
        await assert.rejects(checkEnforcement(OPTS, deps()), /finds 1 error.*SECURITY_WARNING NOT_RESOURCE_WITH_ALLOW/);
        const inline = calls().filter((c) => c.policyType === "IDENTITY_POLICY");
        assert.deepEqual(
            inline.map((c) => c.nextToken),
            [undefined, "p2", "p3"],
        );
        assert.ok(
            inline.every((c) => c.policyDocument === inline[0]!.policyDocument),
            "the same document each page",
        );
    });

    it("names access-analyzer:ValidatePolicy and the way to turn the check off when the deployer may not call it", async () => {
        analyzerMock
            .on(ValidatePolicyCommand)
            .rejects(new AccessDeniedException({ message: "not authorized", $metadata: { httpStatusCode: 403 } }));
        const d = deps();
        await assert.rejects(
            checkEnforcement(OPTS, d),
            (e: Error) =>
                e.message ===
                "the deployer may not call access-analyzer:ValidatePolicy (AccessDenied), which validates the stored " +
                    "policies: grant it, or turn the check off with `pulumi config set verifyEnforcement false`",
        );
        assert.deepEqual(d.slept, []);
    });

    it("waits out Access Analyzer's throttling like IAM's", async () => {
        analyzerMock
            .on(ValidatePolicyCommand)
            .rejectsOnce(new ThrottlingException({ message: "Rate exceeded", $metadata: {} }))
            .resolves({ findings: [] });
        const d = deps();
        assert.match(await checkEnforcement(OPTS, d), /\(try 2, 1\.0 s\); IAM Access Analyzer finds no error/);
        assert.deepEqual(d.slept, [1000]);
    });
});

describe("Access Analyzer findings on one line each", () => {
    // The AWS CLI's example: a Cognito trust policy with an empty Sid and sts:AssumeRole (awscli/examples/accessanalyzer/validate-policy.rst).
    const cognito = trustPolicy(
        "cognito-role",
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "",
                    Effect: "Allow",
                    Principal: { Federated: "cognito-identity.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": "us-west-2_EXAMPLE" } },
                },
            ],
        }),
    );

    it("writes the paths of AWS's own example as one would in code, with several locations joined", () => {
        const f = finding(
            "ERROR",
            "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
            at("Statement", 0, "Action", 1),
            at("Statement", 0, "Condition", "StringEquals", "cognito-identity.amazonaws.com:aud"),
        );
        // An empty Sid names no statement.
        assert.equal(
            findingLine(cognito, f),
            "ERROR UNSUPPORTED_ACTION_FOR_CONDITION_KEY in trust policy of role cognito-role at Statement[0].Action[1] " +
                'and Statement[0].Condition.StringEquals["cognito-identity.amazonaws.com:aud"]',
        );
    });

    it("says 'the document' for a finding without a location, and points into a string by characters", () => {
        assert.equal(
            findingLine(cognito, { ...finding("ERROR", "MISSING_VERSION"), locations: undefined }),
            "ERROR MISSING_VERSION in trust policy of role cognito-role at the document",
        );
        assert.equal(
            pathText(
                [{ value: "Statement" }, { index: 0 }, { value: "Effect" }, { substring: { start: 2, length: 3 } }],
                "{}",
            ),
            "Statement[0].Effect (characters 2 to 5)",
        );
    });

    it("reads every page itself from a bare send, as the check's clients give it", async () => {
        const seen: (string | undefined)[] = [];
        const send = async (cmd: ValidatePolicyCommand) => {
            seen.push(cmd.input.nextToken);
            return cmd.input.nextToken === undefined
                ? { findings: [finding("WARNING", "A")], nextToken: "n" }
                : { findings: [finding("SUGGESTION", "B")], nextToken: "" };
        };
        const found = await findingsOf({ send } as never, cognito);
        assert.deepEqual(
            found.map((f) => f.issueCode),
            ["A", "B"],
        );
        assert.deepEqual(seen, [undefined, "n"]);
    });
});
