/**
 * prove-mfa: seed 004's experiment, run by the person holding the user's long-term keys and MFA device, against
 * the real AWS APIs, creating nothing (issue #10).
 *
 *   npm run prove-mfa -- --stack dev                                  # asks for a code at step 3
 *   npm run prove-mfa -- --stack dev --decode-profile admin           # also shows who refused step 1
 *   pulumi stack output --json | npm run -s prove-mfa -- --outputs - --token-code 123456
 *
 * Exit status 0 when every step is as the policies promise; 1 with one line on stderr naming the first step that
 * was not, or what to do when the run failed; 2 for a bad command line; 130 when Ctrl+C stops it at the prompt.
 */
import { runCommand } from "../../cli/command";
import type { main } from "./command";

// Only the Node.js guard runs before the command and its dependencies (the AWS SDK) are loaded.
/** Runs the command as this process: cli/launch.cjs calls it, after answering --help itself. */
export function run(argv: string[] = process.argv.slice(2)): Promise<number> {
    return runCommand("prove-mfa", async (): Promise<typeof main> => (await import("./command")).main, { argv });
}

if (require.main === module) void run();
