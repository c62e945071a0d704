/**
 * mfa-session: an MFA session for tools that cannot use a role profile with mfa_serial (Terraform in seed 004).
 *
 *   npm run mfa-session -- --profile k3s-admin                 # user mode: sts:GetSessionToken
 *   npm run mfa-session -- --profile k3s-admin --stack dev     # role mode: assume the stack's MFA role
 *   eval "$(npm run -s mfa-session -- --profile k3s-admin --token-code 123456 --print-env)"
 *
 * Exit status 0 on success, 1 with one line on stderr on failure (the credentials file is then untouched), 2 for
 * bad arguments.
 */
import * as path from "node:path";
import * as readline from "node:readline/promises";
import { parseArgs } from "node:util";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { explain } from "./awsErrors";
import { mfaSession, type SessionDeps } from "./mfaSession";

const USAGE = `usage: mfa-session [--profile NAME] [--serial-number ARN] [--token-code CODE] [--duration-seconds N]
                   [--role-arn ARN | --stack NAME] [--role-session-name NAME] [--region REGION]
                   [--session-profile NAME | --print-env]

Turns the long-term keys of --profile plus a code from your MFA device into temporary credentials.
  user mode (default)    sts:GetSessionToken; --duration-seconds 900 to 129600 (default 43200)
  --role-arn ARN         sts:AssumeRole of that role with MFA; --duration-seconds 900 to 43200 (default 3600)
  --stack NAME           assume this project's MFA role of stack NAME (Pulumi.NAME.yaml); at most 3600 s
  --profile NAME         profile with the long-term keys (default: $AWS_PROFILE, else "default")
  --serial-number ARN    MFA device (default: the one enrolled for those keys, via iam:ListMFADevices)
  --token-code CODE      the 6-digit code (default: asked for on the terminal)
  --session-profile NAME profile written to the shared credentials file (default: <profile>-session,
                         or <profile>-role-session); other profiles and comments are kept
  --print-env            print export lines for eval instead of writing a file
  --region REGION        region of the STS endpoint (default: $AWS_REGION, else us-east-1)
  -h, --help             this help`;

export interface Io {
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
}

export type MakeClients = (region: string, profile: string) => Pick<SessionDeps, "sts" | "iam">;

const realClients: MakeClients = (region, profile) => ({
    sts: new STSClient({ region, profile }),
    iam: new IAMClient({ region, profile }),
});

/** Asks on the terminal; nothing to ask when stdin is not one (CI, a pipe). */
async function terminalPrompt(question: string): Promise<string> {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
        return await rl.question(question);
    } finally {
        rl.close();
    }
}

export async function main(
    argv: string[],
    io: Io,
    env: NodeJS.ProcessEnv = process.env,
    makeClients: MakeClients = realClients,
    prompt: SessionDeps["prompt"] = process.stdin.isTTY ? terminalPrompt : undefined,
): Promise<number> {
    let v: ReturnType<typeof parse>;
    try {
        v = parse(argv);
    } catch (err) {
        io.err(`mfa-session: ${(err as Error).message} (see --help)`);
        return 2;
    }
    if (v.help) {
        io.out(USAGE);
        return 0;
    }
    const profile = v.profile ?? env["AWS_PROFILE"] ?? "default";
    const rawDuration = v["duration-seconds"];
    if (rawDuration !== undefined && !/^\d+$/.test(rawDuration)) {
        io.err(
            `mfa-session: --duration-seconds takes a whole number of seconds, got ${JSON.stringify(rawDuration)} (see --help)`,
        );
        return 2;
    }
    const duration = rawDuration === undefined ? undefined : Number(rawDuration);
    try {
        const clients = makeClients(v.region ?? env["AWS_REGION"] ?? "us-east-1", profile);
        const result = await mfaSession(
            {
                profile,
                serialNumber: v["serial-number"],
                tokenCode: v["token-code"],
                durationSeconds: duration,
                roleArn: v["role-arn"],
                stack: v.stack,
                projectDir: path.resolve(__dirname, ".."),
                roleSessionName: v["role-session-name"],
                sessionProfile: v["session-profile"],
                printEnv: v["print-env"],
            },
            { ...clients, env, prompt },
        );
        if (result.exports) io.out(result.exports);
        io.err(`mfa-session: ${result.message}`);
        return 0;
    } catch (err) {
        io.err(`mfa-session: ${explain(err, { profile, roleArn: v["role-arn"] })}`);
        return 1;
    }
}

function parse(argv: string[]) {
    const text = { type: "string" } as const;
    return parseArgs({
        args: argv,
        options: {
            profile: text,
            "serial-number": text,
            "token-code": text,
            "duration-seconds": text,
            "role-arn": text,
            stack: text,
            "role-session-name": text,
            "session-profile": text,
            region: text,
            "print-env": { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
    }).values;
}

if (require.main === module) {
    void main(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => {
        process.exitCode = code;
    });
}
