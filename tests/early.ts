/**
 * Work a test file waits for in other processes (a spawned script, the policy analyzer), started as the run starts
 * rather than when the file's turn comes. mocha runs the files one after the other in one process, which would sit
 * idle while a child process loads ts-node and the SDK; started at the beginning, the children run on the second
 * core while this one runs the other files' tests (issue #14: about 4 s of the run's wall time).
 *
 * A file declares its work at load time with `early(start, stop)` and awaits the returned function in its own hook.
 * The work is the same as before and its assertions stay in the file; only the moment it starts moves. When only
 * some files run (npm run test:one), only theirs start. What nobody awaited still gets stopped at the end.
 */

interface Registered {
    start(): void;
    stop(): Promise<void>;
}

const registered: Registered[] = [];

/**
 * Declares work to start at the beginning of the run; returns the function that awaits it (starting it then, if the
 * run has not). `stop` releases what the work holds (a process, a server); it runs after the last test.
 */
export function early<T>(start: () => Promise<T>, stop: (value: T) => Promise<void> | void): () => Promise<T> {
    let started: Promise<T> | undefined;
    const get = (): Promise<T> => (started ??= start());
    registered.push({
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
    for (const r of registered) r.start();
}

export async function stopEarly(): Promise<void> {
    await Promise.all(registered.splice(0).map((r) => r.stop()));
}
