/**
 * One way of being a command for every command (checks/, commands/, dev/) (house style, habit 14): the Node.js guard, flag parsing
 * that fails with one line, and the documented exit statuses.
 *
 * This file imports nothing but Node's own modules and ./awsErrors (which imports nothing), so the guard runs before
 * anything that needs Node 22 is loaded:
 * a command's entry file imports only this module and loads the rest through `runCommand`'s `load`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError } from "./awsErrors";

/**
 * The exit statuses every command documents, the AWS CLI's where it has one (cli-usage-returncodes: 2 the command
 * line could not be parsed, 130 interrupted by SIGINT, the shell's 128 + 2).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/**
 * A command's help, from the usage.txt in its folder: the one copy, which cli/launch.cjs prints for `--help` without
 * loading TypeScript or the AWS SDK (issue 21, item 5). Without the file's last newline: `Io.out` adds one.
 */
export function usageText(dir: string): string {
    return fs.readFileSync(path.join(dir, "usage.txt"), "utf8").replace(/\n$/, "");
}

/** The command line itself is wrong (unknown flag, malformed or out-of-range value, conflicting flags): exit 2. */
export class UsageError extends Error {
    override name = "UsageError";
}

/** The person stopped the command (Ctrl+C): exit 130. */
export class Interrupted extends Error {
    override name = "Interrupted";
}

/** package.json's `engines.node` (a test keeps the two equal): @pulumi/pulumi and the AWS SDK need it. */
export const MIN_NODE_MAJOR = 22;

/** Why this Node.js cannot run the tools, or undefined when it can. */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
    const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? NaN);
    if (major >= MIN_NODE_MAJOR) return undefined;
    return `needs Node.js ${MIN_NODE_MAJOR} or newer, this is ${version.replace(/^v?/, "v")} (see README, "Prerequisites")`;
}

/** Error text as one line: whitespace collapsed, and no "Error:" prefix on errors that have nothing better to say. */
export function oneLine(err: unknown): string {
    if (!(err instanceof Error)) return String(err).replace(/\s+/g, " ").trim();
    const message = err.message.replace(/\s+/g, " ").trim();
    return err.name === "Error" || message.startsWith(`${err.name}:`) ? message : `${err.name}: ${message}`;
}

/**
 * The exit status and the one line for an error that ended a command. `explain` words the failures the command
 * knows (AWS errors, say); usage errors and interruptions are worded here, the same for every command.
 */
export function failure(err: unknown, explain: (err: unknown) => string = oneLine): { code: number; line: string } {
    const message = err instanceof Error ? err.message.replace(/\s+/g, " ").trim() : "";
    // By name as well as by class: a second copy of this module (a test runner that clears Node's module cache, a
    // duplicate install) has classes of its own.
    const is = (cls: typeof UsageError | typeof Interrupted) =>
        err instanceof cls || (err instanceof Error && err.name === cls.name);
    if (is(UsageError)) return { code: EXIT.usage, line: `${message} (see --help)` };
    if (is(Interrupted)) return { code: EXIT.interrupted, line: message };
    return { code: EXIT.failed, line: explain(err).replace(/\s+/g, " ").trim() };
}

/** The option a util.parseArgs message names: "--duration-seconds" in "Option '--duration-seconds <value>' …". */
function optionIn(message: string): string {
    return /'(-[^' ]+)/.exec(message)?.[1] ?? "an option";
}

/**
 * util.parseArgs (strict) with its errors turned into UsageErrors of one line: its own messages run to three
 * lines for `--duration-seconds -5`.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T) {
    try {
        return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
    } catch (err) {
        const code = (err as { code?: string }).code;
        const message = err instanceof Error ? err.message : String(err);
        const flag = optionIn(message);
        if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option ${flag}`);
        if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
            throw new UsageError(`unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ""}`.trim());
        }
        if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
            if (/ambiguous/.test(message))
                throw new UsageError(`${flag} needs a value; write one that starts with "-" as ${flag}=VALUE`);
            if (/does not take an argument/.test(message)) throw new UsageError(`${flag} takes no value`);
            throw new UsageError(`${flag} needs a value`);
        }
        throw new UsageError(oneLine(err).split(". ")[0]!);
    }
}

/** Asks on a terminal. Node's readline rejects the question with an AbortError on Ctrl+C or Ctrl+D. */
export function terminalPrompt(
    input: NodeJS.ReadableStream = process.stdin,
    output: NodeJS.WritableStream = process.stderr,
    terminal?: boolean,
): (question: string) => Promise<string> {
    return async (question) => {
        const rl = readline.createInterface({ input, output, ...(terminal === undefined ? {} : { terminal }) });
        try {
            return await rl.question(question);
        } catch (err) {
            output.write("\n"); // the cursor is still after the question: the error line starts on a line of its own
            throw err;
        } finally {
            rl.close();
        }
    };
}

/**
 * Asks for an MFA code on the terminal, for every command that needs one: six digits; Ctrl+D ends with one line,
 * Ctrl+C as an interruption (exit 130). `nothingDone` ends both lines: what the stop left undone.
 */
export async function askMfaCode(
    prompt: (question: string) => Promise<string>,
    serial: string,
    nothingDone: string,
): Promise<string> {
    let code: string;
    try {
        code = (await prompt(`MFA code for ${serial}: `)).trim();
    } catch (err) {
        if (!(err instanceof Error) || err.name !== "AbortError") throw err;
        if (/Ctrl\+D/.test(err.message)) throw new UserError(`no MFA code entered (Ctrl+D); ${nothingDone}`);
        throw new Interrupted(`interrupted at the MFA prompt (Ctrl+C); ${nothingDone}`);
    }
    return checkMfaCode(code);
}

/** An MFA code, from a flag or the terminal: six digits. */
export function checkMfaCode(code: string): string {
    if (!/^\d{6}$/.test(code)) throw new UserError(`the MFA code must be 6 digits, got ${code.length} characters`);
    return code;
}

export interface Io {
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
}

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

export type Main = (argv: string[], io: Io) => Promise<number>;

export interface RunOptions {
    readonly argv?: string[];
    readonly io?: Io;
    readonly nodeVersion?: string;
    readonly setExitCode?: (code: number) => void;
}

/**
 * Runs a command as the process: refuses an old Node.js with one line before `load` brings in anything else, then
 * sets the exit status from `main`, or from one line for anything `main` let escape.
 */
export async function runCommand(name: string, load: () => Promise<Main>, opts: RunOptions = {}): Promise<number> {
    const io = opts.io ?? consoleIo;
    const setExitCode =
        opts.setExitCode ??
        ((code: number) => {
            process.exitCode = code;
        });
    const problem = nodeVersionProblem(opts.nodeVersion);
    let code: number;
    if (problem) {
        io.err(`${name}: ${problem}`);
        code = EXIT.failed;
    } else {
        try {
            code = await (await load())(opts.argv ?? process.argv.slice(2), io);
        } catch (err) {
            const f = failure(err);
            io.err(`${name}: ${f.line}`);
            code = f.code;
        }
    }
    setExitCode(code);
    return code;
}
