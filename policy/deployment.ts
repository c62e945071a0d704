/**
 * What one deployment's resource rules have approved so far, so that a rule judging one resource can require what
 * must come before it: an admin's AdministratorAccess only after their user and MFA Deny, a trust only naming
 * approved users.
 *
 * Sound because of how the engine runs a pack (pulumi/pulumi v3.259.0): each deployment (`pulumi preview`, and the
 * update of `pulumi up`) starts its own plugin host (pkg/engine/update.go `update` → `ensureHost`), whose analyzer
 * process is cached per host and options, dry run included (pkg/host/host.go `PolicyAnalyzer`), so state never
 * crosses from a preview into an update. Each resource is analyzed when it registers, before its step
 * (pkg/resource/deploy/step_generator.go `continueStepsFromImport` → `analyzeAll`), and the Node SDK registers a
 * resource only once the resources it depends on have answered: it awaits their URNs, which resolve when the
 * engine replies to their own registration (@pulumi/pulumi runtime/dependsOn.ts
 * `getAllTransitivelyReferencedResourceURNs`). The program declares the grant `dependsOn` the Deny and the role
 * `dependsOn` its users, so those come first. A program that registers them in another order is refused, not
 * waved through.
 *
 * Keyed on `stackTags`: the SDK builds a new map for each ConfigureStack (server.ts `configureStack`), which the
 * engine sends once as the pack starts (sdk/go/common/resource/plugin/analyzer_plugin.go `NewPolicyAnalyzer`).
 */

interface AdminProgress {
    user: boolean;
    deny: boolean;
}

export interface Deployment {
    /** By AdminUser component name (the IAM user's name). */
    readonly admins: Map<string, AdminProgress>;
}

const deployments = new WeakMap<object, Deployment>();

export function deploymentOf(args: { readonly stackTags: ReadonlyMap<string, string> }): Deployment {
    let d = deployments.get(args.stackTags);
    if (!d) deployments.set(args.stackTags, (d = { admins: new Map() }));
    return d;
}

export function adminProgress(d: Deployment, name: string): AdminProgress {
    let p = d.admins.get(name);
    if (!p) d.admins.set(name, (p = { user: false, deny: false }));
    return p;
}
