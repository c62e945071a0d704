import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IAMClient, ListMFADevicesCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { iamMock as iam, stsMock as sts } from "./sdkMocks";
import { parse as parseIni } from "ini";
import { main, type Context } from "../commands/mfa-session/command";

/**
 * What the mfa-session tests share: a HOME of real files in a temporary folder (removed after each test), and STS
 * and IAM stood in for by aws-sdk-client-mock, answering with the SDK's own output shapes.
 */

export { iamMock as iam, stsMock as sts } from "./sdkMocks";
export const SERIAL = "arn:aws:iam::123456789012:mfa/k3s-admin";
export const EXPIRES = new Date("2026-11-24T05:00:00Z");

/** A credentials file with other profiles and comments, which every run must keep exactly. */
export const BEFORE = [
    "# my AWS keys",
    "[default]",
    "aws_access_key_id = AKIADEFAULT",
    "aws_secret_access_key = default-secret",
    "",
    "[k3s-admin]",
    "; the seed's long-term keys",
    "aws_access_key_id = AKIAK3SADMIN",
    "aws_secret_access_key = k3s-secret",
    "",
].join("\n");

export const SESSION = {
    AccessKeyId: "ASIASESSION",
    SecretAccessKey: "session-secret",
    SessionToken: "session-token",
    Expiration: EXPIRES,
};

export function awsAnswers(): void {
    sts.reset();
    iam.reset();
    iam.on(ListMFADevicesCommand).resolves({
        MFADevices: [{ UserName: "k3s-admin", SerialNumber: SERIAL, EnableDate: new Date() }],
    });
    sts.on(GetSessionTokenCommand).resolves({ Credentials: SESSION });
    sts.on(AssumeRoleCommand).resolves({ Credentials: SESSION, AssumedRoleUser: { Arn: "x", AssumedRoleId: "y" } });
    sts.on(GetCallerIdentityCommand).resolves({
        Account: "123456789012",
        Arn: "arn:aws:iam::123456789012:user/k3s-admin",
        UserId: "AIDA",
    });
}

/** Calls that need (or spend) an MFA code. */
export const sessionCalls = () =>
    sts.commandCalls(GetSessionTokenCommand).length + sts.commandCalls(AssumeRoleCommand).length;

/** Any call to AWS at all. */
export const awsCalls = () => sts.calls().length + iam.calls().length;

export function awsError(name: string, message: string, extra: object = {}): Error {
    return Object.assign(new Error(message), { name, ...extra });
}

export const ini = (text: string) =>
    JSON.parse(JSON.stringify(parseIni(text))) as Record<string, Record<string, string>>;

export interface Run {
    code: number;
    out: string[];
    err: string[];
    /** The region the AWS clients were made for. */
    region?: string;
    /** Questions put to the person. */
    asked: string[];
}

export interface World {
    home: string;
    file: string;
    env: NodeJS.ProcessEnv;
    run: (argv: string[], ctx?: Partial<Context>) => Promise<Run>;
}

const made: string[] = [];

/** A fresh HOME with ~/.aws/credentials holding BEFORE (mode 0600). */
export function world(env: NodeJS.ProcessEnv = {}): World {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "mfa-session-"));
    made.push(home);
    fs.mkdirSync(path.join(home, ".aws"), { mode: 0o700 });
    const file = path.join(home, ".aws", "credentials");
    fs.writeFileSync(file, BEFORE, { mode: 0o600 });
    const fullEnv = { HOME: home, ...env };
    // The stack file --stack reads: the test's own, never the person's Pulumi.dev.yaml (which `pulumi stack rm` deletes).
    const projectDir = path.join(home, "project");
    fs.mkdirSync(projectDir);
    fs.writeFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "config:\n  aws:region: us-east-1\n");
    return {
        home,
        file,
        env: fullEnv,
        run: async (argv, ctx = {}) => {
            const r: Run = { code: -1, out: [], err: [], asked: [] };
            const prompt = ctx.prompt;
            r.code = await main(
                argv,
                { out: (l) => r.out.push(l), err: (l) => r.err.push(l) },
                {
                    env: fullEnv,
                    tty: false,
                    projectDir,
                    makeClients: (region) => {
                        r.region = region;
                        return { sts: new STSClient({ region }), iam: new IAMClient({ region }) };
                    },
                    ...ctx,
                    prompt: prompt
                        ? (q) => {
                              r.asked.push(q);
                              return prompt(q);
                          }
                        : undefined,
                },
            );
            return r;
        },
    };
}

/** Every file under `dir` with its bytes, mode and link target: equal snapshots mean nothing was touched. */
export function snapshot(dir: string): Record<string, string> {
    const result: Record<string, string> = {};
    for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
        const p = path.join(dir, name);
        const st = fs.lstatSync(p);
        const mode = (st.mode & 0o7777).toString(8);
        if (st.isSymbolicLink()) result[name] = `link ${fs.readlinkSync(p)}`;
        else if (st.isDirectory()) result[name] = `dir ${mode}`;
        else result[name] = `file ${mode} ${fs.readFileSync(p, "utf8")}`;
    }
    return result;
}

/** Makes `dir` and the folders under it writable again, so that a run as a normal user can delete them. */
function unlock(dir: string): void {
    fs.chmodSync(dir, 0o700);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) unlock(path.join(dir, entry.name));
    }
}

/** Removes every world made since the last call: call it in afterEach, so no test leaves a folder in the temp dir. */
export function removeWorlds(): void {
    for (const home of made.splice(0)) {
        unlock(home);
        fs.rmSync(home, { recursive: true, force: true });
    }
}
