/**
 * Quiet success: a passing run prints the reporter's lines and nothing else, so that nothing in it looks like an
 * error. While the tests run, whatever the mocha process writes to stderr (console.error and console.warn, Node's
 * process warnings, and `pulumi.log` without an engine, which prints `error: [runtime] …` through console.error) is
 * held back rather than printed, under the title of the test that was running. A test of a failure path that expects
 * such output takes it with `takeStderr()` and asserts it; whatever no test took is printed at the end of the run,
 * under the test that wrote it, and fails the run (tests/hooks.ts), so it is fixed where it starts.
 *
 * Only the mocha process's own writes are seen: a child process a test starts has its own stderr, which the tests
 * capture.
 */

/** Output written while one test (or hook, or the loading of the files) ran. */
export interface Held {
    readonly during: string;
    readonly text: string;
}

/** Records writes to a stream in place of printing them, until `release`. Pure enough to test on its own. */
export class StderrHold {
    private held: Held[] = [];
    private during = "loading the test files";
    private original: NodeJS.WriteStream["write"] | undefined;

    constructor(private readonly stream: NodeJS.WriteStream) {}

    /** From now on, writes to the stream are held. */
    start(): void {
        if (this.original) return;
        const original = this.stream.write;
        this.original = original;
        const held = this.held;
        this.stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
            const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
            held.push({ during: this.during, text });
            // write(chunk, [encoding], [callback]): the callback still runs, as if the text had been written.
            const callback = rest.find((r): r is () => void => typeof r === "function");
            if (callback) process.nextTick(callback);
            return true;
        }) as NodeJS.WriteStream["write"];
    }

    /** Names what runs now (a test's full title), for the writes that follow. */
    now(during: string): void {
        this.during = during;
    }

    /** The text held since the last take, taken: the test that expected it asserts it. */
    take(): string {
        return this.held
            .splice(0)
            .map((h) => h.text)
            .join("");
    }

    /** Everything held that nobody took, emptied. */
    untaken(): Held[] {
        return this.held.splice(0);
    }

    /** Writes go to the stream again. */
    release(): void {
        if (this.original) this.stream.write = this.original;
        this.original = undefined;
    }
}

// One per process: mocha --watch loads this module again on every re-run, while the root hooks stay the first load's.
const KEY = Symbol.for("k3s-admin-mfa.tests.quiet");
export const stderrHold = ((process as unknown as Record<symbol, StderrHold>)[KEY] ??= new StderrHold(process.stderr));

/** What the code under test wrote to stderr during this test, taken so that it does not fail the run. */
export function takeStderr(): string {
    return stderrHold.take();
}

/** The report of what no test took: one block per test, its output indented. Empty when nothing was left. */
export function reportUntaken(held: readonly Held[]): string {
    const byTest = new Map<string, string>();
    for (const h of held) byTest.set(h.during, (byTest.get(h.during) ?? "") + h.text);
    // Blank output cannot look like an error (a child's lone newline, say): only text counts.
    for (const [during, text] of byTest) if (text.trim() === "") byTest.delete(during);
    if (byTest.size === 0) return "";
    const blocks = [...byTest].map(
        ([during, text]) => `  during ${during}:\n${text.replace(/\n$/, "").replace(/^/gm, "    ")}`,
    );
    return (
        `output on stderr that no test expected (capture it with takeStderr() from tests/quiet.ts and assert it, ` +
        `or stop it at its source):\n${blocks.join("\n")}\n`
    );
}
