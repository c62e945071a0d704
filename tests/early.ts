/**
 * Work a test file waits for in other processes (a spawned script, the policy analyzer, kubectl), started as the run
 * starts rather than when the file's turn comes. mocha runs the files one after the other in one process, which would
 * sit idle while a child process loads ts-node and the SDK; started at the beginning, the children run on the second
 * core while this one runs the other files' tests (issue #14).
 *
 * A file declares its work at load time with `early(start, stop)` and awaits the returned function in its own hook,
 * which starts the work then if nothing has. The work is the same as before and its assertions stay in the file; only
 * the moment it starts moves. Starting everything at once is for a whole run (npm test sets TEST_EARLY=1): with
 * --grep or a few files, what a filtered-out file declared would run for nothing. Whatever started is stopped after
 * the last test.
 */

interface Registered {
    start(): void;
    stop(): Promise<void>;
}

// Kept on the process, not in this module: mocha --watch loads the test files and this module anew for every re-run,
// while the root hooks (tests/hooks.ts) stay those of the first load.
const KEY = Symbol.for("k3s-admin-mfa.tests.early");
const registry = ((process as unknown as Record<symbol, Registered[]>)[KEY] ??= []);

/**
 * Declares work that a whole run starts before its first test; returns the function that awaits it (starting it
 * then, if the run has not). `stop` releases what the work holds (a process, a server) after the last test. `start`
 * must release what it holds itself if it fails.
 */
export function early<T>(start: () => Promise<T>, stop: (value: T) => Promise<void> | void): () => Promise<T> {
    let started: Promise<T> | undefined;
    const get = (): Promise<T> => (started ??= start());
    registry.push({
        start: () => void get().catch(() => undefined), // the file that awaits it reports the failure
        stop: async () => {
            if (!started) return;
            const value = await started.catch(() => undefined);
            if (value !== undefined) await stop(value);
        },
    });
    return get;
}

/** Root hooks: start everything declared, in the order the files were loaded; stop it all at the end. */
export function startEarly(): void {
    if (process.env["TEST_EARLY"] !== "1") return;
    for (const r of registry) r.start();
}

export async function stopEarly(): Promise<void> {
    await Promise.all(registry.splice(0).map((r) => r.stop()));
}
