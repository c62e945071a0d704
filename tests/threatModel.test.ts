import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROLE_EVENTS, SELF_EVENTS, USER_EVENTS } from "../components/tamperPattern";
import { parseFlags } from "../checks/command";
import { main as revokeMain } from "../commands/revoke-sessions/policy";

/** docs/threat-model.md: what it links, lists and tells people to run is what the project has. */
const ROOT = path.resolve(__dirname, "..");
const PAGE = fs.readFileSync(path.join(ROOT, "docs", "threat-model.md"), "utf8");

/** The page's section under the `## title` heading. */
function section(title: string): string {
    const start = PAGE.indexOf(`\n## ${title}\n`);
    assert.ok(start >= 0, `no section ${title}`);
    const end = PAGE.indexOf("\n## ", start + 1);
    return PAGE.slice(start, end < 0 ? undefined : end);
}

describe("the threat model page", () => {
    it("links only test files and pages that exist (the other helpers' pages by name)", () => {
        const links = [...PAGE.matchAll(/\]\((\.\.\/[^)#]+|[a-z-]+\.md)\)/g)].map((m) => m[1]!);
        assert.ok(links.filter((l) => l.startsWith("../tests/")).length >= 8);
        const missing = links
            .filter((l) => l.startsWith("../"))
            .filter((l) => !fs.existsSync(path.join(ROOT, "docs", l)));
        assert.deepEqual(missing, []);
    });

    it("lists exactly the calls the tamper alarm watches", () => {
        const table = section("The tamper alarm: what it sees");
        const listed = new Set([...table.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]!));
        const watched = new Set<string>([...USER_EVENTS, ...SELF_EVENTS, ...ROLE_EVENTS]);
        assert.deepEqual([...listed].filter((e) => !watched.has(e) && /^[A-Z][a-z]+[A-Z]/.test(e)).sort(), []);
        assert.deepEqual([...watched].filter((e) => !listed.has(e)).sort(), []);
    });

    it("gives a kill switch whose commands the project's parsers accept", async () => {
        const kill = section("Kill switch for a user's own sessions");
        const block = /```bash\n([\s\S]*?)```/.exec(kill)![1]!.replace(/\\\n\s*/g, "");
        const check = block.split("\n").find((l) => l.startsWith("npm run check-enforcement -- "))!;
        const argv = check
            .replace("npm run check-enforcement -- ", "")
            .replace(/<account>/g, "123456789012")
            .replace(/"\$USER"|\$USER/g, "k3s-admin")
            .replace(/"/g, "")
            .split(/\s+/)
            .filter(Boolean);
        const flags = parseFlags(argv);
        assert.equal(flags.failOnEnrolmentWindow, true);
        assert.equal(flags.userArn, "arn:aws:iam::123456789012:user/k3s-admin");
        assert.match(
            block,
            /npm run -s revoke-sessions-policy -- --before "\$\(date -u -d '\+15 min' \+%Y-%m-%dT%H:%M:%SZ\)"/,
        );
        // What that date command prints, the command accepts.
        const io = { out: () => undefined, err: (l: string) => assert.fail(l) };
        assert.equal(await revokeMain(["--before", "2026-12-02T17:15:00Z"], io), 0);
        assert.match(block, /--policy-name AWSRevokeOlderSessions/);
    });
});
