/**
 * The check-dependencies command (its entry is dev/dependencies/main.ts; run by .ci/run after `npm ci`): looks
 * up each direct dependency in the npm registry and fails, one line per package, when its locked version is above
 * the package's `latest` tag, a prerelease, or deprecated (the rules, pure and tested: dev/dependencies/rules.ts).
 *
 * The registry is the one npm is configured with (`npm config get registry`: .npmrc and npm_config_* apply), asked
 * once per package, all at once, from this one process. Not `npm view` per package: each starts a Node.js process
 * and parses the package's full document (9 MB for @types/node): 28 of them took 58 s where this took 8.6 s, on the
 * same machine at the same load (docs/dependencies.md).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { EXIT, type Io, parseFlags, usageText } from "../../cli/command";
import { dependencyProblems, type LockedDependency, lockedDirectDependencies, type RegistryAnswer } from "./rules";

const ROOT = path.resolve(__dirname, "..", "..");

/** The abbreviated document `npm install` asks for (npm's registry API), the full one where a registry has no other. */
const ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

/** The registry npm uses here; under `npm run`, the npm that started us. */
async function npmRegistry(env: NodeJS.ProcessEnv = process.env): Promise<string> {
    const npm = env["npm_execpath"];
    const [command, prefix] = npm && /\.[cm]?js$/.test(npm) ? [process.execPath, [npm]] : ["npm", []];
    const { stdout } = await promisify(execFile)(command, [...prefix, "config", "get", "registry"], { cwd: ROOT });
    return stdout.trim();
}

/** One package's document; a failure becomes an answer, so one bad package does not hide the others. */
export async function lookUp(
    registry: string,
    dep: LockedDependency,
    tries = 3,
    pauseMs = 1000,
): Promise<RegistryAnswer> {
    // A scoped name keeps its @ and escapes its slash, as npm-registry-fetch writes it.
    const url = new URL(dep.registryName.replace("/", "%2f"), registry.endsWith("/") ? registry : `${registry}/`);
    // A network hiccup or a registry's 5xx is asked again (three tries, a second apart): CI should not fail on one
    // dropped connection. A 404 is an answer (unpublished), not a hiccup.
    let last: RegistryAnswer = { error: { code: "ENOANSWER", summary: url.href } };
    for (let attempt = 1; attempt <= tries; attempt++) {
        if (attempt > 1) await new Promise((r) => setTimeout(r, pauseMs));
        try {
            const response = await fetch(url, { headers: { accept: ACCEPT }, signal: AbortSignal.timeout(30_000) });
            if (response.ok) return (await response.json()) as RegistryAnswer;
            last = { error: { code: `E${response.status}`, summary: `${url.href} ${response.statusText}` } };
            if (response.status < 500) return last;
        } catch (err) {
            // fetch says only "fetch failed"; its cause names the real fault (DNS, TLS, refused).
            const cause = (err as { cause?: { code?: string; message?: string } }).cause;
            const why = cause?.code ?? cause?.message ?? (err as Error).message;
            last = { error: { code: "ENOANSWER", summary: `${url.href}: ${(err as Error).message} (${why})` } };
        }
    }
    return last;
}

export async function main(
    argv: string[],
    io: Io,
    /** Looks one package up; default: the registry npm is configured with. */
    look?: (dep: LockedDependency) => Promise<RegistryAnswer>,
    root: string = ROOT,
): Promise<number> {
    if (parseFlags(argv, { help: { type: "boolean", short: "h" } }).help) {
        io.out(usageText(__dirname));
        return EXIT.ok;
    }
    const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8")) as never;
    const deps = lockedDirectDependencies(read("package.json"), read("package-lock.json"));
    const started = Date.now();
    const registry = look ? undefined : await npmRegistry();
    const answers = await Promise.all(deps.map((dep) => (look ? look(dep) : lookUp(registry!, dep))));
    const problems = dependencyProblems(deps, Object.fromEntries(deps.map((d, i) => [d.name, answers[i]!])));
    for (const line of problems) io.err(`check-dependencies: ${line}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.out(
        `check-dependencies: ${deps.length - problems.length} of ${deps.length} direct dependencies fine as locked (${seconds} s)`,
    );
    return problems.length === 0 ? EXIT.ok : EXIT.failed;
}
