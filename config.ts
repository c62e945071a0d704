import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_KUBERNETES_GROUP } from "./components/clientConfig";
import { tamperEventPattern } from "./components/tamperPattern";
import {
    DEFAULT_USER_MFA_MAX_AGE_SECONDS,
    MAX_MFA_AGE_SECONDS,
    MAX_ROLE_MFA_AGE_SECONDS,
    type MfaPolicyStyle,
    mfaTrustPolicy,
} from "./components/policies";

/**
 * The one place the stack's settings are read and validated. Every value is checked before any resource is
 * declared, and a bad value stops the program with one message that names the key, the value and what is allowed.
 */

export type RoleTrust = "user" | "account";

/** One administrator: their IAM user, and the names their own machine uses. */
export interface AdminSettings {
    readonly userName: string;
    /** AWS CLI profile holding this person's long-term keys. */
    readonly sourceProfile: string;
    /** Name of this person's MFA device. */
    readonly mfaDeviceName: string;
    /** The user name this person had before a rename (`previousUserNames`): their resources carry it as an alias. */
    readonly previousUserName?: string;
}

export interface StackConfig {
    /** IAM user name of the k3s administrator; with several, the first of them, whose name the role's derives from. */
    readonly userName: string;
    /** Every administrator, `userName`'s first: one user, inline Deny and AdministratorAccess each, one shared role. */
    readonly admins: readonly AdminSettings[];
    /** The setting as given: empty means `userName` alone. */
    readonly adminUserNames: readonly string[];
    /** Name of the inline MFA-enforcement policy on the user. */
    readonly policyName: string;
    /** Name of the MFA-trusting role that aws-iam-authenticator maps into the cluster. */
    readonly roleName: string;
    /** Who may assume the role: the admin user only, or any identity of the account (seed 000). */
    readonly roleTrust: RoleTrust;
    /** Longest time since MFA sign-in that the role trust policy accepts (`aws:MultiFactorAuthAge`). */
    readonly mfaMaxAgeSeconds: number;
    /** Whether to launch the hardened test EC2 instance. */
    readonly createTestInstance: boolean;
    /** EC2 instance type of the test instance. */
    readonly testInstanceType: string;
    /** Subnet for the test instance; undefined means a default subnet of the default VPC. */
    readonly testInstanceSubnetId: string | undefined;
    /** Replace the test instance when AWS publishes a newer Amazon Linux 2023 image. */
    readonly testInstanceFollowLatestAmi: boolean;
    /**
     * AWS CLI profile whose credentials launch the test instance (seed 004's experiment, as the person); undefined
     * means the stack's own provider.
     */
    readonly testInstanceProfile: string | undefined;
    /** Drop the MFA-device exemptions from the Deny (for accounts where the device is already enrolled). */
    readonly hardened: boolean;
    /** `scoped`: the seed's Deny plus own-user scoping and a session age cap; `seed`: the seed's document exactly. */
    readonly mfaPolicy: MfaPolicyStyle;
    /** `scoped`: the user's own MFA sessions stop acting as admin at this age (`aws:MultiFactorAuthAge`). */
    readonly userMfaMaxAgeSeconds: number;
    /** Watch for changes that weaken the door (components/tamperAlarm.ts), from us-east-1. */
    readonly tamperAlarm: boolean;
    /**
     * An address subscribed to the alarm's topic; undefined: none. A secret Output when the stack stores it encrypted
     * (`pulumi config set --secret`), so the subscription's state and any output built from it keep it so.
     */
    readonly tamperAlarmEmail: pulumi.Input<string> | undefined;
    /** Prove the enforcement with IAM's policy simulator after every change (`pulumi up`). */
    readonly verifyEnforcement: boolean;
    /**
     * MFA devices an admin may hold before the check fails (a backup device); more is how stolen keys or a stale
     * session would make their access permanent (docs/threat-model.md).
     */
    readonly maxMfaDevices: number;
    /** AWS CLI profile holding the user's long-term keys, named in the generated MFA profile. */
    readonly sourceProfile: string;
    /** Name of the user's MFA device: the last part of its serial `arn:…:mfa/<name>`. */
    readonly mfaDeviceName: string;
    /** aws-iam-authenticator cluster ID (`-i`). */
    readonly clusterId: string;
    /** Kubernetes groups the role is mapped to. */
    readonly kubernetesGroups: readonly string[];
    /** Name of the k3s cluster's entry in people's kubeconfig, for the generated context. */
    readonly kubeconfigCluster: string;
    /**
     * The stack's AWS provider settings, every `aws:` key without its prefix as Pulumi passes it (JSON for lists and
     * objects), for tools that must talk to the same account as the provider.
     */
    readonly aws: Readonly<Record<string, string>>;
    /** The keys of `aws` that the stack stores encrypted (`aws:secretKey`, …): they must stay secret downstream. */
    readonly awsSecretKeys: readonly string[];
    /**
     * Renames, as set: an admin's current user name → the one before (docs/engine.md, "Renames and removals"). Each
     * admin also carries their own (`AdminSettings.previousUserName`); kept whole so every setting has its field.
     */
    readonly previousUserNames: Readonly<Record<string, string>>;
    /** Let Pulumi delete admin users with their keys, MFA devices and password: unprotected, forceDestroy. */
    readonly allowUserDeletion: boolean;
}

/** Raw config values as strings, keyed without the project namespace (`userName`, not `k3s-admin-mfa:userName`). */
export type RawConfig = Readonly<Record<string, string | undefined>>;

export const PROJECT = "k3s-admin-mfa";

/** An AWS CLI profile name, as this project writes and accepts them. */
const PROFILE_NAME = /^[A-Za-z0-9_.@+-]{1,64}$/;

/**
 * Why an admin's name needs 2 characters where IAM takes 1: the role's trust requires the session to be named after
 * the user, and STS refuses a RoleSessionName shorter than 2.
 */
const USER_NAME_WHY = " (the role's session is named after the user, and STS needs at least 2 characters)";

/** The characters IAM allows in user, role and policy names. */
const IAM_NAME = /^[A-Za-z0-9+=,.@_-]+$/;
const IAM_NAME_CHARS = "letters, digits and + = , . @ _ -";

export const CONFIG_KEYS = [
    "userName",
    "adminUserNames",
    "previousUserNames",
    "allowUserDeletion",
    "policyName",
    "roleName",
    "roleTrust",
    "mfaMaxAgeSeconds",
    "createTestInstance",
    "testInstanceType",
    "testInstanceSubnetId",
    "testInstanceFollowLatestAmi",
    "testInstanceProfile",
    "hardened",
    "mfaPolicy",
    "userMfaMaxAgeSeconds",
    "verifyEnforcement",
    "maxMfaDevices",
    "tamperAlarm",
    "tamperAlarmEmail",
    "sourceProfile",
    "mfaDeviceName",
    "clusterId",
    "kubernetesGroups",
    "kubeconfigCluster",
] as const;

/**
 * The settings that may be stored encrypted: their values reach only resource inputs and outputs, which carry them
 * as secrets. Every other one names resources (in URNs, which are never encrypted), is part of a policy document,
 * or decides what is declared, so a secret value would be stored in plain text: it is refused instead.
 */
const SECRET_SETTINGS: readonly (typeof CONFIG_KEYS)[number][] = ["tamperAlarmEmail"];

export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** Reads one key at a time and fails with the key, the value and what is allowed. */
class Reader {
    constructor(
        private readonly raw: RawConfig,
        // Keys stored encrypted: an error message must not print their values in clear.
        private readonly secretKeys: ReadonlySet<string>,
    ) {}

    /** Whether the stack gives the key a value of its own (the CLI passes "" for our derived settings' defaults). */
    has(key: string): boolean {
        return this.raw[key] !== undefined && this.raw[key] !== "";
    }

    fail(key: string, value: string, allowed: string): never {
        const shown = this.secretKeys.has(key) ? "[secret]" : JSON.stringify(value);
        throw new ConfigError(`config \`${key}\` ${allowed}, got ${shown}`);
    }

    iamName(key: string, fallback: string, maxLength: number, emptyMeansFallback = false, minLength = 1): string {
        const raw = this.raw[key];
        const value = raw === undefined || (emptyMeansFallback && raw === "") ? fallback : raw;
        if (value.length < minLength || value.length > maxLength || !IAM_NAME.test(value)) {
            const why = minLength > 1 ? USER_NAME_WHY : "";
            this.fail(key, value, `must be ${minLength} to ${maxLength} ${IAM_NAME_CHARS}${why}`);
        }
        return value;
    }

    oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
        const value = this.raw[key] ?? fallback;
        const match = allowed.find((a) => a === value);
        return match ?? this.fail(key, value, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
    }

    integer(key: string, min: number, max: number, fallback: number): number {
        const value = this.raw[key];
        if (value === undefined) return fallback;
        const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
        if (!Number.isSafeInteger(n) || n < min || n > max) {
            this.fail(key, value, `must be an integer from ${min} to ${max}`);
        }
        return n;
    }

    boolean(key: string, fallback: boolean): boolean {
        const value = this.raw[key];
        if (value === undefined) return fallback;
        if (value !== "true" && value !== "false") this.fail(key, value, "must be true or false");
        return value === "true";
    }

    /**
     * A setting whose unset value is derived from others. Pulumi.yaml declares it with `default: ""`, because the
     * CLI refuses to run a stack that lacks a declared key with no default (pkg/workspace/config.go `mergeConfig`);
     * so the empty string, which the CLI then passes to the program, means "unset".
     */
    optional(key: string, pattern: RegExp, allowed: string): string | undefined {
        const value = this.raw[key];
        if (value === undefined || value === "") return undefined;
        if (!pattern.test(value)) this.fail(key, value, allowed);
        return value;
    }

    text(key: string, pattern: RegExp, allowed: string, fallback: string): string {
        return this.optional(key, pattern, allowed) ?? fallback;
    }

    /**
     * A JSON array of strings: how the Pulumi CLI passes an `array` setting (an object value) to the program. The CLI
     * itself refuses a plain string such as `'["a"]'` for an `array<string>` key, so lists are set with `--path`.
     */
    list(key: string, pattern: RegExp, allowed: string, fallback: readonly string[]): readonly string[] {
        const value = this.raw[key];
        if (value === undefined) return Object.freeze([...fallback]);
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
        const ok =
            Array.isArray(parsed) && parsed.length > 0 && parsed.every((v) => typeof v === "string" && pattern.test(v));
        if (!ok) this.fail(key, value, allowed);
        return Object.freeze([...(parsed as string[])]);
    }

    /**
     * A list of IAM user names, as the CLI passes an `array` setting (JSON). Empty (the declared default) is allowed:
     * it means "just userName".
     */
    userNames(key: string): readonly string[] {
        const value = this.raw[key];
        if (value === undefined || value === "" || value === "[]") return Object.freeze([]);
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
        const allowed = `must be a list of IAM user names (2 to 64 ${IAM_NAME_CHARS}), set with \`pulumi config set --path '${key}[0]' alice\``;
        if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string")) this.fail(key, value, allowed);
        const bad = (parsed as string[]).find((n) => n.length < 2 || n.length > 64 || !IAM_NAME.test(n));
        if (bad !== undefined) this.fail(key, bad, `holds a name IAM refuses: each ${allowed.slice(5)}`);
        return Object.freeze([...(parsed as string[])]);
    }

    rejectUnknownKeys(known: readonly string[]): void {
        for (const [key, value] of Object.entries(this.raw)) {
            // A typo such as `mfaMaxAge` would otherwise be ignored and the default silently used.
            if (!known.includes(key))
                this.fail(key, value ?? "", `is not a setting of this project (known: ${known.join(", ")})`);
        }
    }
}

/**
 * IAM's default quota for a role trust policy, in characters without whitespace (IAM and STS quotas: "Role trust
 * policy length"); Service Quotas can raise it to 4096.
 */
export const TRUST_POLICY_QUOTA = 2048;

/** The trust policy's size for these users, at its longest (partition, age limit), so no real stack can exceed it. */
function trustPolicySize(userNames: readonly string[]): number {
    const arns = userNames.map((n) => `arn:aws-us-gov:iam::123456789012:user/${n}`);
    return JSON.stringify(mfaTrustPolicy({ principalArn: arns, mfaMaxAgeSeconds: MAX_MFA_AGE_SECONDS })).length;
}

/** The administrators: `adminUserNames`, or just `userName`; each dead end names both keys where both matter. */
function adminsOf(
    read: Reader,
    userName: string,
    names: readonly string[],
    sourceProfile: string,
    mfaDeviceName: string,
    roleTrust: RoleTrust,
): readonly AdminSettings[] {
    if (names.length === 0) return Object.freeze([{ userName, sourceProfile, mfaDeviceName }]);
    const shown = JSON.stringify(names);
    // IAM user names are unique without regard to case: "Alice" and "alice" cannot both exist.
    const seen = new Set<string>();
    for (const n of names) {
        if (seen.has(n.toLowerCase())) read.fail("adminUserNames", shown, `names ${n} twice (IAM ignores case)`);
        seen.add(n.toLowerCase());
    }
    if (!names.includes(userName))
        throw new ConfigError(
            `config \`userName\` ${JSON.stringify(userName)} is not in \`adminUserNames\` ${shown}: set userName to the ` +
                "first of them (the role is named after it, <userName>-mfa) or add it to the list",
        );
    if (mfaDeviceName !== userName)
        throw new ConfigError(
            `config \`mfaDeviceName\` ${JSON.stringify(mfaDeviceName)} names one device, but \`adminUserNames\` lists ` +
                `${names.length} people: unset it (each person's device is then named after their user)`,
        );
    if (roleTrust === "user") {
        const size = trustPolicySize(names);
        if (size > TRUST_POLICY_QUOTA)
            read.fail(
                "adminUserNames",
                shown,
                `makes the role's trust policy ${size} characters for ${names.length} users, over IAM's quota of ` +
                    `${TRUST_POLICY_QUOTA} (raise "Role trust policy length" in Service Quotas, or use roleTrust account)`,
            );
    }
    const first = [userName, ...names.filter((n) => n !== userName)];
    return Object.freeze(
        first.map((n) => ({
            userName: n,
            // Unset, it defaults to each person's own name (the first admin's default is theirs too).
            sourceProfile: read.has("sourceProfile") ? sourceProfile : n,
            mfaDeviceName: n,
        })),
    );
}

/**
 * The name every stack's first admin had before several admins existed: index.ts aliases the first admin's
 * components to it, so a stack from then keeps its resources.
 */
export const LEGACY_ADMIN_NAME = "k3s-admin";

/**
 * `previousUserNames`: each renamed admin's current user name → the one their resources were created
 * under. index.ts aliases their components to the old name, so the engine sees the same resources and IAM renames
 * the user in place (terraform-provider-aws user.go `resourceUserUpdate`: UpdateUser with NewUserName) instead of
 * deleting them with their keys and MFA device. Every way two components could claim one old name is refused here:
 * the engine would stop on it anyway (pkg/resource/deploy/step_generator.go `getOldResource`, "Duplicate resource
 * alias" / "Duplicate resource URN … conflicting with alias"), but only once it meets the state that has that name.
 */
function previousUserNamesOf(
    read: Reader,
    value: string | undefined,
    userName: string,
    names: readonly string[],
): Readonly<Record<string, string>> {
    const key = "previousUserNames";
    if (value === undefined || value === "" || value === "{}") return Object.freeze({});
    const map = `map an admin's user name to the one they had before, set with \`pulumi config set --path '${key}.alicia' alice\``;
    const how = `must ${map}`;
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) read.fail(key, value, how);
    const renames = parsed as Record<string, unknown>;
    const seen = new Map<string, string>();
    for (const [now, before] of Object.entries(renames)) {
        const shown = `${now}: ${String(before)}`;
        if (!names.includes(now))
            read.fail(key, shown, `renames ${now}, who is not an admin (${JSON.stringify(names)}): ${map}`);
        if (typeof before !== "string" || before.length < 2 || before.length > 64 || !IAM_NAME.test(before))
            read.fail(key, shown, `must give an IAM user name (2 to 64 ${IAM_NAME_CHARS}) as ${now}'s previous name`);
        if (before === now) read.fail(key, shown, `renames ${now} to the same name: remove the entry`);
        // A change of case alone (alice -> Alice) is a rename of the same person, which IAM also does in place.
        const clash = names.find((n) => n !== now && n.toLowerCase() === before.toLowerCase());
        if (clash !== undefined)
            read.fail(
                key,
                shown,
                `gives ${now} the previous name ${before}, but ${clash} is an admin too: both would claim the resources ` +
                    `named ${before}. Rename one person at a time, or remove the entry`,
            );
        const twice = seen.get(before.toLowerCase());
        if (twice !== undefined)
            read.fail(key, shown, `gives ${before} as the previous name of both ${twice} and ${now}: keep one`);
        seen.set(before.toLowerCase(), now);
        if (before === LEGACY_ADMIN_NAME && now !== userName && userName !== LEGACY_ADMIN_NAME)
            read.fail(
                key,
                shown,
                `gives ${now} the previous name ${LEGACY_ADMIN_NAME}, which the first admin (\`userName\` ${userName}) ` +
                    `already claims: set userName to ${now} for this rename`,
            );
    }
    return Object.freeze({ ...(renames as Record<string, string>) });
}

/**
 * The first admin's components alias LEGACY_ADMIN_NAME; another admin of that name would claim the same resources
 * (issue 19: a duplicate alias the engine refuses, or worse, the first admin taking over that person's user).
 */
function refuseLegacyNameClash(userName: string, names: readonly string[]): void {
    if (userName === LEGACY_ADMIN_NAME || !names.includes(LEGACY_ADMIN_NAME)) return;
    throw new ConfigError(
        `config \`adminUserNames\` ${JSON.stringify(names)} lists ${LEGACY_ADMIN_NAME} while \`userName\` is ` +
            `${JSON.stringify(userName)}: the first admin's resources keep the name ${LEGACY_ADMIN_NAME} they had before ` +
            `several admins existed, so ${userName} and ${LEGACY_ADMIN_NAME} would both claim them. Set userName to ` +
            `${LEGACY_ADMIN_NAME} (and roleName to ${userName}-mfa to keep the role), or give that person another name`,
    );
}

/** Each admin with their previous name, and their MFA device still named as created, unless the stack names it. */
function withPreviousNames(
    admins: readonly AdminSettings[],
    renames: Readonly<Record<string, string>>,
    deviceNameSet: boolean,
): readonly AdminSettings[] {
    return Object.freeze(
        admins.map((a) => {
            const before = renames[a.userName];
            if (before === undefined) return a;
            // IAM renames the user, not their virtual MFA device: its serial keeps the name it was created with.
            return Object.freeze({
                ...a,
                previousUserName: before,
                mfaDeviceName: deviceNameSet ? a.mfaDeviceName : before,
            });
        }),
    );
}

/** Pure validation of raw config: no Pulumi runtime needed, so every rule is unit-tested directly. */
export function parseConfig(
    raw: RawConfig,
    secretKeys: ReadonlySet<string> = new Set(),
    awsProvider: StackConfig["aws"] = {},
    awsSecretKeys: readonly string[] = [],
): StackConfig {
    const read = new Reader(raw, secretKeys);
    read.rejectUnknownKeys(CONFIG_KEYS);
    for (const key of [...secretKeys].sort()) {
        if (!SECRET_SETTINGS.some((k) => k === key))
            throw new ConfigError(
                `config \`${key}\` is stored as a secret, but it names resources or shapes policies and outputs that ` +
                    `Pulumi stores in plain text, so it cannot stay secret: set it again without --secret ` +
                    `(only ${SECRET_SETTINGS.map((k) => `\`${k}\``).join(", ")} and \`aws:\` settings can be secrets)`,
            );
    }
    // The region is part of every regional ARN and of the outputs (getRegion answers in clear, whatever the setting).
    if (awsSecretKeys.includes("region"))
        throw new ConfigError(
            "config `aws:region` is stored as a secret, but the region is part of resource ARNs and of the outputs, " +
                "which Pulumi stores in plain text, so it cannot stay secret: set it again without --secret",
        );
    const userName = read.iamName("userName", "k3s-admin", 64, false, 2);
    const adminUserNames = read.userNames("adminUserNames");
    const hardened = read.boolean("hardened", false);
    const mfaPolicy = read.oneOf<MfaPolicyStyle>("mfaPolicy", ["scoped", "seed"], "scoped");
    // GetSessionToken's shortest session is 900 s: a lower cap would end sessions before they could be used.
    const userMfaMaxAgeSeconds = read.integer(
        "userMfaMaxAgeSeconds",
        900,
        MAX_MFA_AGE_SECONDS,
        DEFAULT_USER_MFA_MAX_AGE_SECONDS,
    );
    const createTestInstance = read.boolean("createTestInstance", true);
    const testInstanceProfile = read.optional(
        "testInstanceProfile",
        PROFILE_NAME,
        "must be an AWS profile name: 1 to 64 letters, digits and _ . @ + -",
    );
    if (testInstanceProfile !== undefined && !createTestInstance)
        read.fail(
            "testInstanceProfile",
            testInstanceProfile,
            "has no effect with `createTestInstance` false: unset it, or set createTestInstance true",
        );
    if (mfaPolicy === "seed" && hardened)
        throw new ConfigError(
            "config `hardened` true changes the seed's statement, but `mfaPolicy` is \"seed\" (the seed's document exactly): set one of them back",
        );
    if (mfaPolicy === "seed" && userMfaMaxAgeSeconds !== DEFAULT_USER_MFA_MAX_AGE_SECONDS)
        read.fail(
            "userMfaMaxAgeSeconds",
            String(userMfaMaxAgeSeconds),
            'has no effect with `mfaPolicy` "seed" (the seed\'s document has no age limit): unset it, or use mfaPolicy "scoped"',
        );
    const sourceProfile = read.text(
        "sourceProfile",
        PROFILE_NAME,
        "must be an AWS profile name: 1 to 64 letters, digits and _ . @ + -",
        userName,
    );
    const mfaDeviceName = read.text(
        "mfaDeviceName",
        /^[A-Za-z0-9+=,.@_-]{1,226}$/,
        `must be an MFA device name: 1 to 226 ${IAM_NAME_CHARS}`,
        userName,
    );
    const roleTrust = read.oneOf<RoleTrust>("roleTrust", ["user", "account"], "user");
    const listed = adminsOf(read, userName, adminUserNames, sourceProfile, mfaDeviceName, roleTrust);
    refuseLegacyNameClash(
        userName,
        listed.map((a) => a.userName),
    );
    const previousUserNames = previousUserNamesOf(
        read,
        raw["previousUserNames"],
        userName,
        listed.map((a) => a.userName),
    );
    const admins = withPreviousNames(listed, previousUserNames, read.has("mfaDeviceName"));
    const roleName = read.iamName("roleName", `${userName}-mfa`, 64, true);
    const tamperAlarm = read.boolean("tamperAlarm", false);
    const tamperAlarmEmail = read.optional(
        "tamperAlarmEmail",
        /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
        "must be an e-mail address such as ops@example.com",
    );
    if (tamperAlarmEmail !== undefined && !tamperAlarm)
        read.fail("tamperAlarmEmail", tamperAlarmEmail, "has no effect with `tamperAlarm` false: set tamperAlarm true");
    if (tamperAlarm) {
        try {
            const names = admins.map((a) => a.userName);
            tamperEventPattern(names, roleName, {
                userNamesSetting: adminUserNames.length > 0 ? "adminUserNames" : "userName",
            });
        } catch (err) {
            throw new ConfigError(`config \`tamperAlarm\`: ${(err as Error).message}`);
        }
    }
    return Object.freeze({
        userName,
        admins,
        adminUserNames,
        policyName: read.iamName("policyName", "k3s-admin-ui-cli-with-mfa", 128),
        roleName,
        roleTrust,
        mfaMaxAgeSeconds: read.integer("mfaMaxAgeSeconds", 1, MAX_ROLE_MFA_AGE_SECONDS, MAX_ROLE_MFA_AGE_SECONDS),
        createTestInstance,
        testInstanceType:
            read.optional(
                "testInstanceType",
                /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/,
                "must be an EC2 instance type of the form family.size, such as t3.micro",
            ) ?? "t3.micro",
        testInstanceSubnetId: read.optional(
            "testInstanceSubnetId",
            /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/,
            "must be a subnet ID such as subnet-0123456789abcdef0",
        ),
        testInstanceFollowLatestAmi: read.boolean("testInstanceFollowLatestAmi", false),
        testInstanceProfile,
        hardened,
        mfaPolicy,
        userMfaMaxAgeSeconds,
        verifyEnforcement: read.boolean("verifyEnforcement", true),
        // IAM's own limit is 8 devices per user.
        maxMfaDevices: read.integer("maxMfaDevices", 1, 8, 1),
        tamperAlarm,
        // Validated in clear above (an error prints [secret]); handed on as a secret if stored as one.
        tamperAlarmEmail:
            tamperAlarmEmail !== undefined && secretKeys.has("tamperAlarmEmail")
                ? pulumi.secret(tamperAlarmEmail)
                : tamperAlarmEmail,
        sourceProfile,
        mfaDeviceName: admins[0]!.mfaDeviceName,
        clusterId: read.text(
            "clusterId",
            /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
            "must be a cluster ID: up to 100 letters, digits and . _ -, starting with a letter or digit",
            "k3s",
        ),
        kubernetesGroups: read.list(
            "kubernetesGroups",
            /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,127}$/,
            'must be a list of one or more Kubernetes group names, set with `pulumi config set --path "kubernetesGroups[0]" k3s:admins`',
            [DEFAULT_KUBERNETES_GROUP],
        ),
        kubeconfigCluster: read.text(
            "kubeconfigCluster",
            /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,252}$/,
            "must be the name of a cluster entry in your kubeconfig: letters, digits and . _ @ : -",
            "default",
        ),
        aws: Object.freeze({ ...awsProvider }),
        awsSecretKeys: Object.freeze([...awsSecretKeys]),
        previousUserNames,
        allowUserDeletion: read.boolean("allowUserDeletion", false),
    });
}

/** Edit distance, to suggest the setting a typo meant. */
function distance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++)
            row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = row;
    }
    return prev[b.length]!;
}

/**
 * Warnings for `aws:` keys the AWS provider does not know. Pulumi passes any key to the provider, which ignores the
 * ones it has no setting for: `aws:regon` would silently leave the region to the environment.
 * @param known the provider's own settings: the names `@pulumi/aws/config/vars` exports.
 */
export function unknownAwsSettings(keys: readonly string[], known: readonly string[]): string[] {
    return keys
        .filter((k) => k.startsWith("aws:") && !known.includes(k.slice(4)))
        .map((k) => {
            const near = known.find((n) => distance(n.toLowerCase(), k.slice(4).toLowerCase()) <= 2);
            return `config \`${k}\` is not a setting of the AWS provider, which ignores it${near ? ` (did you mean \`aws:${near}\`?)` : ""}`;
        });
}

/** The names of the AWS provider's settings, from the provider package itself. */
export function awsProviderSettings(): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return Object.keys(require("@pulumi/aws/config/vars") as object);
}

/** The project's own keys from the Pulumi runtime, without the `k3s-admin-mfa:` prefix. */
export function projectConfig(all: Readonly<Record<string, string>>): Record<string, string> {
    const prefix = `${PROJECT}:`;
    const own: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) {
        if (key.startsWith(prefix)) own[key.slice(prefix.length)] = value;
    }
    return own;
}

/**
 * The SDK's own test of a key's secrecy: @pulumi/pulumi 3.270.0 runtime/config.ts `isConfigSecret` (marked @internal,
 * so absent from the typings), which looks the namespaced key up in PULUMI_CONFIG_SECRET_KEYS as the runtime's store
 * holds it. The language host fills that from the stack's encrypted keys (pulumi-language-nodejs main.go, `execRuntime`
 * and `constructConfigSecretKeys`); the Automation API and the mocks fill it with `setAllConfig(config, secretKeys)`,
 * which never reaches process.env, so reading the environment here would miss their secrets.
 */
function sdkIsConfigSecret(): (key: string) => boolean {
    const f = (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret;
    // Without it, secret settings would pass as plain ones: stop rather than store them in clear.
    if (typeof f !== "function")
        throw new Error("this @pulumi/pulumi has no runtime.isConfigSecret: config.ts cannot tell secret settings");
    return f as (key: string) => boolean;
}

/** The keys of a namespace that the stack stores encrypted, without the namespace. */
function secretConfigKeys(all: Readonly<Record<string, string>>, namespace: string): ReadonlySet<string> {
    const isSecret = sdkIsConfigSecret();
    const prefix = `${namespace}:`;
    return new Set(
        Object.keys(all)
            .filter((k) => k.startsWith(prefix) && isSecret(k))
            .map((k) => k.slice(prefix.length)),
    );
}

/** The provider settings as inputs for a resource: the encrypted ones wrapped as secrets, so state keeps them so. */
export function awsSettingsInputs(c: StackConfig): Record<string, pulumi.Input<string>> {
    return Object.fromEntries(
        Object.entries(c.aws).map(([k, v]) => [k, c.awsSecretKeys.includes(k) ? pulumi.secret(v) : v]),
    );
}

/** Reads the stack's config; a bad value ends the program with a clean one-line error rather than a stack trace. */
export function loadConfig(): StackConfig {
    try {
        const all = pulumi.runtime.allConfig();
        for (const warning of unknownAwsSettings(Object.keys(all), awsProviderSettings())) pulumi.log.warn(warning);
        const aws = Object.fromEntries(
            Object.entries(all)
                .filter(([k]) => k.startsWith("aws:"))
                .map(([k, v]) => [k.slice(4), v]),
        );
        return parseConfig(projectConfig(all), secretConfigKeys(all, PROJECT), aws, [...secretConfigKeys(all, "aws")]);
    } catch (err) {
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}
