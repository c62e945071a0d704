/**
 * mfa-session: an MFA session for tools that cannot use a role profile with mfa_serial (Terraform in seed 004).
 *
 *   npm run mfa-session -- --profile k3s-admin                 # user mode: sts:GetSessionToken
 *   npm run mfa-session -- --profile k3s-admin --stack dev     # role mode: assume the stack's MFA role
 *   eval "$(npm run -s mfa-session -- --profile k3s-admin --token-code 123456 --print-env)"
 *
 * Exit status 0 on success; 1 with one line on stderr on failure (the credentials file is then untouched); 2 for a
 * bad command line, before any file is read or AWS is called; 130 when Ctrl+C stops it at the code prompt.
 */
import { runCommand } from "../../cli/command";
import type { main } from "./command";

// Only the Node.js guard runs before the command and its dependencies (the AWS SDK, @pulumi/pulumi) are loaded.
/** Runs the command as this process: cli/launch.cjs calls it, after answering --help itself. */
export function run(argv: string[] = process.argv.slice(2)): Promise<number> {
    return runCommand("mfa-session", async (): Promise<typeof main> => (await import("./command")).main, { argv });
}

if (require.main === module) void run();
