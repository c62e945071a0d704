import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { HandoverArgs } from "../handover/person";
import { AwsStandIn, INSTANCE, REGION, type StandInOptions } from "./awsStandIn";
import { inBackground } from "./early";
import { makePki, TlsProxy, type Pki } from "./standIn/tlsProxy";

/**
 * The person's side as they run it: the Debian AWS CLI v2 (/usr/bin/aws) and kubectl, reaching the AWS stand-in
 * through a local TLS proxy (tests/standIn/tlsProxy.ts), with a PATH that holds those two and the POSIX tools the
 * hand-over's scripts use, and nothing else: no node, no npm, no python on PATH (the CLI's own #! names its python).
 */

export const AWS_CLI = "/usr/bin/aws";
/** The footprint: what a person's machine needs beyond the AWS CLI and kubectl. */
export const POSIX_TOOLS = [
    "sh",
    "cat",
    "dirname",
    "mktemp",
    "rm",
    "sed",
    "awk",
    "ls",
    "readlink",
    "mkdir",
    "chmod",
    "mv",
    "cut",
    "tr",
    "grep",
];

export interface PersonWorld {
    readonly standIn: AwsStandIn;
    readonly proxy: TlsProxy;
    readonly pki: Pki;
    /** A folder every user may read: the CA, the PATH of allowed tools. */
    readonly shared: string;
    readonly args: HandoverArgs;
    /** The environment of a run as a person whose home is `home`: nothing of this process's leaks in. */
    env(home: string): Record<string, string>;
    close(): Promise<void>;
}

function whichOf(tool: string): string {
    for (const dir of ["/usr/bin", "/bin"]) if (fs.existsSync(path.join(dir, tool))) return path.join(dir, tool);
    throw new Error(`${tool} is not in /usr/bin or /bin`);
}

export async function startPersonWorld(o: StandInOptions = {}): Promise<PersonWorld> {
    if (!fs.existsSync(AWS_CLI))
        throw new Error(`${AWS_CLI} is missing: apt-get install awscli (the Debian AWS CLI v2; .ci/run installs it)`);
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-person-"));
    fs.chmodSync(shared, 0o755);
    const bin = path.join(shared, "bin");
    fs.mkdirSync(bin);
    for (const tool of [...POSIX_TOOLS, "kubectl"]) fs.symlinkSync(whichOf(tool), path.join(bin, tool));
    // The same tools without the AWS CLI: setup.sh must not need it.
    fs.cpSync(bin, path.join(shared, "bin-no-aws"), { recursive: true, verbatimSymlinks: true });
    fs.symlinkSync(AWS_CLI, path.join(bin, "aws"));
    const pki = makePki(shared, REGION);
    fs.chmodSync(path.join(shared, "ca.pem"), 0o644);
    const standIn = await AwsStandIn.start(o);
    const proxy = await TlsProxy.start(pki, standIn.url);
    const account = standIn.world.account;
    const args: HandoverArgs = {
        userName: account.user.userName!,
        userArn: account.user.arn,
        roleArn: account.roleArn,
        roleName: account.roleName,
        region: REGION,
        sourceProfile: account.user.userName!,
        mfaDeviceName: account.user.userName!,
        durationSeconds: 3600,
        clusterId: "k3s-test",
        kubernetesGroups: ["k3s-admins"],
        kubeconfigCluster: "default",
        userMfaMaxAgeSeconds: 3600,
        testInstance: { type: INSTANCE.type, ami: INSTANCE.ami, subnetId: INSTANCE.subnetId },
    };
    return {
        standIn,
        proxy,
        pki,
        shared,
        args,
        env: (home) => ({
            HOME: home,
            PATH: bin,
            LANG: "C.UTF-8",
            HTTPS_PROXY: proxy.url,
            NO_PROXY: "127.0.0.1,localhost",
            AWS_CA_BUNDLE: pki.caFile,
            // No instance-metadata lookups (a second's timeout each) when a profile has no keys.
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_PAGER: "",
        }),
        close: async () => {
            await proxy.close();
            await standIn.close();
            fs.rmSync(shared, { recursive: true, force: true });
        },
    };
}

/** The long-term keys a person already has in ~/.aws/credentials (mode 600, as `aws configure` leaves it). */
export function credentialsOf(w: PersonWorld): string {
    const k = w.standIn.userKeys;
    return `[${w.args.sourceProfile}]\naws_access_key_id = ${k.accessKeyId}\naws_secret_access_key = ${k.secretAccessKey}\n`;
}

export interface Ran {
    readonly code: number;
    readonly out: string;
    readonly err: string;
}

const execFileAsync = promisify(execFile);

/** Runs `argv` with exactly `env`, `input` on stdin; never throws for an exit status. */
export async function run(argv: string[], env: Record<string, string>, input = "", cwd?: string): Promise<Ran> {
    const p = execFileAsync(argv[0]!, argv.slice(1), { env, cwd, encoding: "utf8" });
    inBackground(p.child);
    // A command that exits without reading its input (--help) closes the pipe first: that is not a failure.
    p.child.stdin?.on("error", () => undefined);
    p.child.stdin?.end(input);
    try {
        const r = await p;
        return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
        const x = e as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof x.code === "number" ? x.code : -1, out: x.stdout ?? "", err: x.stderr ?? "" };
    }
}
