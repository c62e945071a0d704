import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * What the Pulumi CLI does with `Pulumi.yaml`'s `config:` schema and a stack's values BEFORE the program runs, so
 * the offline report and the tests see what a real `pulumi preview` sees. Ported from pulumi/pulumi:
 *   - pkg/workspace/config.go `mergeConfig`: a project key with no `default`/`value` that the stack does not set is
 *     "missing" (error `Stack 'dev' is missing configuration value(s) …`, via `missingStackConfigurationKeysError`
 *     and `formatMissingKeys`); a declared default fills in a key the stack does not set (`createConfigValue`:
 *     `%v` of a string, int or bool; JSON of anything else).
 *   - pkg/workspace/config.go `validateStackConfigValue`: a typed key's stack value must pass
 *     sdk/go/common/workspace/project.go `ValidateConfigValue` (error `Stack 'dev' with configuration key 'k' must
 *     be of type 'integer'`; `InferFullTypeName` gives `array<string>`).
 * Missing keys are reported before type errors, as `mergeConfig` does.
 */

export interface ItemsType {
    readonly type: string;
    readonly items?: ItemsType;
}

export interface ProjectConfigType {
    readonly type?: string;
    readonly items?: ItemsType;
    readonly default?: unknown;
    readonly value?: unknown;
    readonly secret?: boolean;
    readonly description?: string;
}

export interface ProjectFile {
    readonly name: string;
    readonly config: Readonly<Record<string, ProjectConfigType>>;
}

/** One stack value as `Pulumi.<stack>.yaml` holds it: a plain string, `secure:` ciphertext, or an object value. */
export type StackValue =
    | { readonly kind: "string"; readonly text: string }
    | { readonly kind: "secure" }
    | {
          readonly kind: "object";
          readonly json: string;
      };

export class CliConfigError extends Error {}

/** Reads Pulumi.yaml. */
export function readProjectFile(projectDir: string): ProjectFile {
    return parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/**
 * A stack file's value as config.Value unmarshals it (sdk/go/common/resource/config/value.go): a YAML string stays a
 * string, `{secure: …}` is a secret, anything else (a number, a boolean, a list set with `--path`) is an object value
 * whose JSON the program receives.
 */
export function stackValue(raw: unknown): StackValue {
    if (typeof raw === "string") return { kind: "string", text: raw };
    if (typeof raw === "object" && raw !== null && Object.keys(raw).length === 1 && "secure" in raw)
        return { kind: "secure" };
    return { kind: "object", json: JSON.stringify(raw) };
}

/** `formatMissingKeys`: 'a'; 'a' and 'b'; 'a', 'b' and 'c' (sorted). */
function formatMissingKeys(keys: string[]): string {
    if (keys.length === 1) return `'${keys[0]}'`;
    const quoted = [...keys].sort().map((k) => `'${k}'`);
    return `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/** Go's strconv.Atoi: an optional sign and decimal digits, within int64. */
function atoiOk(text: string): boolean {
    if (!/^[+-]?\d+$/.test(text)) return false;
    const n = BigInt(text);
    return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** `ValidateConfigValue`, over the value as Go sees it: a string, or the decoded JSON of an object value. */
export function validateConfigValue(type: string, items: ItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            if (typeof value === "number") return Number.isInteger(value);
            return typeof value === "string" && atoiOk(value);
        case "boolean":
            return value === true || value === false || value === "true" || value === "false";
        case "object":
            return typeof value === "object" && value !== null && !Array.isArray(value);
    }
    if (!Array.isArray(value) || items === undefined) return false;
    return value.every((v) => validateConfigValue(items.type, items.items, v));
}

/** `InferFullTypeName`. */
function fullTypeName(type: string, items: ItemsType | undefined): string {
    return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/** `createConfigValue`: a project default becomes text (string, int, bool) or an object value (anything else). */
function defaultValue(value: unknown): StackValue {
    if (typeof value === "string" || typeof value === "boolean") return { kind: "string", text: String(value) };
    if (typeof value === "number" && Number.isInteger(value)) return { kind: "string", text: String(value) };
    return { kind: "object", json: JSON.stringify(value) };
}

export interface MergedConfig {
    /** Every key the program will see, namespaced, as text (objects as JSON). Secure values are absent. */
    readonly values: Record<string, string>;
    /** Namespaced keys whose values are secrets. */
    readonly secretKeys: string[];
}

/**
 * Merges a stack's values (namespaced keys, or bare keys meaning the project's) with the project schema, throwing
 * the CLI's own message where the CLI would stop before running the program. Secure values cannot be decrypted
 * offline, so they are type-checked by nobody here and reported in `secretKeys`.
 */
export function mergeStackConfig(
    project: ProjectFile,
    stackName: string,
    stack: Readonly<Record<string, StackValue>>,
): MergedConfig {
    const ns = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const given = new Map<string, StackValue>();
    for (const [key, v] of Object.entries(stack)) given.set(ns(key), v);

    const missing: string[] = [];
    const projectKeys = Object.keys(project.config ?? {}).sort();
    for (const key of projectKeys) {
        const schema = project.config[key]!;
        const hasDefault = schema.default !== undefined && schema.default !== null;
        const hasValue = schema.value !== undefined && schema.value !== null;
        const onStack = given.has(ns(key));
        if (!onStack && !hasDefault && !hasValue && ns(key).startsWith(`${project.name}:`)) missing.push(key);
        else if (!onStack) given.set(ns(key), defaultValue(hasDefault ? schema.default : schema.value));
    }
    if (missing.length > 0) {
        const plural = missing.length > 1 ? "values" : "value";
        throw new CliConfigError(
            `Stack '${stackName}' is missing configuration ${plural} ${formatMissingKeys(missing)}`,
        );
    }

    for (const key of projectKeys) {
        const schema = project.config[key]!;
        const v = given.get(ns(key));
        if (!v) continue;
        if (schema.secret && v.kind !== "secure")
            throw new CliConfigError(
                `Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`,
            );
        if (schema.type === undefined || v.kind === "secure") continue;
        const content = v.kind === "object" ? (JSON.parse(v.json) as unknown) : v.text;
        if (!validateConfigValue(schema.type, schema.items, content)) {
            throw new CliConfigError(
                `Stack '${stackName}' with configuration key '${key}' must be of type '${fullTypeName(schema.type, schema.items)}'`,
            );
        }
    }

    for (const [key, v] of given) {
        if (v.kind === "secure") secretKeys.push(key);
        else values[key] = v.kind === "object" ? v.json : v.text;
    }
    return { values, secretKeys };
}
