import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from "@smithy/core/config";
import { UserError } from "./awsErrors";
import { UsageError } from "./command";
import { awsFiles } from "../commands/credentialsFile";

export interface Region {
    readonly name: string;
    /** Where it came from, for messages: "--region", "AWS_REGION", "profile k3s-admin". */
    readonly from: string;
}

/**
 * Where STS is asked when nothing names a region: the AWS CLI then uses STS's global endpoint, which is us-east-1.
 * The session profile gets no region in that case (a tool would otherwise quietly work in us-east-1).
 */
export const FALLBACK_REGION = "us-east-1";

/** What the SDK accepts as a region: a host label (its checkRegion), e.g. eu-west-1, cn-north-1, us-gov-west-1. */
const REGION = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function checked(name: string, from: string): Region {
    if (REGION.test(name)) return { name, from };
    const message = `${from} must be an AWS region such as eu-west-1, got ${JSON.stringify(name)}`;
    throw from === "--region" ? new UsageError(message) : new UserError(message);
}

/**
 * The region for `profile`, in the AWS CLI's order: --region, AWS_REGION, AWS_DEFAULT_REGION (the CLI reads it;
 * the JS SDK does not), then the profile's `region` setting. The last comes from the SDK's own loader, with the
 * selectors its clients use, so `[profile x]` sections, AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE and the
 * precedence between the two files are what the SDK does (the JS SDK, botocore and the Go SDK v2 all read `region`
 * from both files). Undefined when none is set: no instance metadata lookup, unlike the SDK's own default.
 */
export async function resolveRegion(
    flag: string | undefined,
    profile: string,
    env: NodeJS.ProcessEnv,
): Promise<Region | undefined> {
    for (const [value, from] of [
        [flag, "--region"],
        [env["AWS_REGION"], "AWS_REGION"],
        [env["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"],
    ] as const) {
        if (value !== undefined && value !== "") return checked(value, from);
    }
    const files = awsFiles(env);
    const fromProfile = await loadConfig<string | undefined>(
        {
            // The environment was read above, from `env` rather than process.env (tests pass their own).
            environmentVariableSelector: () => undefined,
            configFileSelector: NODE_REGION_CONFIG_OPTIONS.configFileSelector,
            default: () => undefined,
        },
        {
            ...NODE_REGION_CONFIG_FILE_OPTIONS,
            profile,
            filepath: files.credentials,
            configFilepath: files.config,
            ignoreCache: true,
        },
    )();
    return fromProfile ? checked(fromProfile, `the region of profile ${profile}`) : undefined;
}
