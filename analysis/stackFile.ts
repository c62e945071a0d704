import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** Shown in place of values the stack stores encrypted: the offline tools have no key to read them. */
export const SECRET = "[secret]";

export interface StackFileConfig {
    /** Every key as written, namespaced (`k3s-admin-mfa:userName`, `aws:region`), values as strings. */
    readonly values: Record<string, string>;
    /** The same values as YAML gave them: lists and numbers stay so (the CLI passes them to the program as JSON). */
    readonly raw: Record<string, unknown>;
    /** Keys whose values are encrypted (`secure:`). */
    readonly secretKeys: string[];
}

/**
 * The stack's own name from any form `pulumi stack select` and pulumi/actions' `stack-name` take: `dev`,
 * `org/dev` or `org/project/dev`. Its settings live in `Pulumi.<that name>.yaml` whatever the organization (issue #13:
 * CI passes the same value to both).
 */
export function stackNameOf(stack: string, project?: string): string {
    const parts = stack.split("/");
    if (parts.length > 3 || !parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p)))
        throw new Error(
            `--stack must be a stack name such as dev, org/dev or org/project/dev, got ${JSON.stringify(stack)}`,
        );
    if (parts.length === 3 && project !== undefined && parts[1] !== project)
        throw new Error(`--stack ${stack} names project ${parts[1]}, but this is project ${project}`);
    return parts[parts.length - 1]!;
}

/** Reads `Pulumi.<stack>.yaml` from the project folder, the way the Pulumi CLI hands config to a program. */
export function readStackFile(projectDir: string, stack: string): StackFileConfig {
    const file = path.join(projectDir, `Pulumi.${stackNameOf(stack)}.yaml`);
    if (!fs.existsSync(file))
        throw new Error(`no stack file ${path.basename(file)} (create it with \`pulumi stack init ${stack}\`)`);
    const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const raw: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (typeof value === "object" && value !== null && "secure" in value) {
            values[key] = SECRET;
            raw[key] = SECRET;
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
            raw[key] = value;
        }
    }
    return { values, raw, secretKeys };
}
