/**
 * The benchmark's world (dev/bench/person.sh): the AWS stand-in behind its TLS proxy, a hand-over folder and a
 * HOME with the person's long-term keys, kept up until SIGTERM. Prints `export` lines for the shell to source.
 * Enough one-time codes for every run: AWS accepts each code once, and so does the stand-in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { handoverFiles } from "../handover/person";
import { credentialsOf, startPersonWorld } from "./personWorld";

const runs = Number(process.argv[2] ?? "10");
const codes = Array.from({ length: 4 * runs + 10 }, (_, i) => String(100000 + i));

void (async () => {
    const w = await startPersonWorld({ codes });
    const home = path.join(w.shared, "home");
    fs.mkdirSync(path.join(home, ".aws"), { recursive: true });
    fs.writeFileSync(path.join(home, ".aws/credentials"), credentialsOf(w), { mode: 0o600 });
    const handover = path.join(w.shared, "handover");
    fs.mkdirSync(handover);
    for (const [name, text] of Object.entries(handoverFiles(w.args))) fs.writeFileSync(path.join(handover, name), text);
    const env = {
        ...w.env(home),
        BENCH_HANDOVER: handover,
        BENCH_SERIAL: `arn:aws:iam::123456789012:mfa/${w.args.userName}`,
    };
    process.stdout.write(
        Object.entries(env)
            .map(([k, v]) => `export ${k}='${v}'\n`)
            .join("") + "export BENCH_READY=1\n",
    );
    // Kept alive by the servers; the bench's exit trap ends it.
    process.on("SIGTERM", () => void w.close().then(() => process.exit(0)));
})();
