/**
 * Where a resource was declared, from what the engine sends with it: the URN's type chain
 * (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`, every ancestor component's type but the root
 * stack's) and the parent's URN in the options (@pulumi/policy server.ts `getResourceOptions`).
 */

/** The components of the program (components/*.ts) that declare the principals this pack admits. */
export const ADMIN_USER_COMPONENT = "k3s-admin-mfa:iam:AdminUser";
export const MFA_ROLE_COMPONENT = "k3s-admin-mfa:iam:MfaRole";

const nameOf = (urn: string) => urn.split("::").slice(3).join("::");

/**
 * The name of the component `component` when the resource is its direct child and that component sits at the top
 * of the program (as index.ts declares it); undefined anywhere else, nested components included.
 */
export function componentName(urn: string, parentUrn: string | undefined, component: string): string | undefined {
    const chain = (urn.split("::")[2] ?? "").split("$");
    if (chain.length !== 2 || chain[0] !== component || parentUrn?.split("::")[2] !== component) return undefined;
    return nameOf(parentUrn) || undefined;
}
