/**
 * check-enforcement: proves, against the deployed account, that the admin user is locked without MFA and that the
 * role admits it only with a recent MFA sign-in. Run by the EnforcementCheck component during `pulumi up`; usable
 * by hand too (`npm run check-enforcement -- --help`). Exit status 0 with a one-line summary when every scenario
 * holds; 1 with one line on stderr naming the one that did not; 2 for bad arguments or settings.
 */
import { runCommand } from "../cli/command";
import type { main } from "./command";

// Only the Node.js guard runs before the command and its dependencies (the AWS SDK, @pulumi/pulumi) are loaded.
/** Runs the command as this process: cli/launch.cjs calls it, after answering --help itself. */
export function run(argv: string[] = process.argv.slice(2)): Promise<number> {
    return runCommand("check-enforcement", async (): Promise<typeof main> => (await import("./command")).main, {
        argv,
    });
}

if (require.main === module) void run();
