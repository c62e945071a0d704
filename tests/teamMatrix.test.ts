import * as assert from "node:assert/strict";
import { declaredAccess, type DeclaredAccess } from "../analysis/declared";
import { accessMatrix, type Cell, isViolation, requestName, type Table, withDocuments } from "../analysis/matrix";
import { render, type Report } from "../analysis/report";
import { weaknesses } from "../analysis/weaknesses";
import { mfaEnforcementPolicy, ROLE_SESSION_NAME_KEY } from "../components/policies";
import { parseConfig } from "../config";
import { runProgram } from "./mocks";

/**
 * The access matrix of a team (issue #12): every admin's own requests, the role for each of them, and the session
 * names each may take, decided by the IAM evaluation library. Expectations come from the config's admin list, never
 * from the documents. One program run and one evaluation per team and set of tables, shared by the tests below.
 */
const ACCOUNT = "arn:aws:iam::123456789012";
const TWO = ["alice", "bob"];
const THREE = ["alice", "bob", "carol"];

/** The stack's settings for a team, as runProgram takes them (a list) and as parseConfig reads them (JSON). */
/**
 * The tables each team is evaluated on. The sample (450 requests a person) is left out: `npm run plan` of three
 * admins in tests/plan.test.ts evaluates it for each, and must come out with every cell as expected.
 */
const tablesOf = (): Table[] => ["user", "role", "session"];
const settings = (names: readonly string[]) => ({ userName: names[0]!, adminUserNames: [...names] });
const expectations = (names: readonly string[]) =>
    names.length > 1 ? parseConfig({ userName: names[0]!, adminUserNames: JSON.stringify(names) }) : parseConfig({});

const declaredCache = new Map<string, Promise<DeclaredAccess>>();
const matrixCache = new Map<string, Promise<Cell[]>>();

function declared(names: readonly string[]): Promise<DeclaredAccess> {
    const key = names.join(",");
    if (!declaredCache.has(key)) {
        const config = names.length > 1 ? settings(names) : {};
        const run = runProgram({ createTestInstance: "false", ...config });
        declaredCache.set(
            key,
            run.then((r) => declaredAccess(r, "us-east-1")),
        );
    }
    return declaredCache.get(key)!;
}

function matrix(names: readonly string[], tables: readonly Table[]): Promise<Cell[]> {
    const key = `${names.join(",")} ${tables.join(",")}`;
    if (!matrixCache.has(key))
        matrixCache.set(
            key,
            declared(names).then((d) => accessMatrix(d, expectations(names), tables)),
        );
    return matrixCache.get(key)!;
}

const named = (c: Cell) => `${c.table} ${c.caller} ${requestName(c)}`;
const decided = (c: Cell) => `${c.decision} (${c.decidedBy})`;

function cell(cells: readonly Cell[], caller: string, request: string): Cell {
    const found = cells.find((c) => c.caller === caller && requestName(c) === request);
    assert.ok(found, `no cell ${caller} / ${request}`);
    return found;
}

/** The trust's condition without `StringEquals sts:RoleSessionName`: any caller names the session as they like. */
function unboundSessionNames(d: DeclaredAccess): DeclaredAccess {
    return withDocuments(d, {
        trustPolicy: (doc) => {
            delete doc.Statement[0]!.Condition!.StringEquals;
            return doc;
        },
    });
}

describe("a team's access matrix (adminUserNames)", () => {
    it("reads every user, their own inline policy and attachment, and the one role's trust from the program", async () => {
        const d = await declared(THREE);
        assert.deepEqual(
            d.users.map((u) => [u.name, u.arn, u.policies.map((p) => p.name)]),
            THREE.map((n) => [n, `${ACCOUNT}:user/${n}`, ["k3s-admin-ui-cli-with-mfa", "AdministratorAccess"]]),
        );
        for (const u of d.users) assert.deepEqual(u.policies[0]!.document, mfaEnforcementPolicy());
        assert.equal(d.role.name, "alice-mfa");
        assert.deepEqual(
            d.role.trustPolicy.Statement[0]!.Principal!.AWS,
            THREE.map((n) => `${ACCOUNT}:user/${n}`),
        );
    });

    for (const names of [TWO, THREE]) {
        it(`comes out as the config expects in every cell of every admin, nothing that must be denied allowed: ${names.join(", ")}`, async () => {
            const cells = await matrix(names, tablesOf());
            // Every cell as expected implies no violation (a cell expected DENY that came out ALLOW).
            assert.deepEqual(cells.filter((c) => c.decision !== c.expected).map(named), []);
            for (const table of ["user", "session"] as const)
                assert.deepEqual(
                    [...new Set(cells.filter((c) => c.table === table).map((c) => c.admin))],
                    names,
                    table,
                );
            for (const name of names) {
                const role = cells.filter((c) => c.table === "role" && c.caller.startsWith(`${name}, `));
                assert.equal(role.length, 7, name);
                assert.equal(
                    decided(cell(role, `${name}, MFA 60 s old`, "sts:AssumeRole")),
                    "ALLOW (AssumeOnlyWithRecentMFA)",
                );
                assert.equal(
                    decided(cell(cells, `${name}, long-term keys`, "ec2:RunInstances")),
                    "DENY (MustBeSignedInWithMFA)",
                );
            }
        });
    }

    it("keeps one admin's bare keys off a teammate's identity and devices", async () => {
        const cells = await matrix(TWO, tablesOf());
        const onBob = cell(cells, "alice, long-term keys", "iam:EnableMFADevice on another user");
        assert.equal(decided(onBob), "DENY (OnlyOwnUserWithoutMFA)");
    });

    describe("session names nobody can forge", () => {
        for (const names of [TWO, THREE]) {
            it(`lets each admin in with MFA under their own name only; another's name or none is denied, and without MFA everything: ${names.join(", ")}`, async () => {
                const cells = (await matrix(names, tablesOf())).filter((c) => c.table === "session");
                assert.equal(cells.length, names.length * 2 * (names.length + 1));
                for (const me of names) {
                    const mfa = `${me}, MFA 60 s old`;
                    const keys = `${me}, long-term keys (no code)`;
                    assert.equal(
                        decided(cell(cells, mfa, `sts:AssumeRole on the role as "${me}"`)),
                        "ALLOW (AssumeOnlyWithRecentMFA)",
                    );
                    for (const other of names.filter((n) => n !== me)) {
                        const forged = cell(cells, mfa, `sts:AssumeRole on the role as "${other}"`);
                        assert.equal(decided(forged), "DENY (no trust statement matches)");
                        assert.ok(forged.mustDeny);
                    }
                    const none = cell(cells, mfa, "sts:AssumeRole on the role, no sts:RoleSessionName key");
                    assert.equal(decided(none), "DENY (no trust statement matches)");
                    for (const c of cells.filter((x) => x.caller === keys))
                        assert.equal(decided(c), "DENY (MustBeSignedInWithMFA)", requestName(c));
                }
            });
        }

        it("are caught when the trust no longer binds the session name: alice can take bob's name", async () => {
            const cells = await accessMatrix(unboundSessionNames(await declared(TWO)), expectations(TWO), ["session"]);
            const violations = cells.filter(isViolation).map(named);
            assert.deepEqual(violations, [
                'session alice, MFA 60 s old sts:AssumeRole on the role as "bob"',
                "session alice, MFA 60 s old sts:AssumeRole on the role, no sts:RoleSessionName key",
                'session bob, MFA 60 s old sts:AssumeRole on the role as "alice"',
                "session bob, MFA 60 s old sts:AssumeRole on the role, no sts:RoleSessionName key",
            ]);
            assert.ok(
                weaknesses(unboundSessionNames(await declared(TWO))).some((w) => w.includes(ROLE_SESSION_NAME_KEY)),
            );
            assert.ok(!weaknesses(await declared(TWO)).some((w) => w.includes(ROLE_SESSION_NAME_KEY)));
        });

        it("are caught in a one-person stack too, whose report leaves the session table out", async () => {
            const d = await declared(["k3s-admin"]);
            const cells = await accessMatrix(d, expectations(["k3s-admin"]), ["session"]);
            assert.deepEqual(cells.filter((c) => c.decision !== c.expected).map(named), []);
            assert.equal(
                decided(cell(cells, "k3s-admin, MFA 60 s old", 'sts:AssumeRole on the role as "k3s-admin"')),
                "ALLOW (AssumeOnlyWithRecentMFA)",
            );
            const broken = await accessMatrix(unboundSessionNames(d), expectations(["k3s-admin"]), ["session"]);
            assert.deepEqual(broken.filter(isViolation).map(named), [
                'session k3s-admin, MFA 60 s old sts:AssumeRole on the role as "someone-else"',
                "session k3s-admin, MFA 60 s old sts:AssumeRole on the role, no sts:RoleSessionName key",
            ]);
        });
    });

    it("shows a trust that names alice alone as bob locked out: his expected ALLOWs come out DENY", async () => {
        const d = withDocuments(await declared(TWO), {
            trustPolicy: (doc) => {
                doc.Statement[0]!.Principal = { AWS: `${ACCOUNT}:user/alice` };
                return doc;
            },
        });
        const cells = await accessMatrix(d, expectations(TWO), ["role", "session"]);
        assert.deepEqual(cells.filter(isViolation).map(named), []);
        const off = cells.filter((c) => c.decision !== c.expected);
        assert.deepEqual(off.map(named), [
            "role bob, long-term keys + MFA code (AWS CLI role profile, MFA 0 s old) sts:AssumeRole",
            "role bob, MFA 60 s old sts:AssumeRole",
            "role bob, MFA 3599 s old (below limit) sts:AssumeRole",
            'session bob, MFA 60 s old sts:AssumeRole on the role as "bob"',
        ]);
        for (const c of off) assert.equal(`${c.expected} ${decided(c)}`, "ALLOW DENY (no trust statement matches)");
        const report: Report = {
            stack: "dev",
            region: "us-east-1",
            resources: [],
            policies: [],
            matrix: cells,
            warnings: [],
            violations: 0,
        };
        const text = render(report, "text");
        assert.match(
            text,
            /bob, MFA 60 s old\s+sts:AssumeRole on the role as "bob"\s+DENY \(no trust statement matches\) \?\? expected ALLOW/,
        );
        assert.match(text, /\nOK: 0 of \d+ requests that must be denied are allowed; 4 expected ALLOW came out DENY$/);
    });
});
