import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { AUTHENTICATOR_VERSION, clusterFiles, clusterReadme, PATHS } from "../handover/cluster";
import { SCRIPTS } from "../handover/person";

/** docs/daily-use.md and docs/cluster.md name only the files, paths and commands the code ships. */

const doc = (name: string) => fs.readFileSync(path.join(__dirname, "../docs", name), "utf8");
const ARGS = {
    clusterId: "k3s",
    partition: "aws",
    roleArn: "arn:aws:iam::1:role/r",
    roleName: "r",
    kubernetesGroups: ["g"],
};

describe("the daily-use and cluster docs", () => {
    it("daily-use.md runs only the hand-over's own scripts, and the deployer's command as write.mjs reads it", () => {
        const text = doc("daily-use.md");
        const run = [...text.matchAll(/\bsh ([\w-]+\.sh)/g)].map((m) => m[1]!);
        assert.ok(run.length >= 3);
        for (const s of run) assert.ok((SCRIPTS as readonly string[]).includes(s), s);
        assert.ok(text.includes("pulumi stack output --json handover | node handover/write.mjs handover-out"));
        assert.ok(fs.existsSync(path.join(__dirname, "../handover/write.mjs")));
        assert.ok(fs.existsSync(path.join(__dirname, "../dev/bench/person.sh")));
    });

    it("cluster.md lists exactly the files the stack renders, installs them where the unit and drop-in expect, at the version read", () => {
        const text = doc("cluster.md");
        const table = [...text.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
        assert.deepEqual(table.sort(), Object.keys(clusterFiles(ARGS)).sort());
        const steps = /## Steps[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(text)![1]!;
        // The same steps, in the same order, as the README.txt the operator receives.
        const readmeSteps = clusterReadme(ARGS)
            .split("\n")
            .filter((l) => /^ {2}(install|systemctl|test|kubectl) /.test(l))
            .map((l) => l.trim().replace(/ +#.*$/, ""));
        assert.deepEqual(
            steps
                .trim()
                .split("\n")
                .map((l) => l.replace(/ +#.*$/, "")),
            readmeSteps,
        );
        for (const p of Object.values(PATHS).filter((p) => p !== PATHS.stateDir)) assert.ok(text.includes(p), p);
        assert.ok(text.includes(`**${AUTHENTICATOR_VERSION}**`));
    });
});
