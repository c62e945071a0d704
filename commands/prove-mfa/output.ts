import { explain, UserError } from "../../cli/awsErrors";

/** prove-mfa's words: one line per step, and one line for anything that stopped the run, naming what to do. */

export const STEPS = 5;

/** What one step asked, as whom, what AWS answered, and whether that is what the policy promises. */
export interface StepOutcome {
    readonly step: number;
    /** What AWS answered is what the policy promises. */
    readonly held: boolean;
    readonly asked: string;
    readonly as: string;
    readonly answer: string;
    /** As promised: what the policy promises; otherwise what the answer means and what to do. */
    readonly meaning: string;
}

export function stepLine(o: StepOutcome): string {
    const verdict = o.held ? "as promised" : "NOT as promised";
    return `${o.step}/${STEPS} ${o.held ? "ok  " : "FAIL"} ${o.asked} as ${o.as} -> ${o.answer}: ${verdict} (${o.meaning})`;
}

/** A failure to run a step (not an answer that contradicts the policy): which step, and AWS's error. */
export class StepError extends Error {
    constructor(
        readonly step: number,
        readonly what: string,
        readonly cause: unknown,
        /** Whose credentials signed the failed call, for the messages that name a profile. */
        readonly profile: string,
    ) {
        super(`step ${step} (${what})`);
        this.name = "StepError";
    }
}

export interface ExplainContext {
    readonly region: string;
    /** The stack's region, when its outputs name one: where the test instance's subnet and AMI are. */
    readonly stackRegion?: string;
    readonly instanceType: string;
}

/** One line for an AWS or SDK error, ending with what to do: EC2's own refusals here, the rest as every command says them. */
function explainAws(err: unknown, profile: string, ctx: ExplainContext): string {
    if (!(err instanceof Error) || err instanceof UserError) return explain(err, { profile });
    const name = err.name;
    const message = err.message.replace(/\s+/g, " ").trim();
    const inStackRegion =
        ctx.stackRegion && ctx.stackRegion !== ctx.region
            ? `run in the stack's region (--region ${ctx.stackRegion})`
            : "check the stack's test instance settings, then `pulumi up`";
    if (name === "Unsupported" || (name === "InvalidParameterValue" && /instance ?type/i.test(message)))
        return `EC2 in ${ctx.region} does not offer ${ctx.instanceType} there (${name}: ${message}): ${inStackRegion}`;
    if (/^InvalidAMIID\./.test(name) || /^InvalidSubnetID\./.test(name) || name === "InvalidSubnet")
        return `EC2 in ${ctx.region} does not know the stack's ${/AMI/.test(name) ? "AMI" : "subnet"} (${name}): ${inStackRegion}`;
    if (
        (name === "AccessDenied" && !/MultiFactorAuthentication|one time pass ?code/i.test(message)) ||
        name === "UnauthorizedOperation"
    )
        return `profile \`${profile}\` is not allowed this (${name}: ${message})`;
    return explain(err, { profile });
}

/** The line for an error that stopped the run. */
export function explainStop(err: unknown, ctx: ExplainContext): string {
    if (err instanceof StepError) return `${err.message}: ${explainAws(err.cause, err.profile, ctx)}`;
    return explainAws(err, "", ctx);
}
