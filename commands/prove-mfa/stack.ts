import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { UserError } from "../../cli/awsErrors";

/**
 * What prove-mfa needs from the deployed stack: names, ARNs and the test instance's settings, read from the stack's
 * outputs (`pulumi stack output --json`), never from config alone: the experiment is about what was deployed.
 */
export interface StackFacts {
    /** For messages: "stack dev", "the current stack", "outputs in out.json". */
    readonly label: string;
    /** The `pulumi` command that deploys this stack, for what-to-do hints. */
    readonly upCommand: string;
    readonly userName: string;
    readonly userArn: string;
    readonly roleName: string;
    readonly roleArn: string;
    readonly partition: string;
    readonly accountId: string;
    /** From the awsConfigProfile output, when it is there: the person's profile settings. */
    readonly profile: { readonly region?: string; readonly mfaSerial?: string; readonly sourceProfile?: string };
    readonly instance: { readonly type: string; readonly subnetId: string; readonly ami: string };
}

/** Where the outputs come from: `--outputs FILE`, `--outputs -` (stdin), or the pulumi CLI. */
export type OutputsSource =
    | { readonly kind: "file"; readonly path: string }
    | { readonly kind: "stdin" }
    | { readonly kind: "pulumi"; readonly stack?: string };

/** Runs the pulumi CLI; rejects like execFile (`code` ENOENT when it is not installed, `stderr` otherwise). */
export type RunPulumi = (args: readonly string[], cwd: string) => Promise<string>;

/** execFile, no shell: the stack name reaches pulumi as one argument whatever it holds. */
export const runPulumi: RunPulumi = (args, cwd) =>
    new Promise((resolve, reject) => {
        execFile("pulumi", [...args], { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) reject(Object.assign(err, { stderr: String(stderr) }));
            else resolve(String(stdout));
        });
    });

const STACK_NAME = /^[A-Za-z0-9_.\/-]+$/;

/** `--stack` as pulumi accepts it: `dev`, or `org/project/dev`. */
export function checkStackName(stack: string): boolean {
    return STACK_NAME.test(stack) && !stack.startsWith("-");
}

function readStdin(): Promise<string> {
    return new Promise((resolve, reject) => {
        let text = "";
        process.stdin.setEncoding("utf8");
        process.stdin.on("data", (chunk) => (text += chunk));
        process.stdin.on("end", () => resolve(text));
        process.stdin.on("error", reject);
    });
}

/** The outputs' JSON text, and how to name and redeploy the stack they came from. */
export async function readOutputs(
    source: OutputsSource,
    projectDir: string,
    run: RunPulumi,
): Promise<{ text: string; label: string; upCommand: string }> {
    if (source.kind === "file") {
        try {
            return {
                text: fs.readFileSync(source.path, "utf8"),
                label: `outputs in ${source.path}`,
                upCommand: "pulumi up",
            };
        } catch (err) {
            const code = (err as { code?: string }).code ?? "";
            throw new UserError(
                `cannot read --outputs ${source.path} (${code}): write it with \`pulumi stack output --json > ${source.path}\``,
            );
        }
    }
    if (source.kind === "stdin") return { text: await readStdin(), label: "outputs on stdin", upCommand: "pulumi up" };
    const stackArgs = source.stack ? ["--stack", source.stack] : [];
    const label = source.stack ? `stack ${source.stack}` : "the current stack";
    const upCommand = ["pulumi up", ...stackArgs].join(" ");
    try {
        return { text: await run(["stack", "output", "--json", ...stackArgs], projectDir), label, upCommand };
    } catch (err) {
        const e = err as { code?: unknown; stderr?: string };
        if (e.code === "ENOENT")
            throw new UserError(
                "the pulumi CLI is not on PATH: install it, or give the outputs with --outputs FILE (pulumi stack output --json > FILE)",
            );
        const said = (e.stderr ?? "").split(/\r?\n/).find((l) => l.trim() !== "") ?? String(err);
        throw new UserError(
            `\`pulumi stack output\` for ${label} failed: ${said.trim()}: check --stack (pulumi stack ls), or use --outputs FILE`,
        );
    }
}

/** `key = value` lines of the awsConfigProfile output. */
function profileSettings(text: unknown): StackFacts["profile"] {
    if (typeof text !== "string") return {};
    const get = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*(\\S+)\\s*$`, "m").exec(text)?.[1];
    return { region: get("region"), mfaSerial: get("mfa_serial"), sourceProfile: get("source_profile") };
}

/**
 * The admin to prove: the stack's first (`userName`, `userArn`, `awsConfigProfile`), or, in a stack of several
 * admins, the one `--user` names, from the `people` output.
 */
function chosenAdmin(
    o: Record<string, unknown>,
    label: string,
    user: string | undefined,
): { userName?: unknown; userArn?: unknown; awsConfigProfile?: unknown } {
    if (user === undefined || user === o["userName"]) return o;
    const people = (o["people"] ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const person = people[user];
    if (typeof person !== "object" || person === null) {
        const known = [String(o["userName"]), ...Object.keys(people).filter((n) => n !== o["userName"])];
        throw new UserError(`${label} has no admin \`${user}\` (its admins: ${known.join(", ")}): check --user`);
    }
    return { userName: user, userArn: person["userArn"], awsConfigProfile: person["awsConfigProfile"] };
}

/** Checks the outputs and turns them into facts; every dead end names what to run. */
export function stackFacts(text: string, label: string, upCommand: string, user?: string): StackFacts {
    let outputs: unknown;
    try {
        outputs = JSON.parse(text);
    } catch {
        throw new UserError(`${label} are not JSON: give the output of \`pulumi stack output --json\``);
    }
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs))
        throw new UserError(`${label} are not a JSON object: give the output of \`pulumi stack output --json\``);
    const o = outputs as Record<string, unknown>;
    if (Object.keys(o).length === 0)
        throw new UserError(`${label} has no outputs: it is not deployed yet; run \`${upCommand}\` first`);
    const text1 = (key: string, fix: string): string => {
        const v = o[key];
        if (typeof v !== "string" || v === "") throw new UserError(`${label} has no output \`${key}\`: ${fix}`);
        return v;
    };
    const redeploy = `deployed by an older version of this program; run \`${upCommand}\``;
    const admin = chosenAdmin(o, label, user);
    const userArn = typeof admin.userArn === "string" ? admin.userArn : text1("userArn", redeploy);
    const arn = /^arn:([^:]+):iam::(\d{12}):user\/.+$/.exec(userArn);
    if (!arn) throw new UserError(`${label}: userArn is not an IAM user ARN: ${JSON.stringify(userArn)}`);
    if (o["testInstanceId"] === undefined || o["testInstanceId"] === null) {
        throw new UserError(
            `${label} has no test instance (createTestInstance is false): run \`pulumi config set createTestInstance true\` and \`${upCommand}\``,
        );
    }
    return {
        label,
        upCommand,
        userName: typeof admin.userName === "string" ? admin.userName : text1("userName", redeploy),
        userArn,
        roleName: text1("roleName", redeploy),
        roleArn: text1("roleArn", redeploy),
        partition: arn[1]!,
        accountId: arn[2]!,
        profile: profileSettings(admin.awsConfigProfile),
        instance: {
            type: text1("testInstanceType", redeploy),
            subnetId: text1("testInstanceSubnetId", redeploy),
            ami: text1("testInstanceAmi", redeploy),
        },
    };
}
