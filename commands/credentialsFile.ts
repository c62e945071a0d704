import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The AWS shared files, where the AWS CLI and SDKs look for them. */
export function awsFiles(env: NodeJS.ProcessEnv): { credentials: string; config: string } {
    const home = env["HOME"] ?? env["USERPROFILE"] ?? os.homedir();
    return {
        credentials: env["AWS_SHARED_CREDENTIALS_FILE"] ?? path.join(home, ".aws", "credentials"),
        config: env["AWS_CONFIG_FILE"] ?? path.join(home, ".aws", "config"),
    };
}

const HEADER = /^\s*\[\s*([^\]]+?)\s*\]\s*$/;

/** Profile names defined in a shared file; the config file spells them `[profile name]` (but `[default]`). */
export function profileNames(text: string, kind: "credentials" | "config"): string[] {
    return text
        .split(/\r?\n/)
        .map((line) => HEADER.exec(line)?.[1])
        .filter((name): name is string => name !== undefined)
        .map((name) => (kind === "config" ? name.replace(/^profile\s+/, "") : name));
}

/** A shared file's text; "" when it is missing or cannot be read (the SDK then skips it too). */
function readShared(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return "";
    }
}

/** Whether a profile exists in either shared file. */
export function profileExists(env: NodeJS.ProcessEnv, profile: string): boolean {
    const files = awsFiles(env);
    return (["credentials", "config"] as const).some((kind) =>
        profileNames(readShared(files[kind]), kind).includes(profile),
    );
}

/**
 * Replaces the section `[name]` (header to the next header) with new lines, or appends it. Every other byte of
 * the file stays as it was: other profiles, comments, blank lines and line endings.
 */
export function replaceSection(text: string, name: string, body: readonly string[]): string {
    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    const lines = text === "" ? [] : text.split(/\r?\n/);
    const trailingNewline = lines.length > 0 && lines[lines.length - 1] === "";
    if (trailingNewline) lines.pop();
    const section = [`[${name}]`, ...body];
    const start = lines.findIndex((l) => HEADER.exec(l)?.[1] === name);
    if (start < 0) {
        const gap = lines.length > 0 && lines[lines.length - 1]!.trim() !== "" ? [""] : [];
        return [...lines, ...gap, ...section].join(eol) + eol;
    }
    let end = lines.findIndex((l, i) => i > start && HEADER.test(l));
    if (end < 0) end = lines.length;
    // Keep the blank lines that separated this section from the next one.
    while (end - 1 > start && lines[end - 1]!.trim() === "") end--;
    const result = [...lines.slice(0, start), ...section, ...lines.slice(end)].join(eol);
    return trailingNewline || end === lines.length ? result + eol : result;
}
