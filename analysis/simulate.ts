import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

/** What @cloud-copilot/iam-simulate answers: a decision with its analysis, or the errors that stopped it. */
export type SimulationResult = Awaited<ReturnType<typeof runSimulation>>;

/**
 * One IAM evaluation (@cloud-copilot/iam-simulate, as AWS's policy evaluation logic decides), remembered: the
 * engine is a pure function of the request and the documents, and the access matrices of different settings ask
 * it the same questions again (measured in issue #14: 16,226 evaluations in a test run, 7,920 of them distinct).
 * The key is the whole simulation, so two requests differing in any field are evaluated apart; the engine evaluates
 * a copy made from the key, so what it answers is what the key says even if the caller's objects change meanwhile.
 * Callers only read the result; it is shared, not copied.
 */
export function simulate(simulation: Simulation): Promise<SimulationResult> {
    const key = JSON.stringify(simulation);
    let found = remembered.get(key);
    if (found) {
        // Most recently used last: the oldest entry is the first to go.
        remembered.delete(key);
    } else {
        found = runSimulation(JSON.parse(key) as Simulation, {});
        found.catch(() => remembered.delete(key));
        if (remembered.size >= LIMIT) remembered.delete(remembered.keys().next().value!);
    }
    remembered.set(key, found);
    return found;
}

/** About 10 KB an entry: a few tens of MB at most, for every distinct request of a test run. */
const LIMIT = 4096;
const remembered = new Map<string, Promise<SimulationResult>>();
