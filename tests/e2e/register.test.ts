import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { early, inBackground } from "../early";

const REGISTER = path.join(__dirname, "..", "register.cjs");

/** The speed-ups tests/register.cjs installs in a fresh process with these switches, and whether localeCompare is V8's. */
function loaderWith(env: Record<string, string>): Promise<{ speedUps: string[]; builtInLocaleCompare: boolean }> {
    const probe =
        'console.log(JSON.stringify({ speedUps: process[Symbol.for("k3s-admin-mfa.tests.register")], ' +
        'builtInLocaleCompare: /native code/.test(Function.prototype.toString.call("".localeCompare)) }))';
    return new Promise((resolve, reject) =>
        inBackground(
            execFile(
                process.execPath,
                ["-r", REGISTER, "-e", probe],
                {
                    env: {
                        ...process.env,
                        TEST_SHORT_STACKS: "",
                        TEST_TRANSPILE_CACHE: "",
                        TEST_COLLATOR_CACHE: "",
                        ...env,
                    },
                },
                (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as never)),
            ),
        ),
    );
}

// Two fresh Node processes loading ts-node: started with the run, on the second core (tests/early.ts).
const loaders = early(
    () =>
        Promise.all([
            loaderWith({}),
            loaderWith({ TEST_SHORT_STACKS: "0", TEST_TRANSPILE_CACHE: "0", TEST_COLLATOR_CACHE: "0" }),
        ]),
    () => undefined,
);

describe("the test loader's speed-ups, each behind its own switch (tests/register.cjs)", () => {
    it("runs all three unless told otherwise, and none with every switch at 0", async () => {
        const [all, none] = await loaders();
        assert.deepEqual(all, {
            speedUps: ["TEST_SHORT_STACKS", "TEST_TRANSPILE_CACHE", "TEST_COLLATOR_CACHE"],
            builtInLocaleCompare: false,
        });
        assert.deepEqual(none, { speedUps: [], builtInLocaleCompare: true });
    });
});
