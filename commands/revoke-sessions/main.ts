/**
 * revoke-sessions-policy: prints the Deny that ends an IAM user's sessions issued before a time
 * (commands/revoke-sessions/policy.ts). Exit status 0 with the policy on stdout; 2 for a bad command line.
 */
import { runCommand } from "../../cli/command";
import type { main } from "./policy";

/** Runs the command as this process: cli/launch.cjs calls it, after answering --help itself. */
export function run(argv: string[] = process.argv.slice(2)): Promise<number> {
    return runCommand("revoke-sessions-policy", async (): Promise<typeof main> => (await import("./policy")).main, {
        argv,
    });
}

if (require.main === module) void run();
