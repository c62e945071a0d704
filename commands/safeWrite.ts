import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../cli/awsErrors";

/**
 * Writing a file the person owns without overriding their choices (issue #9): a read-only file stays read-only, a
 * symbolic link stays a link and its target gets the new content, and everything the write needs is checked before
 * the caller does anything that cannot be undone (for mfa-session: spending an MFA code).
 *
 * `aws configure set` (awscli/customizations/configure/writer.py) opens the file in place, so it writes through a
 * link and fails with "Permission denied" on a read-only file, unless run as root, whom the kernel lets write
 * anything. Here the mode bits decide for root too: a file with no write bit says "leave me alone".
 */
export interface WritePlan {
    /** The path as named, e.g. ~/.aws/credentials, perhaps a symbolic link. */
    readonly file: string;
    /** Where the bytes go: the end of the link chain (the file itself when it is not a link). */
    readonly target: string;
    /** The existing target's owner, kept when root writes someone else's file (`sudo` must not take it over). */
    readonly owner?: { readonly uid: number; readonly gid: number };
}

/** How the plan names the file in messages: the path as named, and where a link leads. */
export function shown(plan: Pick<WritePlan, "file" | "target">): string {
    return plan.file === plan.target ? plan.file : `${plan.file} (a link to ${plan.target})`;
}

const noWriteBit = (st: fs.Stats) => (st.mode & 0o222) === 0;
const modeOf = (st: fs.Stats) => (st.mode & 0o7777).toString(8).padStart(4, "0");

function accessible(file: string, mode: number): boolean {
    try {
        fs.accessSync(file, mode);
        return true;
    } catch {
        return false;
    }
}

function statOrUndefined(file: string, follow: boolean): fs.Stats | undefined {
    try {
        return follow ? fs.statSync(file) : fs.lstatSync(file);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return undefined;
        throw err;
    }
}

/** The end of a chain of symbolic links, resolved as the kernel does (relative to each link's real folder). */
function followLinks(file: string): string {
    let current = path.resolve(file);
    for (let hops = 0; hops < 40; hops++) {
        const st = statOrUndefined(current, false);
        if (!st?.isSymbolicLink()) return current;
        const dir = statOrUndefined(path.dirname(current), true) ? fs.realpathSync(path.dirname(current)) : "";
        current = path.resolve(dir || path.dirname(current), fs.readlinkSync(current));
    }
    throw new UserError(`${file} is a loop of symbolic links: point it at a file`);
}

/** The nearest folder on the way up from `dir` that exists (what `mkdir -p` would create the rest in). */
function nearestExisting(dir: string): { dir: string; st: fs.Stats } {
    for (let d = dir; ; d = path.dirname(d)) {
        const st = statOrUndefined(d, true);
        if (st) return { dir: d, st };
        if (path.dirname(d) === d) throw new UserError(`cannot create ${dir}: no part of it exists`);
    }
}

/**
 * Checks that `file` can be replaced atomically, creating nothing: a new file in the real target's folder, renamed
 * over the target. Throws a UserError of one line naming the file and the fix.
 */
export function planWrite(file: string, otherwise = ""): WritePlan {
    const or = otherwise ? `, or ${otherwise}` : "";
    const target = followLinks(file);
    const named = shown({ file, target });
    const st = statOrUndefined(target, true);
    if (st?.isDirectory()) throw new UserError(`${named} is a folder, not a file: move it away${or}`);
    if (st && !st.isFile()) throw new UserError(`${named} is not a regular file: move it away${or}`);
    if (st && noWriteBit(st)) {
        throw new UserError(
            `${named} is read-only (mode ${modeOf(st)}), so it is left alone: ` +
                `\`chmod u+w ${target}\` to allow the write${or}`,
        );
    }
    if (st && !accessible(target, fs.constants.R_OK | fs.constants.W_OK)) {
        throw new UserError(
            `${named} is not readable and writable by you (owner uid ${st.uid}, mode ${modeOf(st)}): ` +
                `fix its owner or mode${or}`,
        );
    }
    const dir = path.dirname(target);
    const existing = nearestExisting(dir);
    const creating = existing.dir === dir ? "" : ` to create ${dir}`;
    if (!existing.st.isDirectory()) {
        throw new UserError(`cannot create ${dir}: ${existing.dir} is a file, not a folder`);
    }
    if (noWriteBit(existing.st) || !accessible(existing.dir, fs.constants.W_OK | fs.constants.X_OK)) {
        throw new UserError(
            `the folder ${existing.dir} is read-only (mode ${modeOf(existing.st)}), and the write needs it` +
                `${creating || ` (a new ${path.basename(target)} is renamed over the old one)`}: ` +
                `\`chmod u+w ${existing.dir}\`${or}`,
        );
    }
    return st ? { file, target, owner: { uid: st.uid, gid: st.gid } } : { file, target };
}

/** An fs error as "permission denied (EACCES)": its message names the path it failed on, maybe a temporary file. */
function reason(err: unknown): string {
    const e = err as NodeJS.ErrnoException;
    const text = /^[A-Z]+: ([^,]+)/.exec(e?.message ?? "")?.[1];
    return text && e.code ? `${text} (${e.code})` : String(e?.message ?? err);
}

/**
 * Replaces the plan's target with `edit(its current text)` ("" when it does not exist yet), mode 0600 (it holds
 * secrets), so that readers see the old or the new
 * content, never half: a temporary file in the target's folder, flushed, then renamed over the target. A link that
 * led there stays a link. On failure the target is untouched, the temporary file removed, and the UserError names
 * the target, never the temporary file.
 */
export function commitWrite(plan: WritePlan, edit: (text: string) => string): void {
    const dir = path.dirname(plan.target);
    const temp = path.join(
        dir,
        `.${path.basename(plan.target)}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`,
    );
    try {
        // Read now, not at planning time: the file may have changed while the person typed the code.
        const text = edit(fs.existsSync(plan.target) ? fs.readFileSync(plan.target, "utf8") : "");
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const fd = fs.openSync(temp, "wx", 0o600);
        try {
            fs.writeFileSync(fd, text);
            fs.fchmodSync(fd, 0o600); // whatever the umask: the file holds secrets
            if (plan.owner && process.getuid?.() === 0) fs.fchownSync(fd, plan.owner.uid, plan.owner.gid);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        fs.renameSync(temp, plan.target);
    } catch (err) {
        fs.rmSync(temp, { force: true });
        throw new UserError(`could not write ${shown(plan)}: ${reason(err)}; it was left as it was`);
    }
}
