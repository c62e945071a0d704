#!/usr/bin/env node
// Writes the stack's `handover` output as files: <dir>/<user>/… for each admin, <dir>/cluster/… for the operator.
//   pulumi stack output --json handover | node handover/write.mjs [DIR]      (DIR defaults to ./handover-out)
// Plain JavaScript with Node's own modules: it starts in a few tens of milliseconds and needs no npm install.
import * as fs from "node:fs";
import * as path from "node:path";

const USAGE = `usage: pulumi stack output --json handover | node handover/write.mjs [DIR]

Writes DIR/<user>/ (one folder per admin: send each person theirs) and DIR/cluster/ (for the cluster operator).
DIR defaults to ./handover-out; files the stack renders are replaced, nothing else in DIR is touched.
Exit status: 0 written; 1 failed (one line on stderr); 2 bad command line.`;

const fail = (line, code = 1) => {
    process.stderr.write(`write.mjs: ${line}\n`);
    process.exit(code);
};

const args = process.argv.slice(2);
if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
}
if (args.length > 1 || args.some((a) => a.startsWith("-")))
    fail(`unexpected arguments ${args.join(" ")} (see --help)`, 2);
if (process.stdin.isTTY)
    fail("pipe the stack output in: pulumi stack output --json handover | node handover/write.mjs", 2);
const dir = path.resolve(args[0] ?? "handover-out");

let text = "";
for await (const chunk of process.stdin) text += chunk;
let output;
try {
    output = JSON.parse(text);
} catch {
    fail("the input is not JSON: pipe in `pulumi stack output --json handover`");
}
const { people, cluster } = output ?? {};
if (typeof people !== "object" || typeof cluster !== "object" || !people || !cluster)
    fail("the input has no people and cluster: pipe in `pulumi stack output --json handover` of this project");

// Names come from the stack (IAM user names, our file names); still, none may climb out of DIR.
const safe = (name) => /^[\w+=,.@-]+$/.test(name) && name !== "." && name !== "..";
const folders = { ...Object.fromEntries(Object.entries(people)), cluster };
if ("cluster" in people)
    fail("an admin is called `cluster`, which is the operator's folder: rename the folder by hand");
for (const [folder, files] of Object.entries(folders)) {
    if (!safe(folder)) fail(`refusing the folder name ${JSON.stringify(folder)}`);
    fs.mkdirSync(path.join(dir, folder), { recursive: true, mode: 0o700 });
    for (const [name, content] of Object.entries(files)) {
        if (!safe(name) || typeof content !== "string") fail(`refusing the file ${folder}/${JSON.stringify(name)}`);
        fs.writeFileSync(path.join(dir, folder, name), content, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
    }
}
process.stderr.write(
    `write.mjs: wrote ${Object.keys(people)
        .map((p) => `${p}/`)
        .join(", ")} and cluster/ under ${dir}\n`,
);
