import * as assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../config";
import { parseUrn, type ProgramRun, registeredUrns, runProgram } from "./mocks";

/**
 * Issue 19, item 6: a rename must never silently delete a person. Components are named after the IAM user, so a
 * rename changes their URNs; with `previousUserNames` they alias the old name and the engine updates the user in
 * place (IAM renames it; keys and MFA device stay), and every setting where two components would claim one name is
 * refused before any resource. Users are protected unless `allowUserDeletion` (item 5): a rename that is not
 * declared, a removal or `pulumi destroy` stops at preview instead of deleting a person's keys and MFA device.
 */
const team = (userName: string, names: string[], more: Record<string, unknown> = {}) => ({
    userName,
    adminUserNames: names,
    createTestInstance: "false",
    ...more,
});
const urnsOf = (run: ProgramRun, person: string) =>
    run.urns.filter((u) => {
        const { name } = parseUrn(u);
        return name === person || name.startsWith(`${person}-`);
    });
const COMPONENTS = ["k3s-admin-mfa:iam:AdminUser", "k3s-admin-mfa:iam:EnforcementCheck"];
const aliasNames = (run: ProgramRun, type: string, name: string) =>
    run.registrations
        .find((r) => r.type === type && r.name === name)!
        .aliasSpecs.map((a) => (a["spec"] as { name?: string }).name);

describe("renaming an admin (previousUserNames)", () => {
    let was: ProgramRun;
    let now: ProgramRun;
    before(async () => {
        was = await runProgram(team("alice", ["alice", "bob"]));
        now = await runProgram(team("alice", ["alice", "robert"], { previousUserNames: { robert: "bob" } }));
    });

    it("keeps every URN of the person's: the components alias the old name, and their children inherit it", () => {
        for (const type of COMPONENTS) {
            assert.deepEqual(aliasNames(now, type, "robert"), ["bob"], type);
            // pulumi step_generator.go inheritedChildAlias: a child named with its parent's name as prefix gets the
            // alias with the parent's old name in its place ("robert-user" -> "bob-user").
            const children = now.registrations.filter((r) => r.parent.endsWith(`${type}::robert`));
            assert.ok(children.length > 0, type);
            for (const child of children) assert.ok(child.name.startsWith("robert-"), child.name);
        }
        const aliased = urnsOf(now, "robert").map((u) => u.replace(/::robert(-|$)/, "::bob$1"));
        assert.deepEqual(aliased.sort(), urnsOf(was, "bob").sort());
    });

    it("is an in-place rename of the same user: only its name changes, and it stays protected", () => {
        const user = (run: ProgramRun, name: string) =>
            run.registrations.find((r) => r.type === "aws:iam/user:User" && r.name === `${name}-user`)!;
        const { name: oldName, ...oldRest } = user(was, "bob").object;
        const { name: newName, ...newRest } = user(now, "robert").object;
        assert.deepEqual([oldName, newName], ["bob", "robert"]);
        assert.deepEqual(newRest, oldRest);
        assert.equal(user(now, "robert").protect, true);
    });

    it("still names the person's MFA device as it was created: IAM renames the user, not the device", () => {
        const people = now.outputs["people"] as Record<string, { awsConfigProfile: string }>;
        assert.match(people["robert"]!.awsConfigProfile, /\nmfa_serial = arn:aws:iam::123456789012:mfa\/bob\n/);
    });

    it("takes a change of case alone as a rename of the same person", () => {
        const c = parseConfig({ userName: "Alice", previousUserNames: '{"Alice":"alice"}' });
        assert.deepEqual(c.admins[0], {
            userName: "Alice",
            sourceProfile: "Alice",
            mfaDeviceName: "alice",
            previousUserName: "alice",
        });
    });

    it("renames the first admin too, keeping the alias from before several admins existed", async () => {
        const run = await runProgram(team("alicia", ["alicia", "bob"], { previousUserNames: { alicia: "alice" } }));
        for (const type of COMPONENTS) assert.deepEqual(aliasNames(run, type, "alicia"), ["k3s-admin", "alice"]);
    });
});

describe("settings where two people would claim one name are refused before any resource", () => {
    it("a first admin other than k3s-admin, with k3s-admin also listed (the one-time legacy alias)", async () => {
        const message =
            'config `adminUserNames` ["alice","k3s-admin"] lists k3s-admin while `userName` is "alice": the first ' +
            "admin's resources keep the name k3s-admin they had before several admins existed, so alice and k3s-admin " +
            "would both claim them. Set userName to k3s-admin (and roleName to alice-mfa to keep the role), or give " +
            "that person another name";
        await assert.rejects(runProgram(team("alice", ["alice", "k3s-admin"])), { message });
        assert.deepEqual(registeredUrns(), [], "no resource was declared");
    });

    const cases: [string, Record<string, string>, string][] = [
        [
            "a previous name that is a current admin's",
            { userName: "alice", adminUserNames: '["alice","bob","robert"]', previousUserNames: '{"robert":"Bob"}' },
            'gives robert the previous name Bob, but bob is an admin too: both would claim the resources named Bob. Rename one person at a time, or remove the entry, got "robert: Bob"',
        ],
        [
            "a rename of someone who is not an admin",
            { userName: "alice", adminUserNames: '["alice","bob"]', previousUserNames: '{"robert":"bob"}' },
            `renames robert, who is not an admin (["alice","bob"]): map an admin's user name to the one they had before`,
        ],
        [
            "one previous name for two people",
            {
                userName: "alice",
                adminUserNames: '["alice","bob","carol"]',
                previousUserNames: '{"bob":"x1","carol":"X1"}',
            },
            "gives X1 as the previous name of both bob and carol: keep one",
        ],
        [
            "k3s-admin as the previous name of someone who is not the first admin",
            { userName: "alice", adminUserNames: '["alice","bob"]', previousUserNames: '{"bob":"k3s-admin"}' },
            "gives bob the previous name k3s-admin, which the first admin (`userName` alice) already claims",
        ],
        [
            "a map that is not one",
            { previousUserNames: '["alice"]' },
            "must map an admin's user name to the one they had before",
        ],
    ];
    for (const [behaviour, raw, message] of cases)
        it(behaviour, () =>
            assert.throws(
                () => parseConfig(raw),
                (err: unknown) =>
                    err instanceof ConfigError &&
                    err.message.startsWith("config `previousUserNames` ") &&
                    err.message.includes(message),
            ),
        );
});

describe("deleting a person takes their asking (allowUserDeletion)", () => {
    const users = (run: ProgramRun) => run.registrations.filter((r) => r.type === "aws:iam/user:User");

    it("protects every user and keeps forceDestroy off by default", async () => {
        const run = await runProgram(team("alice", ["alice", "bob"]));
        assert.equal(users(run).length, 2);
        for (const u of users(run)) {
            assert.equal(u.protect, true, u.name);
            assert.equal(u.object["forceDestroy"], false, u.name);
        }
    });

    it("unprotects them and turns forceDestroy on when the stack asks for it", async () => {
        const run = await runProgram(team("alice", ["alice", "bob"], { allowUserDeletion: "true" }));
        assert.equal(users(run).length, 2);
        for (const u of users(run)) {
            assert.equal(u.protect, false, u.name);
            assert.equal(u.object["forceDestroy"], true, u.name);
        }
    });
});
