/**
 * mfa-session's command line: flags, help, and the exit statuses (see commands/mfa-session/main.ts, the entry point).
 */
import * as path from "node:path";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { explain } from "../../cli/awsErrors";
import { FALLBACK_REGION, resolveRegion } from "../../cli/awsRegion";
import { EXIT, failure, parseFlags, terminalPrompt, usageText, UsageError, type Io } from "../../cli/command";
import { mfaSession, type SessionDeps } from "./session";
import { validate } from "./request";

const OPTIONS = {
    profile: { type: "string" },
    "serial-number": { type: "string" },
    "token-code": { type: "string" },
    "duration-seconds": { type: "string" },
    "role-arn": { type: "string" },
    stack: { type: "string" },
    "role-session-name": { type: "string" },
    "session-profile": { type: "string" },
    region: { type: "string" },
    "print-env": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
} as const;

export type MakeClients = (region: string, profile: string) => Pick<SessionDeps, "sts" | "iam">;

const realClients: MakeClients = (region, profile) => ({
    sts: new STSClient({ region, profile }),
    iam: new IAMClient({ region, profile }),
});

export interface Context {
    readonly env: NodeJS.ProcessEnv;
    readonly makeClients: MakeClients;
    /** Undefined when there is nobody to ask (stdin is not a terminal: CI, a pipe). */
    readonly prompt: SessionDeps["prompt"];
    /** Whether someone watches stderr on a terminal: then each wait for AWS is announced. */
    readonly tty: boolean;
    /** Where --stack finds Pulumi.<stack>.yaml: this project, unless a test gives a folder of its own. */
    readonly projectDir: string;
}

function seconds(raw: string | undefined): number | undefined {
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw))
        throw new UsageError(`--duration-seconds takes a whole number of seconds, got ${JSON.stringify(raw)}`);
    return Number(raw);
}

export async function main(argv: string[], io: Io, ctx: Partial<Context> = {}): Promise<number> {
    const env = ctx.env ?? process.env;
    const tty = ctx.tty ?? process.stderr.isTTY === true;
    let about: { profile: string; roleArn?: string } = { profile: env["AWS_PROFILE"] ?? "default" };
    try {
        const v = parseFlags(argv, OPTIONS);
        if (v.help) {
            io.out(usageText(__dirname));
            return EXIT.ok;
        }
        about = { profile: v.profile ?? about.profile, roleArn: v["role-arn"] };
        const req = {
            profile: about.profile,
            serialNumber: v["serial-number"],
            tokenCode: v["token-code"],
            durationSeconds: seconds(v["duration-seconds"]),
            roleArn: v["role-arn"],
            stack: v.stack,
            projectDir: ctx.projectDir ?? path.resolve(__dirname, "..", ".."),
            roleSessionName: v["role-session-name"],
            sessionProfile: v["session-profile"],
            printEnv: v["print-env"],
        };
        validate(req);
        const region = await resolveRegion(v.region, req.profile, env);
        const clients = (ctx.makeClients ?? realClients)(region?.name ?? FALLBACK_REGION, req.profile);
        const result = await mfaSession(
            { ...req, region },
            {
                ...clients,
                env,
                prompt: "prompt" in ctx ? ctx.prompt : process.stdin.isTTY ? terminalPrompt() : undefined,
                progress: tty ? (line) => io.err(`mfa-session: ${line}`) : undefined,
            },
        );
        if (result.exports) io.out(result.exports);
        io.err(`mfa-session: ${result.message}`);
        return EXIT.ok;
    } catch (err) {
        // explain() words AWS's errors; a plain Error says enough without its "Error: " prefix.
        const f = failure(err, (e) => explain(e, about).replace(/^Error: /, ""));
        io.err(`mfa-session: ${f.line}`);
        return f.code;
    }
}
