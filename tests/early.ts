/**
 * Work a test file waits for in other processes (a spawned script, the policy analyzer, kubectl), started as the run
 * starts rather than when the file's turn comes. mocha runs the files one after the other in one process, which would
 * sit idle while a child process loads ts-node and the SDK; started at the beginning, the children run on the second
 * core while this one runs the other files' tests (issue #14).
 *
 * A file declares its work at load time with `early(start, stop, prepare?)` and awaits the returned function in its own
 * hook, which starts the work then if nothing has. The children run at a lower priority (`inBackground`), and npm test
 * runs the files that import this module last, so the work has the whole run to finish. The work is the same as before
 * and its assertions stay in the file; only the moment it starts moves. Starting everything at once is for a whole run
 * (npm test sets TEST_EARLY=1): with --grep or a few files, what a filtered-out file declared would run for nothing.
 * Whatever started is stopped after the last test.
 */

import { setPriority } from "node:os";

interface Registered {
    start(): Promise<void>;
    stop(): Promise<void>;
}

// Kept on the process, not in this module: mocha --watch loads the test files and this module anew for every re-run,
// while the root hooks (tests/hooks.ts) stay those of the first load.
const KEY = Symbol.for("k3s-admin-mfa.tests.early");
const registry = ((process as unknown as Record<symbol, Registered[]>)[KEY] ??= []);

/**
 * Declares work that a whole run starts before its first test; returns the function that awaits it (starting it
 * then, if the run has not). `prepare`, when given, runs first and alone: before the first test in a whole run, or
 * in the awaiting file's hook otherwise, so it may use what tests use one at a time (Pulumi's mocks); `start` gets
 * what it returns and runs in the background. `stop` releases what the work holds (a process, a server) after the
 * last test; `start` must release what it holds itself if it fails.
 */
export function early<T, P = undefined>(
    start: (prepared: P) => Promise<T>,
    stop: (value: T) => Promise<void> | void,
    prepare: () => Promise<P> = async () => undefined as P,
): () => Promise<T> {
    let prepared: Promise<P> | undefined;
    let started: Promise<T> | undefined;
    // prepare runs through a promise even if it throws at once: its failure is the awaiting file's, not the run's.
    const prepareOnce = (): Promise<P> => (prepared ??= Promise.resolve().then(prepare));
    const get = (): Promise<T> => (started ??= prepareOnce().then(start));
    registry.push({
        start: async () => {
            // The file that awaits the work reports a failure of either step.
            await prepareOnce().catch(() => undefined);
            void get().catch(() => undefined);
        },
        stop: async () => {
            if (!started) return;
            const value = await started.catch(() => undefined);
            if (value !== undefined) await stop(value);
        },
    });
    return get;
}

/**
 * Root hooks: prepare each declared piece of work in the order the files were loaded, one at a time, and leave it
 * running; stop it all after the last test. A `prepare` that never ends times the root hook out (mocha's timeout),
 * and with it the run: keep them short.
 */
export async function startEarly(): Promise<void> {
    if (process.env["TEST_EARLY"] !== "1") return;
    for (const r of registry) await r.start();
}

export async function stopEarly(): Promise<void> {
    await Promise.all(registry.splice(0).map((r) => r.stop()));
}

/**
 * Lowers a child process's priority (nice 10, as npm test does for the type-check): while early work runs, the test
 * files mocha runs meanwhile decide the run's wall time, so the work should take only the CPU they leave. Returns the
 * child. Where the system does not allow it, the child keeps the usual priority.
 */
export function inBackground<T extends { readonly pid?: number | undefined }>(child: T): T {
    try {
        if (child.pid !== undefined) setPriority(child.pid, 10);
    } catch {
        // Not allowed here: the child runs at the same priority as mocha.
    }
    return child;
}
