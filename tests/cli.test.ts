import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    EXIT,
    failure,
    Interrupted,
    MIN_NODE_MAJOR,
    nodeVersionProblem,
    oneLine,
    parseFlags,
    runCommand,
    UsageError,
} from "../cli/command";

describe("the commands' shared layer (cli/command.ts)", () => {
    describe("Node.js guard", () => {
        it("asks for the Node.js that package.json's engines names", () => {
            const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "package.json"), "utf8")) as {
                engines: { node: string };
            };
            assert.equal(pkg.engines.node, `>=${MIN_NODE_MAJOR}`);
        });

        it("refuses Node 20 with one line, and accepts 22 and later", () => {
            assert.equal(
                nodeVersionProblem("20.11.1"),
                'needs Node.js 22 or newer, this is v20.11.1 (see README, "Prerequisites")',
            );
            assert.equal(nodeVersionProblem("v18.0.0")?.includes("this is v18.0.0"), true);
            assert.equal(nodeVersionProblem("22.0.0"), undefined);
            assert.equal(nodeVersionProblem("24.1.0"), undefined);
        });

        it("runCommand stops before loading the command on an old Node.js, exit 1", async () => {
            const err: string[] = [];
            let loaded = false;
            let exit = -1;
            const code = await runCommand(
                "tool",
                async () => {
                    loaded = true;
                    return async () => 0;
                },
                {
                    nodeVersion: "20.0.0",
                    argv: [],
                    io: { out: () => {}, err: (l) => err.push(l) },
                    setExitCode: (c) => (exit = c),
                },
            );
            assert.deepEqual([code, exit, loaded], [1, 1, false]);
            assert.deepEqual(err, ['tool: needs Node.js 22 or newer, this is v20.0.0 (see README, "Prerequisites")']);
        });

        it("runCommand passes the arguments on and sets the exit status main returns", async () => {
            let seen: string[] = [];
            let exit = -1;
            const code = await runCommand(
                "tool",
                async () => async (argv) => {
                    seen = argv;
                    return 2;
                },
                // A supported Node.js, whatever runs the tests: the guard itself is tested above.
                {
                    argv: ["--x"],
                    io: { out: () => {}, err: () => {} },
                    setExitCode: (c) => (exit = c),
                    nodeVersion: "v22.0.0",
                },
            );
            assert.deepEqual([code, exit, seen], [2, 2, ["--x"]]);
        });

        it("runCommand turns anything main lets escape into one line", async () => {
            const err: string[] = [];
            const code = await runCommand(
                "tool",
                async () => async () => {
                    throw new TypeError("x is\nnot a function");
                },
                {
                    argv: [],
                    io: { out: () => {}, err: (l) => err.push(l) },
                    setExitCode: () => {},
                    nodeVersion: "v22.0.0",
                },
            );
            assert.deepEqual([code, err], [1, ["tool: TypeError: x is not a function"]]);
        });
    });

    describe("exit statuses and one-line errors", () => {
        it("2 for a usage error, with a pointer to --help", () => {
            assert.deepEqual(failure(new UsageError("--token-code must be 6 digits")), {
                code: EXIT.usage,
                line: "--token-code must be 6 digits (see --help)",
            });
        });
        it("knows its errors by name too: a test that clears Node's module cache makes a second UsageError class", () => {
            assert.equal(failure(Object.assign(new Error("bad"), { name: "UsageError" })).code, 2);
            assert.equal(failure(Object.assign(new Error("stop"), { name: "Interrupted" })).code, 130);
        });
        it("130 for an interruption", () => {
            assert.deepEqual(failure(new Interrupted("interrupted (Ctrl+C)")), {
                code: 130,
                line: "interrupted (Ctrl+C)",
            });
        });
        it("1 for anything else, worded by the command's explainer, on one line", () => {
            assert.deepEqual(
                failure(new Error("a\n  b"), () => "explained\nhere"),
                { code: 1, line: "explained here" },
            );
            assert.equal(oneLine(new Error("no stack file\nPulumi.prod.yaml")), "no stack file Pulumi.prod.yaml");
            assert.equal(oneLine(Object.assign(new Error("Aborted"), { name: "AbortError" })), "AbortError: Aborted");
            assert.equal(oneLine("text"), "text");
        });
    });

    describe("parseFlags: util.parseArgs, with one-line usage errors", () => {
        const options = { seconds: { type: "string" }, quiet: { type: "boolean" } } as const;
        const usage = (argv: string[]) => {
            try {
                parseFlags(argv, options);
            } catch (err) {
                assert.ok(err instanceof UsageError);
                return err.message;
            }
            return "parsed";
        };
        it("parses", () => {
            assert.deepEqual({ ...parseFlags(["--seconds", "5", "--quiet"], options) }, { seconds: "5", quiet: true });
        });
        for (const [argv, message] of [
            [["--nope"], "unknown option --nope"],
            [["--seconds"], "--seconds needs a value"],
            [["--seconds", "-5"], '--seconds needs a value; write one that starts with "-" as --seconds=VALUE'],
            [["--quiet=yes"], "--quiet takes no value"],
            [["stray"], "unexpected argument stray"],
        ] as const) {
            it(`${argv.join(" ")}: ${message}`, () => assert.equal(usage([...argv]), message));
        }
    });
});
