import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { parse } from "yaml";
import type { Pki } from "./tlsProxy";

/**
 * A local TLS stand-in for the k3s API server with aws-iam-authenticator's webhook behind it: it takes kubectl's
 * bearer token, checks it as the authenticator's server does (v0.7.18 pkg/token/token.go, tokenVerifier.Verify,
 * ported check by check below), replays the presigned sts:GetCallerIdentity against the AWS stand-in, and maps the
 * caller with the `mapRoles` of the config file we hand the cluster operator (pkg/config/types.go RoleMapping;
 * username templates as pkg/mapper renders {{SessionName}}). It answers `kubectl auth whoami` and `get nodes`.
 */

interface Mapping {
    readonly rolearn: string;
    readonly username: string;
    readonly groups: string[];
}

export interface Reviewed {
    readonly username: string;
    readonly groups: string[];
}

// token.go: v1Prefix, maxTokenLenBytes, parameterWhitelist, presignedURLExpiration.
const PREFIX = "k8s-aws-v1.";
const MAX_TOKEN = 4096;
const ALLOWED = new Set([
    "action",
    "version",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-security-token",
    "x-amz-signature",
    "x-amz-signedheaders",
]);

/** Why token.go's Verify refuses `token` before asking STS; undefined when it would ask. */
export function formatError(token: string, partitionDomain = "amazonaws.com"): string | undefined {
    if (token.length > MAX_TOKEN) return "token is too large";
    if (!token.startsWith(PREFIX)) return `token is missing expected "${PREFIX}" prefix`;
    const encoded = token.slice(PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return "illegal base64 data"; // base64.RawURLEncoding: no padding
    let url: URL;
    try {
        url = new URL(Buffer.from(encoded, "base64url").toString("utf8"));
    } catch {
        return "unparsable URL";
    }
    if (url.protocol !== "https:") return `unexpected scheme "${url.protocol.slice(0, -1)}" in pre-signed URL`;
    // verifySTSHostnameFormat: sts.{region}.{partition domain}, or the global sts.amazonaws.com.
    if (!new RegExp(`^sts(\\.[a-z0-9-]+)?\\.${partitionDomain.replace(/\./g, "\\.")}$`).test(url.host))
        return `unexpected hostname "${url.host}" in pre-signed URL`;
    if (url.pathname !== "/") return "unexpected path in pre-signed URL";
    const seen = new Set<string>();
    const lower = new Map<string, string>();
    for (const [key, value] of url.searchParams) {
        const k = key.toLowerCase();
        if (seen.has(k)) return `duplicate query parameter found: "${key}"`;
        seen.add(k);
        if (!ALLOWED.has(k)) return `non-whitelisted query parameter "${key}"`;
        lower.set(k, value);
    }
    if (lower.get("action") !== "GetCallerIdentity") return "unexpected action parameter in pre-signed URL";
    const signed = (lower.get("x-amz-signedheaders") ?? "").split(";").map((h) => h.toLowerCase());
    if (!signed.includes("x-k8s-aws-id")) return "client did not sign the x-k8s-aws-id header in the pre-signed URL";
    const expires = Number(lower.get("x-amz-expires"));
    if (!Number.isInteger(expires) || expires < 0 || expires > 900) return "invalid X-Amz-Expires parameter";
    const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(lower.get("x-amz-date") ?? "");
    if (!date) return "X-Amz-Date parameter must be present in pre-signed URL";
    const at = Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!);
    if (Date.now() > at + 15 * 60_000) return "X-Amz-Date parameter is expired (15 minute expiration)";
    return undefined;
}

export class ApiServer {
    /** Every review, in order: what the webhook answered for each request. */
    readonly reviews: (Reviewed | string)[] = [];

    private constructor(
        private readonly server: https.Server,
        readonly url: string,
    ) {}

    /**
     * `authenticatorConfig` is the config.yaml the cluster operator installs; `sts` the AWS stand-in's http URL,
     * where each token's URL is replayed with its own Host header (so its signature still holds).
     */
    static async start(pki: Pki, authenticatorConfig: string, sts: string): Promise<ApiServer> {
        const config = parse(authenticatorConfig) as { clusterID: string; server: { mapRoles: Mapping[] } };
        const server = https.createServer({ key: pki.key, cert: pki.cert });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const api = new ApiServer(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
        server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
            req.resume();
            void api.review(req, config, sts).then((who) => {
                api.reviews.push(who);
                const send = (status: number, body: unknown) =>
                    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
                if (typeof who === "string")
                    return send(401, {
                        kind: "Status",
                        apiVersion: "v1",
                        status: "Failure",
                        reason: "Unauthorized",
                        code: 401,
                    });
                if (req.url?.startsWith("/apis/authentication.k8s.io/v1/selfsubjectreviews"))
                    return send(201, {
                        kind: "SelfSubjectReview",
                        apiVersion: "authentication.k8s.io/v1",
                        metadata: {},
                        status: {
                            userInfo: { username: who.username, groups: [...who.groups, "system:authenticated"] },
                        },
                    });
                if (req.url?.startsWith("/api/v1/nodes"))
                    return send(200, {
                        kind: "NodeList",
                        apiVersion: "v1",
                        metadata: {},
                        items: [{ metadata: { name: "k3s-server-0" } }],
                    });
                return send(404, {
                    kind: "Status",
                    apiVersion: "v1",
                    status: "Failure",
                    reason: "NotFound",
                    code: 404,
                });
            });
        });
        return api;
    }

    private async review(
        req: http.IncomingMessage,
        config: { clusterID: string; server: { mapRoles: Mapping[] } },
        sts: string,
    ): Promise<Reviewed | string> {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        if (!token) return "no bearer token";
        const refused = formatError(token);
        if (refused) return refused;
        const signed = new URL(Buffer.from(token.slice(PREFIX.length), "base64url").toString("utf8"));
        // token.go: the request carries the cluster ID in x-k8s-aws-id (signed, so another cluster's token fails)
        // and asks for JSON.
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
            const out = http.request(
                sts + signed.pathname + signed.search,
                {
                    headers: { host: signed.host, "x-k8s-aws-id": config.clusterID, accept: "application/json" },
                },
                (r) => {
                    let body = "";
                    r.setEncoding("utf8").on("data", (c: string) => (body += c));
                    r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
                },
            );
            out.on("error", reject).end();
        });
        if (answer.status !== 200) return `STS answered ${answer.status}: ${answer.body}`;
        const id = (
            JSON.parse(answer.body) as {
                GetCallerIdentityResponse: { GetCallerIdentityResult: { Arn: string; UserId: string } };
            }
        ).GetCallerIdentityResponse.GetCallerIdentityResult;
        // arn.Canonicalize: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION -> arn:aws:iam::ACCOUNT:role/ROLE.
        const m = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(id.Arn);
        if (!m) return `not a role session: ${id.Arn}`;
        const canonical = `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
        const mapping = config.server.mapRoles.find((r) => r.rolearn.toLowerCase() === canonical.toLowerCase());
        if (!mapping) return `no mapping for ${canonical}`;
        const session = id.UserId.split(":")[1] ?? "";
        return { username: mapping.username.replace("{{SessionName}}", session), groups: mapping.groups };
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
    }
}
