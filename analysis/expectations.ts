import {
    MFA_BOOTSTRAP_ACTIONS,
    MFA_DEVICE_SETUP_ACTIONS,
    MFA_DEVICE_WRITE_ACTIONS,
    type MfaPolicyStyle,
    USER_RESOURCE_EXEMPTIONS,
} from "../components/policies";
import type { Caller } from "./callers";

export type Decision = "ALLOW" | "DENY";

/**
 * What the stack is supposed to do, from its config alone — never from the documents under test. StackConfig fits,
 * so `npm run plan` passes the parsed config itself.
 */
export interface Expectations {
    /** The people the role must let in (`adminUserNames`, or `userName` alone), each only under their own name. */
    readonly admins: readonly { readonly userName: string }[];
    readonly hardened: boolean;
    readonly roleTrust: "user" | "account";
    /** The role's trust: MFA younger than this. */
    readonly mfaMaxAgeSeconds: number;
    /** `scoped` (own user only, no device deletion, sessions age out) or `seed` (the seed's statement alone). */
    readonly mfaPolicy: MfaPolicyStyle;
    /** `scoped`: the user's own MFA sessions act as admin while younger than this. */
    readonly userMfaMaxAgeSeconds: number;
}

/** What a request is made on, when it is not the caller's own resource of the type the action expects. */
export type Target = "own" | "another user" | "resource policy";

/** The bootstrap actions the config exempts from "with MFA only" (hardened drops device set-up). */
function exempt(e: Expectations, action: string): boolean {
    return MFA_BOOTSTRAP_ACTIONS.includes(action) && !(e.hardened && MFA_DEVICE_SETUP_ACTIONS.includes(action));
}

/**
 * The decision the config asks for on a request of the admin user. Without MFA only the bootstrap actions, and in
 * the scoped style only on the user's own identity (and a device of the user's own name) and never deleting a
 * device; with MFA everything, until the scoped style's age limit, after which only the bootstrap actions that change
 * nothing (issue #20). sts:AssumeRole also needs the role's trust.
 */
export function expectedForUser(e: Expectations, caller: Caller, action: string, target: Target): Decision {
    const scoped = e.mfaPolicy === "scoped";
    if (!caller.mfa) {
        if (!exempt(e, action)) return "DENY";
        if (scoped && action === "iam:DeleteVirtualMFADevice") return "DENY";
        if (scoped && target === "another user" && USER_RESOURCE_EXEMPTIONS.includes(action)) return "DENY";
        if (scoped && target === "another user" && action === "iam:CreateVirtualMFADevice") return "DENY";
        return "ALLOW";
    }
    const age = caller.mfaAge ?? 0;
    const stale = scoped && age >= e.userMfaMaxAgeSeconds;
    if (stale && (!exempt(e, action) || MFA_DEVICE_WRITE_ACTIONS.includes(action))) return "DENY";
    if (action === "sts:AssumeRole" && age >= e.mfaMaxAgeSeconds) return "DENY";
    return "ALLOW";
}

/** An admin of the config: the caller is an IAM user the config names. */
const isAdmin = (e: Expectations, caller: Caller) => e.admins.some((a) => a.userName === caller.userName);

/**
 * Who the role lets in: the admin users (or, with `roleTrust account`, any identity of the account) with recent MFA.
 * `me` is a user of the program; one the config does not name as an admin is expected like any other identity.
 */
export function expectedForRole(
    e: Expectations,
    caller: Caller,
    who: "me" | "same account" | "other account",
): Decision {
    if (who === "me" && isAdmin(e, caller)) return expectedForUser(e, caller, "sts:AssumeRole", "own");
    if (who === "other account" || !caller.mfa || (caller.mfaAge ?? 0) >= e.mfaMaxAgeSeconds) return "DENY";
    return e.roleTrust === "account" ? "ALLOW" : "DENY";
}

/**
 * An admin assuming the role under the session name `sessionName` (undefined: the key is missing): only their own
 * user name, so the cluster's audit log names the person who typed the code (issue #12), and otherwise as the role
 * table expects them.
 */
export function expectedForSession(e: Expectations, caller: Caller, sessionName: string | undefined): Decision {
    if (sessionName === undefined || sessionName !== caller.userName) return "DENY";
    return expectedForRole(e, caller, "me");
}

/**
 * Expected ALLOWs that are weaknesses of the chosen style rather than what the stack is for: the seed style's
 * exemptions reach other users and its MFA sessions never age out. The report marks them; they are not violations.
 */
export function isStyleWeakness(e: Expectations, caller: Caller, action: string, target: Target): boolean {
    if (e.mfaPolicy !== "seed" || expectedForUser(e, caller, action, target) !== "ALLOW") return false;
    if (!caller.mfa) return target === "another user" || action === "iam:DeleteVirtualMFADevice";
    const stale = (caller.mfaAge ?? 0) >= e.userMfaMaxAgeSeconds;
    return stale && (!exempt(e, action) || MFA_DEVICE_WRITE_ACTIONS.includes(action));
}
