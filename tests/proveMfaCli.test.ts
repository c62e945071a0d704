import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { early } from "./early";
import { boolInsteadOfBoolIfExists, ProveWorld } from "./standIn/world";

/**
 * A stand-in for the pulumi CLI in `world`'s folder: `stack output --json --stack dev` prints the world's outputs,
 * other stacks fail with pulumi's own words; every call's arguments are recorded, one per line. Returns its folder.
 */
function fakePulumi(world: ProveWorld): string {
    const bin = path.join(world.dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(
        path.join(bin, "pulumi"),
        [
            "#!/bin/sh",
            'printf "%s\\n" "$@" > "$(dirname "$0")/args"',
            'if [ "$1 $2 $3 $4" = "stack output --json --stack" ] && [ "$5" = dev ]; then cat "$(dirname "$0")/dev.json"; exit 0; fi',
            "echo \"error: no stack named '$5' found\" >&2",
            "exit 255",
        ].join("\n"),
        { mode: 0o755 },
    );
    fs.writeFileSync(path.join(bin, "dev.json"), JSON.stringify(world.outputs()));
    return bin;
}

/** PATH as the run began: tests below change it for a moment while the end-to-end runs may be starting. */
const PATH = process.env["PATH"];

/**
 * The two end-to-end runs, side by side, each against a stand-in of its own (the second one's copy of the policy
 * has the seed's pitfall). They start with the test run (tests/early.ts): each process loads ts-node and the SDK
 * for seconds, on the core this one leaves free.
 */
const endToEnd = early(
    async () => {
        const worlds: ProveWorld[] = [];
        try {
            const main = await ProveWorld.start({}, false);
            worlds.push(main);
            const control = await ProveWorld.start({ userPolicy: boolInsteadOfBoolIfExists }, false);
            worlds.push(control);
            const bin = fakePulumi(main);
            const runs = await Promise.all([
                main.spawn(["--stack", "dev", "--token-code", "123456", "--decode-profile", "deployer"], {
                    PATH: `${bin}${path.delimiter}${PATH ?? ""}`,
                }),
                control.spawn(
                    ["--outputs", "-", "--token-code", "234567"],
                    { PATH: PATH ?? "" },
                    JSON.stringify(control.outputs()),
                ),
            ]);
            return { worlds, runs, leaks: [main.leaked(runs[0]), control.leaked(runs[1])] };
        } catch (error) {
            await Promise.all(worlds.map((x) => x.stop()));
            throw error;
        }
    },
    async ({ worlds }) => {
        await Promise.all(worlds.map((x) => x.stop()));
    },
);
type EndToEnd = Awaited<ReturnType<typeof endToEnd>>;

/**
 * prove-mfa's command line: --help, exit 2 for bad arguments, the stack's outputs through a fake `pulumi` on PATH
 * (run without a shell), and two true end-to-end runs of commands/prove-mfa/main.ts as a person runs it.
 */
describe("prove-mfa command line", () => {
    let w: ProveWorld;
    let bin: string;
    before(async () => {
        w = await ProveWorld.start();
        bin = fakePulumi(w);
    });
    after(async () => w.stop());
    beforeEach(() => {
        w.standIn.use();
        fs.writeFileSync(path.join(bin, "dev.json"), JSON.stringify(w.outputs()));
    });

    it("--help documents every flag and the exit statuses", async () => {
        const r = await w.run(["--help"]);
        assert.equal(r.code, 0);
        const help = r.out.join("\n");
        for (const flag of [
            "--stack",
            "--outputs",
            "--user",
            "--profile",
            "--serial-number",
            "--token-code",
            "--region",
            "--decode-profile",
            "--help",
        ])
            assert.match(help, new RegExp(`^ {2}(-h, )?${flag} `, "m"), flag);
        assert.match(
            help,
            /Exit status: 0 every step as the policy promises; 1 a step was not, or the run failed .*; 2 bad command line; 130 interrupted/s,
        );
    });

    describe("exits 2 with one line, before reading anything or calling AWS, for", () => {
        for (const [what, argv, message] of [
            ["an unknown flag", ["--mfa"], /^unknown option --mfa/],
            ["a stray argument", ["dev"], /^unexpected argument dev/],
            ["both --stack and --outputs", ["--stack", "dev", "--outputs", "-"], /--stack or --outputs, not both/],
            ["a stack name that is not one", ["--stack", "dev;rm -rf ~"], /--stack must be a stack name/],
            ["a code that is not 6 digits", ["--token-code", "12345"], /--token-code must be 6 digits/],
            [
                "a serial number that is not one",
                ["--serial-number", "123"],
                /--serial-number must be an MFA device ARN/,
            ],
            ["a region that is not one", ["--region", "eu west 1"], /--region must be an AWS region/],
            ["an empty profile", ["--profile", " "], /--profile must name a profile/],
        ] as const) {
            it(what, async () => {
                const r = await w.run([...argv]);
                assert.equal(r.code, 2, r.err.join("\n"));
                assert.equal(r.err.length, 1);
                assert.match(r.err[0]!.replace(/^prove-mfa: /, ""), message);
                assert.match(r.err[0]!, / \(see --help\)$/);
                assert.deepEqual(w.standIn.log, []);
            });
        }
    });

    describe("the stack's outputs from `pulumi stack output --json` (a fake pulumi on PATH)", () => {
        const withPath = async (f: () => Promise<void>, dirs = `${bin}${path.delimiter}${process.env["PATH"]}`) => {
            const original = process.env["PATH"];
            w.setProcessEnv({ PATH: dirs });
            try {
                await f();
            } finally {
                w.setProcessEnv({ PATH: original });
            }
        };

        it("--stack dev: one argument per word, no shell", async () =>
            withPath(async () => {
                const r = await w.run(["--stack", "dev", "--token-code", "567890"]);
                assert.equal(r.code, 0, r.err.join("\n"));
                assert.deepEqual(fs.readFileSync(path.join(bin, "args"), "utf8").split("\n"), [
                    "stack",
                    "output",
                    "--json",
                    "--stack",
                    "dev",
                    "",
                ]);
                assert.match(r.out[5]!, /\(stack dev, us-east-1\)$/);
            }));

        it("a stack pulumi does not know: pulumi's words, and what to check", async () =>
            withPath(async () => {
                const r = await w.run(["--stack", "prod", "--token-code", "567890"]);
                assert.equal(r.code, 1);
                assert.deepEqual(r.err, [
                    "prove-mfa: `pulumi stack output` for stack prod failed: error: no stack named 'prod' found: check --stack (pulumi stack ls), or use --outputs FILE",
                ]);
            }));

        it("a stack not deployed yet: names `pulumi up --stack dev`", async () =>
            withPath(async () => {
                fs.writeFileSync(path.join(bin, "dev.json"), "{}");
                const r = await w.run(["--stack", "dev", "--token-code", "567890"]);
                assert.deepEqual(r.err, [
                    "prove-mfa: stack dev has no outputs: it is not deployed yet; run `pulumi up --stack dev` first",
                ]);
            }));

        it("no pulumi CLI at all: says to install it or use --outputs", async () =>
            withPath(
                async () => {
                    const r = await w.run(["--stack", "dev", "--token-code", "567890"]);
                    assert.match(
                        r.err[0]!,
                        /the pulumi CLI is not on PATH: install it, or give the outputs with --outputs FILE/,
                    );
                },
                path.join(w.dir, "empty"),
            ));
    });

    describe("end to end: node commands/prove-mfa/main.ts in a process of its own", function () {
        this.timeout(20000); // ts-node and the SDK load in each process: seconds, not milliseconds
        let runs: EndToEnd["runs"];
        let leaks: string[][];
        before(async () => {
            ({ runs, leaks } = await endToEnd());
        });

        it("proves every step with `--stack dev` through pulumi, exit 0", async () => {
            const [r] = runs;
            assert.equal(r.code, 0, r.err.join("\n"));
            assert.deepEqual(r.err, []);
            assert.deepEqual(
                r.out.map((l) => l.slice(0, 8)),
                ["1/5 ok  ", "2/5 ok  ", "3/5 ok  ", "4/5 ok  ", "5/5 ok  ", "prove-mf"],
            );
            assert.deepEqual(leaks[0], []);
        });

        it("negative control (Bool for BoolIfExists), outputs on stdin: exit 1 naming step 1", async () => {
            const [, r] = runs;
            assert.equal(r.code, 1);
            assert.match(r.out[0]!, /^1\/5 FAIL .* -> DryRunOperation \(would have succeeded\): NOT as promised/);
            assert.deepEqual(r.err.length, 1);
            assert.match(
                r.err[0]!,
                /^prove-mfa: step 1 is not as the policy promises: long-term keys alone can launch EC2/,
            );
            assert.deepEqual(leaks[1], []);
        });
    });
});
