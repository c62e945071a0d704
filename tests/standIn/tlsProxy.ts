import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import * as path from "node:path";
import * as tls from "node:tls";

/**
 * How the Debian AWS CLI (2.9.19) reaches the stand-in. That version reads no AWS_ENDPOINT_URL (endpoint variables
 * came in 2.13), so the CLI is left exactly as a person has it and the network around it changes instead: it honours
 * HTTPS_PROXY and AWS_CA_BUNDLE (botocore's httpsession.py), so a local proxy answers its CONNECTs to
 * sts/iam/ec2.amazonaws.com, ends TLS with a certificate of a throw-away CA the test hands over as AWS_CA_BUNDLE,
 * and forwards each request unchanged (its Host header and signature included) to the stand-in over plain HTTP.
 */

export interface Pki {
    /** PEM of the throw-away CA: AWS_CA_BUNDLE for the CLI, certificate-authority-data for kubectl. */
    readonly caFile: string;
    readonly ca: string;
    /** One leaf for the AWS hosts and 127.0.0.1 (the local API server). */
    readonly key: string;
    readonly cert: string;
}

/** A CA and one leaf, made by openssl in `dir` (readable by every user: the fresh account reads the CA). */
export function makePki(dir: string, region: string): Pki {
    const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=stand-in CA");
    run("req", ...ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=stand-in");
    const names = ["sts.amazonaws.com", "*.amazonaws.com", `*.${region}.amazonaws.com`, "localhost"];
    fs.writeFileSync(
        path.join(dir, "leaf.ext"),
        `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`,
    );
    const sign = ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"];
    run(...sign, "-days", "2", "-out", "leaf.pem", "-extfile", "leaf.ext");
    return {
        caFile: path.join(dir, "ca.pem"),
        ca: fs.readFileSync(path.join(dir, "ca.pem"), "utf8"),
        key: fs.readFileSync(path.join(dir, "leaf.key"), "utf8"),
        cert: fs.readFileSync(path.join(dir, "leaf.pem"), "utf8"),
    };
}

export class TlsProxy {
    private constructor(
        private readonly server: http.Server,
        readonly url: string,
    ) {}

    /** Listens on 127.0.0.1; every CONNECT is answered with `pki`'s leaf and forwarded to `target` (http://…). */
    static async start(pki: Pki, target: string): Promise<TlsProxy> {
        const inner = http.createServer((req, res) => {
            const out = http.request(
                target + (req.url ?? "/"),
                { method: req.method, headers: req.headers },
                (answer) => {
                    res.writeHead(answer.statusCode ?? 502, answer.headers);
                    answer.pipe(res);
                },
            );
            out.on("error", () => res.destroy());
            req.pipe(out);
        });
        const server = http.createServer((_req, res) => res.writeHead(405).end());
        server.on("connect", (_req: http.IncomingMessage, socket: Socket, head: Buffer) => {
            socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            if (head.length > 0) socket.unshift(head);
            const secure = new tls.TLSSocket(socket, { isServer: true, key: pki.key, cert: pki.cert });
            secure.on("error", () => socket.destroy());
            inner.emit("connection", secure);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return new TlsProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
    }
}
