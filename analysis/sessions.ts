import { userCallers, withSessionName } from "./callers";
import type { DeclaredAccess } from "./declared";
import { expectedForSession, type Expectations } from "./expectations";
import type { Probe } from "./probes";

/**
 * Each admin assuming the role under their own name, under every other admin's (with one admin, a name that is no
 * admin's), and without the key; with a recent MFA session and with bare long-term keys (issue #12).
 */
export function sessionTable(d: DeclaredAccess, e: Expectations): Probe[] {
    const young = Math.min(60, e.mfaMaxAgeSeconds - 1);
    return d.users.flatMap((user) => {
        const me = userCallers(d, user, `${user.name}, `);
        const others = d.users.length > 1 ? d.users.filter((u) => u !== user).map((u) => u.name) : ["someone-else"];
        const callers = [
            { ...me.mfaSession(young), label: `${user.name}, MFA ${young} s old` },
            { ...me.keys(), label: `${user.name}, long-term keys (no code)` },
        ];
        return callers.flatMap((caller) =>
            [user.name, ...others, undefined].map((name) => {
                const asked = withSessionName(caller, name);
                return {
                    table: "session" as const,
                    caller: asked,
                    action: "sts:AssumeRole",
                    on: name === undefined ? "the role, no sts:RoleSessionName key" : `the role as "${name}"`,
                    resources: [d.role.arn],
                    resourcePolicy: d.role.trustPolicy,
                    expected: expectedForSession(e, asked, name),
                    weakness: false,
                    ...(d.users.length > 1 ? { admin: user.name } : {}),
                };
            }),
        );
    });
}
