import { ListMFADevicesCommand, type IAMClient } from "@aws-sdk/client-iam";
import {
    AssumeRoleCommand,
    DecodeAuthorizationMessageCommand,
    GetCallerIdentityCommand,
    GetSessionTokenCommand,
    type STSClient,
} from "@aws-sdk/client-sts";
import { MFA_DENY_SID } from "../../components/policies";
import { UserError } from "../../cli/awsErrors";
import { StepError, type StepOutcome } from "./output";
import type { StackFacts } from "./stack";
import { type Ec2, runInstancesDryRun } from "../ec2";

/**
 * Seed 004's experiment, as the person holding the user's keys: five requests against the real APIs, each judged
 * against what the policies promise. DryRun and sts calls only: nothing is created, nothing is written.
 */

export interface Signed {
    readonly sts: Pick<STSClient, "send">;
    readonly ec2: Ec2;
    readonly iam: Pick<IAMClient, "send">;
}

export interface SessionKeys {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
}

export interface ProveDeps {
    /** Clients signed by the profile's long-term keys. */
    readonly longTerm: Signed;
    /** Clients signed by a session's keys. */
    readonly signedBy: (keys: SessionKeys) => Signed;
    /** STS signed by --decode-profile, for sts:DecodeAuthorizationMessage. */
    readonly decoder?: { readonly sts: Pick<STSClient, "send">; readonly profile: string };
    readonly tokenCode: () => Promise<string>;
    /** Each step's outcome, as soon as it is known. */
    readonly report: (o: StepOutcome) => void;
    /** Every credential the run holds, so no printed line can carry one. */
    readonly secret: (value: string) => void;
}

export interface ProveRequest {
    readonly facts: StackFacts;
    readonly profile: string;
    readonly serialNumber: string;
}

const SHORTEST_SESSION = 900; // GetSessionToken's and AssumeRole's minimum: the session dies soon after the run.

/** The step's call, turned into a StepError when AWS or the SDK fails rather than answers. */
async function call<T>(step: number, what: string, profile: string, f: () => Promise<T>): Promise<T> {
    try {
        return await f();
    } catch (err) {
        throw err instanceof StepError ? err : new StepError(step, what, err, profile);
    }
}

type DryRunAnswer = { code: "DryRunOperation" | "UnauthorizedOperation"; message: string };

/** RunInstances with DryRun: EC2 answers DryRunOperation (412, allowed) or UnauthorizedOperation (403). */
async function dryRun(ec2: Signed["ec2"], facts: StackFacts): Promise<DryRunAnswer> {
    const i = facts.instance;
    try {
        await ec2.send(
            runInstancesDryRun({
                DryRun: true,
                ImageId: i.ami,
                InstanceType: i.type,
                SubnetId: i.subnetId,
                MinCount: 1,
                MaxCount: 1,
            }),
        );
    } catch (err) {
        const e = err as Error;
        if (e.name === "DryRunOperation" || e.name === "UnauthorizedOperation")
            return { code: e.name, message: e.message };
        throw err;
    }
    throw new UserError("EC2 answered a DryRun RunInstances with success, which it never does: check the endpoint");
}

/** Who denied, from sts:DecodeAuthorizationMessage's DecodedMessage (seed 004 shows one). */
async function decode(deps: ProveDeps, step: number, message: string): Promise<string | undefined> {
    if (!deps.decoder) return undefined;
    const encoded = /Encoded authorization failure message: (\S+)/.exec(message)?.[1];
    if (!encoded) return "no encoded message to decode";
    const out = await call(step, "sts:DecodeAuthorizationMessage", deps.decoder.profile, () =>
        deps.decoder!.sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded })),
    );
    type Decoded = {
        explicitDeny?: boolean;
        matchedStatements?: { items?: { statementId?: string; effect?: string }[] };
    };
    let decoded: Decoded;
    try {
        decoded = JSON.parse(out.DecodedMessage ?? "") as Decoded;
    } catch {
        return "an undecodable message";
    }
    if (!decoded.explicitDeny) return "no Allow matched (no explicit deny)";
    const sids = (decoded.matchedStatements?.items ?? []).filter((s) => s.effect === "DENY").map((s) => s.statementId);
    return sids.includes(MFA_DENY_SID)
        ? `explicit deny by ${MFA_DENY_SID}`
        : `explicit deny by ${sids.filter(Boolean).join(", ") || "a statement without Sid (an SCP?)"}`;
}

function asked(facts: StackFacts): string {
    const i = facts.instance;
    return `ec2:RunInstances DryRun (${i.type}, ${i.subnetId}, ${i.ami})`;
}

async function step1(req: ProveRequest, deps: ProveDeps, whom: string): Promise<StepOutcome> {
    const a = await call(1, "ec2:RunInstances", req.profile, () => dryRun(deps.longTerm.ec2, req.facts));
    const base = { step: 1, asked: asked(req.facts), as: whom };
    if (a.code === "DryRunOperation") {
        return {
            ...base,
            held: false,
            answer: "DryRunOperation (would have succeeded)",
            meaning: `long-term keys alone can launch EC2; ${MFA_DENY_SID} must deny it (BoolIfExists, not Bool): fix the user's inline policy and \`${req.facts.upCommand}\``,
        };
    }
    const who = await decode(deps, 1, a.message);
    const ours = who === undefined || who === `explicit deny by ${MFA_DENY_SID}`;
    return {
        ...base,
        held: ours,
        answer: `UnauthorizedOperation${who ? `, ${who}` : ""}`,
        meaning: ours
            ? `denied without MFA${who ? "" : "; add --decode-profile to see by which statement"}`
            : `refused, but not by ${MFA_DENY_SID}: this proves nothing about MFA; find the statement in the decoded message`,
    };
}

async function step2(req: ProveRequest, deps: ProveDeps, whom: string): Promise<StepOutcome> {
    const base = { step: 2, asked: `sts:AssumeRole ${req.facts.roleName}`, as: whom };
    try {
        await deps.longTerm.sts.send(
            new AssumeRoleCommand({
                RoleArn: req.facts.roleArn,
                RoleSessionName: req.facts.userName,
                DurationSeconds: SHORTEST_SESSION,
            }),
        );
    } catch (err) {
        if ((err as Error).name !== "AccessDenied") throw new StepError(2, "sts:AssumeRole", err, req.profile);
        // The user's own Deny refuses AssumeRole before the role's trust is read (issue 20 §5): a trust without MFA
        // would be refused the same way, so the step claims only what the refusal shows.
        const meaning = /identity-based policy/.test((err as Error).message)
            ? "refused by the user's MFA Deny (the role's trust was not reached: this proves the Deny, not the trust)"
            : "refused without MFA (by the user's Deny or the role's trust: this step cannot tell which)";
        return { ...base, held: true, answer: "AccessDenied", meaning };
    }
    return {
        ...base,
        held: false,
        answer: "a role session",
        meaning: `the role admits long-term keys without MFA: fix its trust policy (Bool aws:MultiFactorAuthPresent true) and \`${req.facts.upCommand}\``,
    };
}

async function mfaSession(req: ProveRequest, deps: ProveDeps): Promise<SessionKeys> {
    const code = await deps.tokenCode();
    const out = await call(3, "sts:GetSessionToken", req.profile, () =>
        deps.longTerm.sts.send(
            new GetSessionTokenCommand({
                SerialNumber: req.serialNumber,
                TokenCode: code,
                DurationSeconds: SHORTEST_SESSION,
            }),
        ),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
        throw new StepError(3, "sts:GetSessionToken", new UserError("AWS returned no credentials"), req.profile);
    [c.AccessKeyId, c.SecretAccessKey, c.SessionToken].forEach(deps.secret);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

async function step3(req: ProveRequest, deps: ProveDeps, session: Signed, whom: string): Promise<StepOutcome> {
    const a = await call(3, "ec2:RunInstances", req.profile, () => dryRun(session.ec2, req.facts));
    const base = { step: 3, asked: `sts:GetSessionToken, then ${asked(req.facts)}`, as: whom };
    if (a.code === "DryRunOperation")
        return { ...base, held: true, answer: "DryRunOperation (would have succeeded)", meaning: "allowed with MFA" };
    const who = await decode(deps, 3, a.message);
    return {
        ...base,
        held: false,
        answer: `UnauthorizedOperation${who ? `, ${who}` : ""}`,
        meaning: `an MFA session must be able to launch EC2; ${who ? "see the decoded message" : "add --decode-profile to see which statement denies it"}`,
    };
}

async function step4(req: ProveRequest, deps: ProveDeps, session: Signed, whom: string): Promise<StepOutcome> {
    const f = req.facts;
    const expected = `arn:${f.partition}:sts::${f.accountId}:assumed-role/${f.roleName}/${f.userName}`;
    const base = {
        step: 4,
        asked: `sts:AssumeRole ${f.roleName} (no second code, session name ${f.userName})`,
        as: whom,
    };
    let arn: string | undefined;
    try {
        const out = await session.sts.send(
            new AssumeRoleCommand({
                RoleArn: f.roleArn,
                RoleSessionName: f.userName,
                DurationSeconds: SHORTEST_SESSION,
            }),
        );
        const c = out.Credentials;
        [c?.AccessKeyId, c?.SecretAccessKey, c?.SessionToken].forEach((v) => v && deps.secret(v));
        arn = out.AssumedRoleUser?.Arn;
    } catch (err) {
        if ((err as Error).name !== "AccessDenied") throw new StepError(4, "sts:AssumeRole", err, req.profile);
        return {
            ...base,
            held: false,
            answer: "AccessDenied",
            meaning: `the role refuses a fresh MFA session: check its trust policy (principal ${f.userArn}, MultiFactorAuthAge)`,
        };
    }
    const held = arn === expected;
    return {
        ...base,
        held,
        answer: arn ?? "a session without an AssumedRoleUser",
        meaning: held ? "the session carries MFA" : `the assumed role must be ${expected}`,
    };
}

async function step5(req: ProveRequest, deps: ProveDeps, whom: string): Promise<StepOutcome> {
    const base = { step: 5, asked: `iam:ListMFADevices of ${req.facts.userName}`, as: whom };
    let serials: string[];
    try {
        const out = await deps.longTerm.iam.send(new ListMFADevicesCommand({ UserName: req.facts.userName }));
        serials = (out.MFADevices ?? []).map((d) => d.SerialNumber ?? "");
    } catch (err) {
        if ((err as Error).name !== "AccessDenied") throw new StepError(5, "iam:ListMFADevices", err, req.profile);
        return {
            ...base,
            held: false,
            answer: "AccessDenied",
            meaning: "a bootstrap action needs MFA: the Deny's NotAction must keep iam:ListMFADevices",
        };
    }
    const listed = serials.includes(req.serialNumber) ? `, ${req.serialNumber} among them` : "";
    return {
        ...base,
        held: true,
        answer: `${serials.length} device(s)${listed}`,
        meaning: "a bootstrap action, no MFA needed",
    };
}

/** Runs the five steps in order; an answer against the policy does not stop the run, an error does. */
export async function proveMfa(req: ProveRequest, deps: ProveDeps): Promise<StepOutcome[]> {
    const f = req.facts;
    // GetCallerIdentity cannot be denied: it tells whose keys these are before anything is judged.
    const me = await call(1, "sts:GetCallerIdentity", req.profile, () =>
        deps.longTerm.sts.send(new GetCallerIdentityCommand({})),
    );
    if (me.Arn !== f.userArn)
        throw new UserError(
            `profile \`${req.profile}\` signs as ${me.Arn}, not as the stack's user ${f.userArn}: give the profile with ${f.userName}'s long-term keys (--profile)`,
        );
    const bare = `${f.userName}, long-term keys of profile ${req.profile}`;
    const outcomes: StepOutcome[] = [];
    const done = (o: StepOutcome) => {
        outcomes.push(o);
        deps.report(o);
    };
    done(await step1(req, deps, bare));
    done(await step2(req, deps, bare));
    const session = deps.signedBy(await mfaSession(req, deps));
    const withMfa = `${f.userName}, MFA session`;
    done(await step3(req, deps, session, withMfa));
    done(await step4(req, deps, session, withMfa));
    done(await step5(req, deps, bare));
    return outcomes;
}
