import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REVOKE_POLICY_NAME } from "../commands/revoke-sessions/policy";
import { FORMATS } from "../analysis/report";
import { ARGS_ENV } from "../checks/command";
import { VALIDATE_PERMISSION } from "../checks/validatePolicies";
import { FALLBACK_REGION } from "../cli/awsRegion";
import { ASSUME_ROLES_ENV, STS_REGION_ENV } from "../cli/awsSession";
import { MFA_DENY_SID } from "../components/policies";

/**
 * Each command's help lives in a usage.txt that cli/launch.cjs prints without loading TypeScript, so the constants
 * the help once interpolated are written there literally. Each is pinned at its place in the text: a slot (the words
 * around it, the value captured) must hold the constant's value. Changing the constant without the text fails, and so
 * does changing the text without the constant; the check is run against both mutations to show it would.
 */

const ROOT = path.resolve(__dirname, "..");

interface Slot {
    readonly name: string;
    readonly value: string;
    /** The text around the value, which the first group captures. */
    readonly around: RegExp;
}

/** What is wrong with `text` for these slots: a slot not found, or holding another value than its constant's. */
function mismatches(text: string, slots: readonly Slot[]): string[] {
    return slots.flatMap((s) => {
        const found = s.around.exec(text)?.[1];
        if (found === undefined) return [`${s.name}: its place in the text is gone`];
        return found === s.value ? [] : [`${s.name}: the text says ${found}, the constant is ${s.value}`];
    });
}

const COMMANDS: Record<string, { readonly file: string; readonly slots: readonly Slot[] }> = {
    "check-enforcement": {
        file: "checks/usage.txt",
        slots: [
            { name: "MFA_DENY_SID", value: MFA_DENY_SID, around: /policy simulator that (\S+) in the user's inline/ },
            { name: "VALIDATE_PERMISSION", value: VALIDATE_PERMISSION, around: /iam:ListMFADevices and (\S+), in the/ },
            { name: "ASSUME_ROLES_ENV", value: ASSUME_ROLES_ENV, around: /^ {2}(\S+) +roles to assume first/m },
            { name: "STS_REGION_ENV", value: STS_REGION_ENV, around: /^ {2}(\S+) +region of the STS endpoint/m },
            { name: "ARGS_ENV", value: ARGS_ENV, around: /^ {2}(\S+) +the flags as a JSON list/m },
        ],
    },
    "revoke-sessions-policy": {
        file: "commands/revoke-sessions/usage.txt",
        slots: [{ name: "REVOKE_POLICY_NAME", value: REVOKE_POLICY_NAME, around: /Attach it as (\S+) \(/ }],
    },
    plan: {
        file: "analysis/usage.txt",
        slots: [
            { name: "FORMATS (synopsis)", value: FORMATS.join("|"), around: /\[--format ([\w|]+)\]/ },
            {
                name: "FORMATS (--format)",
                value: `${FORMATS[0]} (default), ${FORMATS[1]} (for pull-request comments) or ${FORMATS[2]}`,
                around: /--format FORMAT +(.+? or \w+)$/m,
            },
        ],
    },
    "mfa-session": {
        file: "commands/mfa-session/usage.txt",
        slots: [{ name: "FALLBACK_REGION", value: FALLBACK_REGION, around: /the profile's region; else (\S+), and/ }],
    },
    "prove-mfa": {
        file: "commands/prove-mfa/usage.txt",
        slots: [{ name: "FALLBACK_REGION", value: FALLBACK_REGION, around: /the profile's region; else ([\w-]+)\)/ }],
    },
};

describe("the constants written into each command's usage.txt", () => {
    for (const [command, { file, slots }] of Object.entries(COMMANDS)) {
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");

        it(`${command}: ${slots.map((s) => s.name).join(", ")} as the code has them`, () => {
            assert.deepEqual(mismatches(text, slots), []);
        });

        it(`${command}: the check fails when a constant changes and the text does not, and the other way round`, () => {
            for (const slot of slots) {
                const constantChanged = slots.map((s) => (s === slot ? { ...s, value: `${s.value}X` } : s));
                assert.equal(mismatches(text, constantChanged).length, 1, `${slot.name} changed in the code`);
                const first = slot.value.split(/[| ]/)[0]!;
                const textChanged = text.replace(slot.around.exec(text)![0], (m) => m.replace(first, `${first}X`));
                assert.notEqual(textChanged, text);
                assert.equal(mismatches(textChanged, slots).length >= 1, true, `${slot.name} changed in the text`);
            }
        });
    }
});
