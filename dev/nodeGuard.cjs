// The Node.js guard of every entry point (issue 19, item 10): on a Node.js older than package.json's engines.node,
// one line on stderr naming the version found and the one required, exit status 1, before anything that needs the
// newer Node.js is loaded. @pulumi/pulumi, the AWS SDK and dev/test/main.mjs's node:fs globSync need Node 22; on 20 they
// die with a SyntaxError and a stack trace, or worse, half work.
//
// Loaded first, either preloaded (`node -r ./dev/nodeGuard.cjs …`, as package.json's scripts do: a preload runs
// before the entry file is even parsed, so an ES module's hoisted imports cannot fail first) or required by an entry
// file before it loads anything else. Plain CommonJS in the oldest syntax, with no dependency, so that any Node.js
// that can start at all can run it.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it must run on any Node.js */

var path = require("path");

/** "npm test", "npm run plan", or the entry file when run by hand (an npm script sets npm_lifecycle_event). */
function commandName() {
    var event = process.env.npm_lifecycle_event;
    if (event) return event === "test" ? "npm test" : "npm run " + event;
    var main = process.argv[1];
    if (!main) return "node";
    var relative = path.relative(process.cwd(), main);
    return relative && relative.indexOf("..") !== 0 ? relative : main;
}

/** The major version package.json's engines.node asks for (">=22"). */
function requiredMajor() {
    var engines = require("../package.json").engines;
    return Number(/\d+/.exec(engines.node)[0]);
}

/** The one line for this Node.js, or undefined when it is new enough. */
function problem(version, required) {
    var major = Number(/^v?(\d+)/.exec(version)[1]);
    if (major >= required) return undefined;
    return (
        "needs Node.js " +
        required +
        " or newer, this is v" +
        version.replace(/^v/, "") +
        ' (see README, "Prerequisites")'
    );
}

var line = problem(process.versions.node, requiredMajor());
if (line !== undefined) {
    process.stderr.write(commandName() + ": " + line + "\n");
    process.exit(1);
}

module.exports = { problem: problem, requiredMajor: requiredMajor };
