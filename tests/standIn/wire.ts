import { createHash, createHmac, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * The wire formats the stand-in speaks, as AWS documents them and the SDK parses them:
 * - requests: Signature Version 4 (the Authorization header, X-Amz-Date, X-Amz-Security-Token), form-encoded
 *   query-protocol bodies (`Action=…&Version=…`, as @aws-sdk/core's AwsQueryProtocol.serializeRequest writes them);
 * - EC2 errors: `<Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>`, the body
 *   AwsEc2QueryProtocol reads through loadQueryErrorCode (`data.Errors.Error.Code`);
 * - STS and IAM: `<XResponse><XResult>…</XResult><ResponseMetadata>` and `<ErrorResponse><Error><Type><Code>
 *   <Message></Error><RequestId>` (AwsQueryProtocol: `data.Error.Code`).
 */

export interface Signed {
    readonly accessKeyId: string;
    readonly date: string;
    readonly region: string;
    readonly service: string;
    readonly signedHeaders: string[];
    readonly signature: string;
    readonly securityToken?: string;
    /** A presigned URL's X-Amz-Date: STS honours such a URL for 15 minutes from it. */
    readonly presignedAt?: string;
}

const AUTH =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

/**
 * A presigned URL's parts (SigV4 in the query string: X-Amz-Credential, X-Amz-SignedHeaders, X-Amz-Signature), as
 * `aws eks get-token` writes them into its token and aws-iam-authenticator's server replays them.
 */
function presigned(req: IncomingMessage): Signed | undefined {
    const q = new URL(req.url ?? "/", "http://stand-in").searchParams;
    const m = CREDENTIAL.exec(q.get("X-Amz-Credential") ?? "");
    const signature = q.get("X-Amz-Signature") ?? "";
    if (q.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256" || !m || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
    return {
        accessKeyId: m[1]!,
        date: m[2]!,
        region: m[3]!,
        service: m[4]!,
        signedHeaders: (q.get("X-Amz-SignedHeaders") ?? "").split(";"),
        signature,
        securityToken: q.get("X-Amz-Security-Token") ?? undefined,
        presignedAt: q.get("X-Amz-Date") ?? "",
    };
}

/** The SigV4 parts of the Authorization header, or of a presigned URL; undefined when the request is not signed. */
export function signedBy(req: IncomingMessage): Signed | undefined {
    const m = AUTH.exec(String(req.headers.authorization ?? ""));
    if (!m) return presigned(req);
    const token = req.headers["x-amz-security-token"];
    return {
        accessKeyId: m[1]!,
        date: m[2]!,
        region: m[3]!,
        service: m[4]!,
        signedHeaders: m[5]!.split(";"),
        signature: m[6]!,
        securityToken: typeof token === "string" ? token : undefined,
    };
}

const sha256 = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const rfc3986 = (text: string) =>
    encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/**
 * Whether the signature was made with `secret` (the SigV4 algorithm of the IAM user guide, "Create a signed AWS
 * API request"): the stand-in trusts no access key ID on its own, as AWS does not.
 */
export function signatureMatches(req: IncomingMessage, body: string, s: Signed, secret: string): boolean {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const query = [...url.searchParams]
        .filter(([k]) => s.presignedAt === undefined || k !== "X-Amz-Signature")
        .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
        .sort()
        .join("&");
    const headers = s.signedHeaders
        .map(
            (h) =>
                `${h}:${String(req.headers[h] ?? "")
                    .trim()
                    .replace(/\s+/g, " ")}\n`,
        )
        .join("");
    const canonical = [req.method, url.pathname, query, headers, s.signedHeaders.join(";"), sha256(body)].join("\n");
    const amzDate = s.presignedAt ?? String(req.headers["x-amz-date"] ?? "");
    const scope = `${s.date}/${s.region}/${s.service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
    let key = hmac(`AWS4${secret}`, s.date);
    for (const part of [s.region, s.service, "aws4_request"]) key = hmac(key, part);
    return createHmac("sha256", key).update(toSign, "utf8").digest("hex") === s.signature;
}

export function escapeXml(text: string): string {
    return text.replace(
        /[<>&'"]/g,
        (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!,
    );
}

/** Nested elements from a plain object: strings are escaped text, arrays become `<member>` lists (query protocol). */
export function xml(value: unknown): string {
    if (value === undefined || value === null) return "";
    if (Array.isArray(value)) return value.map((v) => `<member>${xml(v)}</member>`).join("");
    if (typeof value === "object")
        return Object.entries(value as Record<string, unknown>)
            .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
            .join("");
    return escapeXml(String(value));
}

export interface Reply {
    readonly status: number;
    readonly body: string;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** An EC2 error, in EC2's own envelope (API reference, "Error codes": example error response). */
export function ec2Error(status: number, code: string, message: string): Reply {
    const body = `<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
    return { status, body: DECLARATION + body };
}

const NAMESPACES = {
    sts: "https://sts.amazonaws.com/doc/2011-06-15/",
    iam: "https://iam.amazonaws.com/doc/2010-05-08/",
};

/** An STS or IAM error (query protocol's ErrorResponse). */
export function queryError(service: "sts" | "iam", status: number, code: string, message: string): Reply {
    const type = status >= 500 ? "Receiver" : "Sender";
    const body = `<ErrorResponse xmlns="${NAMESPACES[service]}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
    return { status, body: DECLARATION + body };
}

/** An STS or IAM answer: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>`. */
export function queryResult(service: "sts" | "iam", action: string, result: unknown): Reply {
    const body = `<${action}Response xmlns="${NAMESPACES[service]}"><${action}Result>${xml(result)}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
    return { status: 200, body: DECLARATION + body };
}
