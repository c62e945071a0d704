import * as assert from "node:assert/strict";
import { mfaTrustPolicy } from "../components/policies";
import { parseUrn, type ProgramRun, runProgram } from "./mocks";

/**
 * Several named admins behind one MFA door (issue #12): each their own user, Deny and AdministratorAccess, one role
 * trusting exactly them in one statement, and nothing of one person's moved when another comes or goes.
 */
const ACCOUNT = "arn:aws:iam::123456789012";
const team = (...names: string[]) => ({ userName: names[0]!, adminUserNames: names, createTestInstance: "false" });
const urnsOf = (run: ProgramRun, person: string) =>
    run.urns.filter((u) => {
        const { name } = parseUrn(u);
        return name === person || name.startsWith(`${person}-`);
    });

describe("a team of admins (adminUserNames)", () => {
    let two: ProgramRun;
    let three: ProgramRun;
    before(async () => {
        two = await runProgram(team("alice", "bob"));
        three = await runProgram(team("alice", "bob", "carol"));
    });

    it("gives each person a user, the inline Deny and AdministratorAccess of their own", () => {
        for (const [run, names] of [
            [two, ["alice", "bob"]],
            [three, ["alice", "bob", "carol"]],
        ] as const) {
            const users = run.resources
                .filter((r) => r.type === "aws:iam/user:User")
                .map((r) => r.inputs["name"])
                .sort();
            assert.deepEqual(users, names);
            const denies = run.resources.filter((r) => r.type === "aws:iam/userPolicy:UserPolicy");
            assert.deepEqual(denies.map((r) => r.inputs["user"]).sort(), names);
            const grants = run.resources.filter((r) => r.type === "aws:iam/userPolicyAttachment:UserPolicyAttachment");
            assert.deepEqual(grants.map((r) => r.inputs["user"]).sort(), names);
            assert.equal(run.resources.filter((r) => r.type === "aws:iam/role:Role").length, 1);
        }
    });

    it("trusts exactly those users, in the one MFA statement, session names bound to each caller", () => {
        const role = three.resources.find((r) => r.type === "aws:iam/role:Role")!;
        assert.deepEqual(
            role.inputs["assumeRolePolicy"],
            mfaTrustPolicy({
                principalArn: ["alice", "bob", "carol"].map((n) => `${ACCOUNT}:user/${n}`),
                mfaMaxAgeSeconds: 3600,
            }),
        );
    });

    it("moves nothing of the others when a person is added or removed", () => {
        for (const person of ["alice", "bob"]) {
            const before = urnsOf(two, person).sort();
            assert.ok(before.length >= 4, `${person}: ${before.length} URNs`);
            assert.deepEqual(urnsOf(three, person).sort(), before, person);
        }
        assert.deepEqual(urnsOf(two, "carol"), []);
    });

    it("proves the door for every person after deploy", () => {
        const checks = three.resources.filter((r) => r.type === "command:local:Command");
        const users = checks.map((c) => {
            const env = c.inputs["environment"] as Record<string, string>;
            const args = JSON.parse(env["CHECK_ENFORCEMENT_ARGS"]!) as string[];
            return args[args.indexOf("--user-arn") + 1];
        });
        assert.deepEqual(
            users,
            ["alice", "bob", "carol"].map((n) => `${ACCOUNT}:user/${n}`),
        );
    });

    it("outputs each person's AWS CLI profile and kubeconfig entry by user name, and one mapping for the cluster", () => {
        const people = three.outputs["people"] as Record<string, Record<string, string>>;
        assert.deepEqual(Object.keys(people), ["alice", "bob", "carol"]);
        for (const name of Object.keys(people)) {
            const p = people[name]!;
            assert.equal(p["userArn"], `${ACCOUNT}:user/${name}`);
            assert.match(p["awsConfigProfile"]!, new RegExp(`^\\[profile ${name}-mfa\\]\n`));
            assert.match(
                p["awsConfigProfile"]!,
                new RegExp(
                    `\nsource_profile = ${name}\nmfa_serial = ${ACCOUNT}:mfa/${name}\nrole_session_name = ${name}\n`,
                ),
            );
            assert.match(p["kubectlSetup"]!, new RegExp(`^kubectl config set-credentials ${name}-mfa `));
            assert.match(p["kubeconfig"]!, new RegExp(`name: ${name}-mfa`));
        }
        // The cluster maps the role once; the session name tells the people apart.
        assert.match(
            String(three.outputs["authenticatorMapping"]),
            /^- roleARN: .*role\/alice-mfa\n {2}username: alice-mfa:\{\{SessionName\}\}\n/,
        );
    });
});

describe("the tamper alarm, wired from the stack's settings", () => {
    it("watches every admin and the role when tamperAlarm is on, and outputs its topic", async () => {
        const run = await runProgram({
            ...team("alice", "bob"),
            tamperAlarm: "true",
            tamperAlarmEmail: "ops@example.com",
        });
        const rule = run.resources.find((r) => r.type === "aws:cloudwatch/eventRule:EventRule")!;
        const pattern = JSON.stringify(rule.inputs["eventPattern"]);
        for (const name of ["alice", "bob", "alice-mfa"]) assert.ok(pattern.includes(`\\"${name}\\"`), name);
        assert.equal(rule.inputs["region"], "us-east-1");
        assert.equal(run.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription").length, 1);
        assert.equal(run.outputs["tamperAlarmTopicArn"], "arn:aws:sns:us-east-1:123456789012:alice-mfa-tamper-alarm");
    });

    it("is off by default: the single-admin stack is as it was", async () => {
        const run = await runProgram({ createTestInstance: "false" });
        assert.ok(!run.resources.some((r) => /cloudwatch|sns|kms/.test(r.type)));
        assert.equal(run.outputs["tamperAlarmTopicArn"], undefined);
    });
});

describe("a one-person stack whose user is not named k3s-admin", () => {
    it("keeps its resources: the components alias their old name, and the engine carries it to their children", async () => {
        const run = await runProgram({ userName: "ops", createTestInstance: "false" });
        for (const type of ["k3s-admin-mfa:iam:AdminUser", "k3s-admin-mfa:iam:EnforcementCheck"]) {
            const component = run.registrations.find((r) => r.type === type)!;
            assert.equal(component.name, "ops");
            assert.deepEqual(
                component.aliasSpecs.map((a) => (a["spec"] as { name?: string }).name),
                ["k3s-admin"],
                type,
            );
            // pulumi pkg/resource/deploy/step_generator.go inheritedChildAlias: a child whose name starts with its
            // parent's gets the alias with the parent's old name in its place ("ops-user" -> "k3s-admin-user").
            const children = run.registrations.filter((r) => r.parent.endsWith(`${type}::ops`));
            assert.ok(children.length > 0);
            for (const child of children) assert.ok(child.name.startsWith("ops-"), child.name);
        }
        assert.ok(run.registrations.every((r) => r.type !== "k3s-admin-mfa:iam:AdminUser" || r.name !== "k3s-admin"));
    });
});

describe("the order of adminUserNames (issue 19)", () => {
    const role = (run: ProgramRun) => run.registrations.find((r) => r.type === "aws:iam/role:Role")!;

    it("replaces nothing when the list is reordered: the role's trigger and trust document stay the same", async () => {
        // One at a time: each run installs the one mock runtime.
        const runs: ProgramRun[] = [];
        for (const order of [
            ["alice", "bob", "carol"],
            ["alice", "carol", "bob"],
            ["carol", "alice", "bob"],
        ])
            runs.push(await runProgram({ ...team(...order), userName: "alice" }));
        const [first, ...others] = runs.map(role);
        // Each person's user keeps its unique ID whatever the order (tests/mocks.ts derives it from the name).
        assert.equal(String(first!.replacementTrigger).split(",").length, 3);
        for (const other of others) {
            assert.equal(other.replacementTrigger, first!.replacementTrigger);
            assert.deepEqual(other.object["assumeRolePolicy"], first!.object["assumeRolePolicy"]);
        }
    });
});
