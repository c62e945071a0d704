/**
 * prove-mfa's command line: flags, help, credentials and exit statuses (commands/prove-mfa/main.ts is the entry point).
 */
import * as path from "node:path";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { parseKnownFiles } from "@smithy/core/config";
import { UserError } from "../../cli/awsErrors";
import { ec2Client } from "../ec2";
import { FALLBACK_REGION, resolveRegion } from "../../cli/awsRegion";
import {
    askMfaCode,
    EXIT,
    failure,
    parseFlags,
    terminalPrompt,
    usageText,
    UsageError,
    type Io,
} from "../../cli/command";
import { awsFiles, profileExists } from "../credentialsFile";
import { explainStop, STEPS, stepLine } from "./output";
import { proveMfa, type SessionKeys, type Signed } from "./steps";
import { checkStackName, readOutputs, runPulumi, stackFacts, type OutputsSource, type RunPulumi } from "./stack";

const OPTIONS = {
    stack: { type: "string" },
    outputs: { type: "string" },
    user: { type: "string" },
    profile: { type: "string" },
    "serial-number": { type: "string" },
    "token-code": { type: "string" },
    region: { type: "string" },
    "decode-profile": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
} as const;

/** Clients for a region, signed by explicit keys or by a profile's own credentials chain. */
export type MakeClients = (a: { region: string; keys?: SessionKeys | LongTermKeys; profile?: string }) => Signed;

export interface LongTermKeys {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

const realClients: MakeClients = ({ region, keys, profile }) => {
    const auth = keys ? { credentials: keys } : { profile };
    return {
        sts: new STSClient({ region, ...auth }),
        ec2: ec2Client({ region, ...auth }),
        iam: new IAMClient({ region, ...auth }),
    };
};

export interface Context {
    readonly env: NodeJS.ProcessEnv;
    readonly makeClients: MakeClients;
    readonly runPulumi: RunPulumi;
    /** Undefined when there is nobody to ask (stdin is not a terminal). */
    readonly prompt: ((question: string) => Promise<string>) | undefined;
}

/**
 * The profile's own access keys, read from the shared files as the SDK reads them. Only static keys will do: the
 * experiment is about what long-term keys can do, so a session, a role or SSO profile is turned away.
 */
async function longTermKeys(profile: string, env: NodeJS.ProcessEnv): Promise<LongTermKeys> {
    const files = awsFiles(env);
    if (!profileExists(env, profile))
        throw new UserError(
            `AWS profile \`${profile}\` is not in ${files.credentials} or ${files.config}: \`aws configure --profile ${profile}\` with the user's access keys, or name it with --profile`,
        );
    const p =
        (
            await parseKnownFiles({
                profile,
                filepath: files.credentials,
                configFilepath: files.config,
                ignoreCache: true,
            })
        )[profile] ?? {};
    if (p["aws_session_token"])
        throw new UserError(
            `profile \`${profile}\` holds temporary credentials (a session token), not long-term keys: give the profile with the user's access keys (--profile)`,
        );
    const accessKeyId = p["aws_access_key_id"];
    const secretAccessKey = p["aws_secret_access_key"];
    if (!accessKeyId || !secretAccessKey)
        throw new UserError(
            `profile \`${profile}\` holds no access keys: \`aws configure --profile ${profile}\` with the user's long-term keys`,
        );
    return { accessKeyId, secretAccessKey };
}

/** The code for step 3: --token-code, or asked on the terminal when step 3 comes. */
function codeSource(flag: string | undefined, serial: string, prompt: Context["prompt"]): () => Promise<string> {
    if (flag !== undefined) return async () => flag;
    if (!prompt) throw new UserError("no --token-code given and no terminal to ask for it: give --token-code CODE");
    return () => askMfaCode(prompt, serial, "nothing was asked with a code");
}

function source(v: { stack?: string; outputs?: string }): OutputsSource {
    if (v.stack !== undefined && v.outputs !== undefined) throw new UsageError("give --stack or --outputs, not both");
    if (v.stack !== undefined && !checkStackName(v.stack))
        throw new UsageError(`--stack must be a stack name such as dev, got ${JSON.stringify(v.stack)}`);
    if (v.outputs === "") throw new UsageError("--outputs must name a file, or - for stdin");
    if (v.outputs === "-") return { kind: "stdin" };
    if (v.outputs !== undefined) return { kind: "file", path: v.outputs };
    return { kind: "pulumi", stack: v.stack };
}

export async function main(argv: string[], io: Io, ctx: Partial<Context> = {}): Promise<number> {
    const env = ctx.env ?? process.env;
    const makeClients = ctx.makeClients ?? realClients;
    const secrets = new Set<string>();
    const scrub = (line: string) => [...secrets].reduce((l, s) => l.split(s).join("[secret]"), line);
    let explainCtx: Parameters<typeof explainStop>[1] = { region: "", instanceType: "" };
    try {
        const v = parseFlags(argv, OPTIONS);
        if (v.help) {
            io.out(usageText(__dirname));
            return EXIT.ok;
        }
        const from = source(v);
        if (v["serial-number"] !== undefined && !/^[\w+=/:,.@-]{9,256}$/.test(v["serial-number"]))
            throw new UsageError(
                `--serial-number must be an MFA device ARN, got ${JSON.stringify(v["serial-number"])}`,
            );
        if (v.user !== undefined && !/^[\w+=,.@-]{1,64}$/.test(v.user))
            throw new UsageError(`--user must be an IAM user name, got ${JSON.stringify(v.user)}`);
        if (v["token-code"] !== undefined && !/^\d{6}$/.test(v["token-code"]))
            throw new UsageError("--token-code must be 6 digits");
        for (const flag of ["profile", "decode-profile"] as const)
            if (v[flag] !== undefined && v[flag]!.trim() === "") throw new UsageError(`--${flag} must name a profile`);
        const flagRegion = v.region === undefined ? undefined : (await resolveRegion(v.region, "", {}))!.name;

        const projectDir = path.resolve(__dirname, "..", "..");
        const o = await readOutputs(from, projectDir, ctx.runPulumi ?? runPulumi);
        const facts = stackFacts(o.text, o.label, o.upCommand, v.user);
        const profile = v.profile ?? facts.profile.sourceProfile ?? env["AWS_PROFILE"] ?? "default";
        const region =
            flagRegion ??
            facts.profile.region ??
            (await resolveRegion(undefined, profile, env))?.name ??
            FALLBACK_REGION;
        explainCtx = { region, stackRegion: facts.profile.region, instanceType: facts.instance.type };
        const serialNumber = v["serial-number"] ?? facts.profile.mfaSerial;
        if (!serialNumber)
            throw new UserError(
                `${facts.label} names no MFA device (no awsConfigProfile output): give --serial-number ARN`,
            );
        const keys = await longTermKeys(profile, env);
        secrets.add(keys.secretAccessKey);
        const decodeProfile = v["decode-profile"];
        if (decodeProfile !== undefined && !profileExists(env, decodeProfile))
            throw new UserError(
                `--decode-profile \`${decodeProfile}\` is not in ${awsFiles(env).config}: name the deployer's profile`,
            );
        const prompt = "prompt" in ctx ? ctx.prompt : process.stdin.isTTY ? terminalPrompt() : undefined;

        const outcomes = await proveMfa(
            { facts, profile, serialNumber },
            {
                longTerm: makeClients({ region, keys }),
                signedBy: (session) => makeClients({ region, keys: session }),
                decoder: decodeProfile
                    ? { sts: makeClients({ region, profile: decodeProfile }).sts, profile: decodeProfile }
                    : undefined,
                tokenCode: codeSource(v["token-code"], serialNumber, prompt),
                report: (outcome) => io.out(scrub(stepLine(outcome))),
                secret: (s) => secrets.add(s),
            },
        );
        const first = outcomes.find((x) => !x.held);
        if (first) {
            io.err(scrub(`prove-mfa: step ${first.step} is not as the policy promises: ${first.meaning}`));
            return EXIT.failed;
        }
        io.out(
            `prove-mfa: all ${STEPS} steps as the policies promise for ${facts.userName} (${facts.label}, ${region})`,
        );
        return EXIT.ok;
    } catch (err) {
        const f = failure(err, (e) => explainStop(e, explainCtx));
        io.err(scrub(`prove-mfa: ${f.line}`));
        return f.code;
    }
}
