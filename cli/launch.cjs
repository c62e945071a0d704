// Starts a TypeScript command (issue 21, item 5: `--help` of every command under 0.3 s):
//
//   node -r ./dev/nodeGuard.cjs cli/launch.cjs checks/main.ts [FLAGS]      (package.json's scripts)
//
// A command line that asks for help and nothing else is answered here, from the usage.txt beside the entry file,
// with neither ts-node (which loads TypeScript, about 1 s) nor the AWS SDK loaded. Any other is handed to the entry
// file under ts-node transpile-only, as `node -r ts-node/register/transpile-only ENTRY` did: its exported run().
//
// "Asks for help and nothing else" is what the commands' own parser (util.parseArgs, strict, no positionals, in
// cli/command.ts's parseFlags and analysis/plan.ts) reads as only `help: true`: -h, --help, -hh, a `--` with nothing
// after it. Every command declares `help` with short `h`, so each of those command lines is help to every command;
// anything else (`--help --profile x`, `--help --bogus`) goes to the command, which decides as it always has.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it runs before ts-node is loaded */

require("../dev/nodeGuard.cjs");
const fs = require("node:fs");
const path = require("node:path");
const { parseArgs } = require("node:util");

/** Whether `argv` is a request for help and nothing else, as util.parseArgs reads it. */
function onlyHelp(argv) {
    try {
        const { values } = parseArgs({
            args: argv,
            options: { help: { type: "boolean", short: "h" } },
            strict: true,
            allowPositionals: false,
        });
        return values.help === true;
    } catch {
        return false;
    }
}

function launch() {
    const entry = process.argv[2];
    if (entry === undefined) {
        process.stderr.write("launch.cjs: name the command's entry file, e.g. checks/main.ts\n");
        process.exitCode = 2;
        return;
    }
    const file = path.resolve(entry);
    const argv = process.argv.slice(3);
    if (onlyHelp(argv)) {
        // As the command's own `io.out(usageText(…))` prints it: console.log adds back the file's last newline, and
        // ignores a reader that has gone (`… --help | head -1`), where a bare stdout.write dies of EPIPE.
        console.log(fs.readFileSync(path.join(path.dirname(file), "usage.txt"), "utf8").replace(/\n$/, ""));
        return;
    }
    require("ts-node/register/transpile-only");
    // The entry sees the command line it saw when node ran it directly.
    process.argv.splice(1, 2, file);
    void require(file).run();
}

if (require.main === module) launch();

module.exports = { onlyHelp };
