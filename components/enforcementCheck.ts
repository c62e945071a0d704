import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { AdminUser } from "./adminUser";

export interface EnforcementCheckArgs {
    /** The user whose MFA enforcement is checked; the check runs after its user and both policies exist. */
    readonly admin: AdminUser;
    /** Region of the stack's AWS provider (`aws:region`). Default: the deployer's environment. */
    readonly region?: string;
    /** Profile of the stack's AWS provider (`aws:profile`). Default: the deployer's environment. */
    readonly profile?: string;
    /** How long to wait for IAM to catch up before failing the update. Default: 60 s. */
    readonly maxWaitSeconds?: number;
}

/** Single-quotes a word for /bin/sh. The values are validated names and ARNs, but quoting costs nothing. */
export function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The proof inside `pulumi up`: after the user and both its policies exist, IAM's own simulator must show the Deny
 * biting without MFA and lifting with it (scripts/check-enforcement.ts). A failure fails the update. It runs again
 * whenever the user or either policy changes.
 */
export class EnforcementCheck extends pulumi.ComponentResource {
    public readonly check: command.local.Command;
    /** The check's one-line summary. */
    public readonly summary: pulumi.Output<string>;

    constructor(name: string, args: EnforcementCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k3s-admin-mfa:iam:EnforcementCheck", name, {}, opts);
        const { admin } = args;

        const flags = [
            ...(args.region ? ["--region", args.region] : []),
            ...(args.profile ? ["--profile", args.profile] : []),
            "--max-wait-seconds",
            String(args.maxWaitSeconds ?? 60),
        ];
        // `node` from PATH and a path relative to the project (Pulumi runs programs there), so the command text in
        // the state is the same on every deployer's machine and does not itself cause a re-run.
        const create = pulumi
            .all([admin.userArn, admin.policyName])
            .apply(([userArn, policyName]) =>
                ["node", "-r", "ts-node/register/transpile-only", "scripts/check-enforcement.ts"]
                    .concat(["--user-arn", userArn, "--policy-name", policyName], flags)
                    .map(shellQuote)
                    .join(" "),
            );

        this.check = new command.local.Command(
            `${name}-simulate`,
            {
                create,
                // Replaced, and so run again, when the user or either policy changes.
                triggers: [
                    admin.userArn,
                    admin.policyName,
                    JSON.stringify(admin.mfaPolicyDocument),
                    admin.adminPolicyArn,
                ],
            },
            { parent: this, dependsOn: [admin.user, admin.mfaPolicy, admin.adminAttachment] },
        );

        this.summary = this.check.stdout.apply((out) => out.trim());
        this.registerOutputs({ summary: this.summary });
    }
}
