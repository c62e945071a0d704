import type { ResourceValidationPolicy, StackValidationPolicy, PolicyResource } from "@pulumi/policy";

/**
 * Guardrails that keep the MFA rules from regressing unnoticed, in any stack that uses them. Each rule is an
 * exported constant; policy/index.ts only assembles them into the pack (constructing a PolicyPack starts a server).
 * The rules read the documents themselves and share no code with the program they judge.
 */

type Doc = { Statement?: unknown };
type Stmt = {
    Effect?: string;
    NotAction?: unknown;
    Action?: unknown;
    Resource?: unknown;
    Principal?: unknown;
    Condition?: unknown;
};

/** A policy input as the engine shows it: a JSON string, or the typed object the program passed. */
export function statementsOf(policy: unknown): Stmt[] {
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return [];
        }
    }
    const s = (doc as Doc | undefined)?.Statement;
    return (Array.isArray(s) ? s : s === undefined ? [] : [s]).filter(
        (x): x is Stmt => typeof x === "object" && x !== null,
    );
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);

/**
 * What an MFA-bootstrap exemption may contain: getting a session token, managing MFA devices, and read-only IAM
 * listing. Anything else exempted from the Deny would work with stolen long-term keys.
 */
export function isBootstrapAction(action: string): boolean {
    return (
        action === "sts:GetSessionToken" ||
        /^iam:(Create|Delete)VirtualMFADevice$|^iam:(Enable|Resync)MFADevice$/.test(action) ||
        /^iam:(List[A-Za-z]+|GetAccountSummary)$/.test(action)
    );
}

/** Why a statement is not a proper MFA Deny, or undefined when it is one. */
export function mfaDenyProblem(s: Stmt): string | undefined {
    if (s.Effect !== "Deny") return "is not a Deny";
    const exempt = list(s.NotAction);
    if (s.NotAction === undefined || s.Action !== undefined)
        return "must deny with NotAction (everything but the bootstrap actions)";
    const extra = exempt.filter((a) => !isBootstrapAction(a));
    if (extra.length > 0) return `exempts ${extra.join(", ")}, which is not an MFA-bootstrap action`;
    if (!list(s.Resource).includes("*")) return 'must apply to Resource "*"';
    const condition = (s.Condition ?? {}) as Record<string, Record<string, unknown> | undefined>;
    if (condition["Bool"]?.["aws:MultiFactorAuthPresent"] !== undefined) {
        return "uses Bool on aws:MultiFactorAuthPresent: requests signed by long-term keys carry no such key and pass; use BoolIfExists";
    }
    if (String(condition["BoolIfExists"]?.["aws:MultiFactorAuthPresent"]) !== "false") {
        return 'must be conditioned on BoolIfExists aws:MultiFactorAuthPresent "false"';
    }
    return undefined;
}

const ADMIN = /^arn:[^:]+:iam::aws:policy\/AdministratorAccess$/;

/**
 * Whether a resource's `user` input points at this user, by dependency or by value. The dependency is checked
 * first: at preview a `user` input taken from an output the engine does not know yet (`user: user.id` on a new
 * user) is unknown, and reading it makes the pack skip this whole rule as advisory, so the stack would pass preview.
 */
function targets(r: PolicyResource, user: PolicyResource): boolean {
    return (
        (r.propertyDependencies?.["user"] ?? []).some((d) => d.urn === user.urn) ||
        r.props["user"] === user.props["name"]
    );
}

export const adminUsersRequireMfaDeny: StackValidationPolicy = {
    name: "admin-users-require-mfa-deny",
    description:
        "Every IAM user holding AdministratorAccess also carries an inline Deny of all but MFA-bootstrap actions, " +
        'conditioned on BoolIfExists aws:MultiFactorAuthPresent "false".',
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const of = (type: string) => args.resources.filter((r) => r.type === type);
        for (const user of of("aws:iam/user:User")) {
            const admin = of("aws:iam/userPolicyAttachment:UserPolicyAttachment").some(
                (a) => targets(a, user) && ADMIN.test(String(a.props["policyArn"])),
            );
            if (!admin) continue;
            const problems = of("aws:iam/userPolicy:UserPolicy")
                .filter((p) => targets(p, user))
                .flatMap((p) => statementsOf(p.props["policy"]).map((s) => mfaDenyProblem(s)));
            if (!problems.includes(undefined)) {
                const why = problems.filter(Boolean).join("; ") || "none of its inline policies has a Deny statement";
                reportViolation(
                    `IAM user ${String(user.props["name"])} holds AdministratorAccess without an MFA Deny: ${why}`,
                    user.urn,
                );
            }
        }
    },
};

/** Principals that are IAM identities of an account: users, or an account root (ARN or bare account ID). */
function namesUserOrRoot(principal: unknown): boolean {
    const aws = typeof principal === "string" ? [principal] : list((principal as { AWS?: unknown } | undefined)?.AWS);
    return aws.some((p) => /:user\/|:root$|^\d{12}$/.test(p) || p === "*");
}

export const rolesTrustingPeopleRequireMfa: ResourceValidationPolicy = {
    name: "roles-trusting-people-require-mfa",
    description:
        'Every role whose trust policy names an IAM user or an account root requires aws:MultiFactorAuthPresent "true" in every Allow.',
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:iam/role:Role") return;
        const allows = statementsOf(args.props["assumeRolePolicy"]).filter((s) => s.Effect === "Allow");
        if (!allows.some((s) => namesUserOrRoot(s.Principal))) return;
        allows.forEach((s, i) => {
            const condition = (s.Condition ?? {}) as Record<string, Record<string, unknown> | undefined>;
            if (String(condition["Bool"]?.["aws:MultiFactorAuthPresent"]) !== "true") {
                reportViolation(
                    `trust policy Allow statement ${i + 1} does not require Bool aws:MultiFactorAuthPresent "true"`,
                );
            }
        });
    },
};

export const instancesRequireImdsv2AndEncryption: ResourceValidationPolicy = {
    name: "ec2-instances-require-imdsv2-and-encryption",
    description: "EC2 instances require IMDSv2 (httpTokens required) and an encrypted root volume.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:ec2/instance:Instance") return;
        const metadata = args.props["metadataOptions"] as { httpTokens?: string } | undefined;
        const root = args.props["rootBlockDevice"] as { encrypted?: boolean } | undefined;
        if (metadata?.httpTokens !== "required")
            reportViolation('IMDSv2 is not required: set metadataOptions.httpTokens "required"');
        if (root?.encrypted !== true)
            reportViolation("the root volume is not encrypted: set rootBlockDevice.encrypted true");
    },
};

export const mfaDenyKeepsDeviceDeletionExempt: ResourceValidationPolicy = {
    name: "mfa-deny-exempts-delete-virtual-mfa-device",
    description:
        "The MFA Deny exempts iam:DeleteVirtualMFADevice, which AWS advises never to exempt (hardened: true removes it).",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:iam/userPolicy:UserPolicy") return;
        const exempting = statementsOf(args.props["policy"]).some(
            (s) => mfaDenyProblem(s) === undefined && list(s.NotAction).includes("iam:DeleteVirtualMFADevice"),
        );
        if (exempting)
            reportViolation(
                "the MFA Deny exempts iam:DeleteVirtualMFADevice; set `hardened true` once the MFA device is enrolled",
            );
    },
};

export const POLICIES = [
    adminUsersRequireMfaDeny,
    rolesTrustingPeopleRequireMfa,
    instancesRequireImdsv2AndEncryption,
    mfaDenyKeepsDeviceDeletionExempt,
] as const;
