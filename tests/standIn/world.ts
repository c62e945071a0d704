import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { awsConfigProfile } from "../../components/clientConfig";
import { ROLE_MAX_SESSION_SECONDS } from "../../components/mfaRole";
import type { PolicyDocument } from "../../components/policies";
import { main, type Context } from "../../commands/prove-mfa/command";
import { AwsStandIn, INSTANCE, REGION, type StandInOptions } from "../awsStandIn";
import { inBackground } from "../early";

/**
 * What the prove-mfa tests share: one stand-in per test file, a HOME with real AWS files in a temporary folder
 * (never ~/.aws), stack outputs as `pulumi stack output --json` prints them, and the command run in-process with
 * the real SDK pointed at the stand-in, or spawned as a person runs it.
 */

const ROOT = path.resolve(__dirname, "..", "..");

export interface Run {
    readonly code: number;
    readonly out: string[];
    readonly err: string[];
}

/** The seed's mistake, for the negative control: `Bool` where the MFA Deny needs `BoolIfExists`. */
export function boolInsteadOfBoolIfExists(doc: PolicyDocument): PolicyDocument {
    for (const s of doc.Statement) {
        if (s.Condition?.BoolIfExists) {
            s.Condition = { ...s.Condition, Bool: s.Condition.BoolIfExists };
            delete s.Condition.BoolIfExists;
        }
    }
    return doc;
}

export class ProveWorld {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "prove-mfa-"));
    readonly credentials = path.join(this.dir, "credentials");
    readonly config = path.join(this.dir, "config");
    private readonly saved: Record<string, string | undefined> = {};
    private readonly stubs: (() => void)[] = [];

    constructor(readonly standIn: AwsStandIn) {}

    /**
     * A world and its stand-in. `inProcess` (the default) points this process's SDK at it too; without, it only
     * serves spawned commands, so two can run side by side.
     */
    static async start(options: StandInOptions = {}, inProcess = true): Promise<ProveWorld> {
        const w = new ProveWorld(await AwsStandIn.start(options));
        w.writeFiles();
        if (inProcess) {
            w.setProcessEnv({
                ...w.env(),
                AWS_PROFILE: undefined,
                AWS_ACCESS_KEY_ID: undefined,
                AWS_REGION: undefined,
            });
            w.liftSdkStubs();
        }
        return w;
    }

    /** What the SDK reads from process.env (endpoints, shared files) and the command's own env. */
    env(extra: Record<string, string> = {}): Record<string, string> {
        return {
            HOME: this.dir,
            AWS_SHARED_CREDENTIALS_FILE: this.credentials,
            AWS_CONFIG_FILE: this.config,
            ...this.standIn.endpoints(),
            ...extra,
        };
    }

    writeFiles(extraCredentials = "", extraConfig = ""): void {
        const s = this.standIn;
        const keys = (k: { accessKeyId: string; secretAccessKey: string }) =>
            `aws_access_key_id = ${k.accessKeyId}\naws_secret_access_key = ${k.secretAccessKey}\n`;
        fs.writeFileSync(
            this.credentials,
            `[k3s-admin]\n${keys(s.userKeys)}\n[deployer]\n${keys(s.deployerKeys)}\n${extraCredentials}`,
        );
        fs.writeFileSync(
            this.config,
            `[profile k3s-admin]\nregion = ${REGION}\n\n[profile deployer]\nregion = ${REGION}\n${extraConfig}`,
        );
    }

    /** `pulumi stack output --json` of the deployed stack, with some outputs changed. */
    outputs(over: Record<string, unknown> = {}): Record<string, unknown> {
        const a = this.standIn.world.account;
        const userName = a.user.userName!;
        return {
            userName,
            userArn: a.user.arn,
            policyName: "k3s-admin-ui-cli-with-mfa",
            roleName: a.roleName,
            roleArn: a.roleArn,
            mfaMaxAgeSeconds: 3600,
            testInstanceId: "i-0123456789abcdef0",
            testInstanceType: INSTANCE.type,
            testInstanceSubnetId: INSTANCE.subnetId,
            testInstanceAmi: INSTANCE.ami,
            awsConfigProfile: awsConfigProfile({
                userName,
                userArn: a.user.arn,
                roleArn: a.roleArn,
                roleName: a.roleName,
                region: REGION,
                sourceProfile: userName,
                mfaDeviceName: userName,
                durationSeconds: ROLE_MAX_SESSION_SECONDS,
                clusterId: "k3s",
                kubernetesGroups: ["system:masters"],
                kubeconfigCluster: "default",
            }),
            ...over,
        };
    }

    outputsFile(over: Record<string, unknown> = {}, name = "outputs.json"): string {
        const file = path.join(this.dir, name);
        fs.writeFileSync(file, JSON.stringify(this.outputs(over), null, 2));
        return file;
    }

    /** The command in this process, as main() is called by commands/prove-mfa/main.ts. */
    async run(argv: string[], ctx: Partial<Context> = {}): Promise<Run> {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(
            argv,
            { out: (l) => out.push(l), err: (l) => err.push(l) },
            {
                env: this.env(),
                prompt: undefined,
                ...ctx,
            },
        );
        return { code, out, err };
    }

    /** The command as a person runs it: `node -r ts-node/register/transpile-only commands/prove-mfa/main.ts`. */
    spawn(argv: string[], env: Record<string, string>, stdin = ""): Promise<Run & { stdout: string }> {
        return new Promise((resolve) => {
            const child = inBackground(
                spawn(
                    process.execPath,
                    ["-r", "ts-node/register/transpile-only", path.join("commands", "prove-mfa", "main.ts"), ...argv],
                    { cwd: ROOT, env: { PATH: process.env["PATH"] ?? "", ...this.env(), ...env } },
                ),
            );
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.stdin.end(stdin);
            child.on("close", (code) => {
                const lines = (t: string) => t.split("\n").filter((l) => l !== "");
                resolve({ code: code ?? -1, out: lines(stdout), err: lines(stderr), stdout });
            });
        });
    }

    /** Every output line must be free of the credentials the stand-in handed out. */
    leaked(r: Run): string[] {
        const text = [...r.out, ...r.err].join("\n");
        return this.standIn.world.account.secrets().filter((s) => text.includes(s));
    }

    setProcessEnv(vars: Record<string, string | undefined>): void {
        for (const [k, v] of Object.entries(vars)) {
            if (!(k in this.saved)) this.saved[k] = process.env[k];
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }

    /**
     * Other test files stub the clients' `send` on their prototypes (aws-sdk-client-mock's mockClient(STSClient)),
     * which would swallow this file's real requests; lift those stubs for this file and put them back after it.
     */
    private liftSdkStubs(): void {
        for (const C of [STSClient, IAMClient]) {
            const own = Object.getOwnPropertyDescriptor(C.prototype, "send");
            if (!own) continue;
            delete (C.prototype as { send?: unknown }).send;
            this.stubs.push(() => Object.defineProperty(C.prototype, "send", own));
        }
    }

    async stop(): Promise<void> {
        this.stubs.forEach((put) => put());
        for (const [k, v] of Object.entries(this.saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
        await this.standIn.close();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
