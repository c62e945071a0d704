/**
 * check-dependencies: fails when a direct dependency's locked version is above npm's `latest` for it, a
 * prerelease, or deprecated (issue 19). Run by .ci/run after `npm ci`; by hand: `npm run check-dependencies`.
 * Exit status 0 when every one is fine; 1 with one line per package that is not; 2 for a bad command line.
 */
import { runCommand } from "../../cli/command";
import type { main } from "./command";

/** Runs the command as this process: cli/launch.cjs calls it, after answering --help itself. */
export function run(argv: string[] = process.argv.slice(2)): Promise<number> {
    return runCommand("check-dependencies", async (): Promise<typeof main> => (await import("./command")).main, {
        argv,
    });
}

if (require.main === module) void run();
