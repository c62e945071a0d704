import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Account, type AccountOptions, type Keys } from "./standIn/account";
import * as svc from "./standIn/services";
import { ec2Error, queryError, signatureMatches, signedBy, type Reply } from "./standIn/wire";

/**
 * A local stand-in for EC2, STS and IAM that the real AWS SDK reaches through AWS_ENDPOINT_URL_EC2/_STS/_IAM
 * (@smithy/core's getEndpointUrlConfig: `AWS_ENDPOINT_URL_<SERVICE ID>`, then AWS_ENDPOINT_URL). It speaks the
 * query protocols' wire formats (tests/standIn/wire.ts), authenticates each request by its SigV4 signature, and
 * decides it from the credentials that signed it and a real IAM evaluation of our documents (tests/standIn/account.ts).
 * Modelled on AWS's behaviour as the EC2, STS and IAM API references and seed 004 show it.
 */

export interface StandInOptions extends AccountOptions {
    readonly region?: string;
    readonly ec2?: svc.World["ec2"];
    readonly devices?: readonly string[];
    readonly codes?: readonly string[];
    readonly throttle?: readonly string[];
}

export const REGION = "us-east-1";
export const INSTANCE = { type: "t3.micro", ami: "ami-0abcdef1234567890", subnetId: "subnet-0123456789abcdef0" };
export const CODES = ["123456", "234567", "345678", "456789", "567890", "678901"];

export interface Logged {
    readonly service: string;
    readonly action: string;
    readonly as: string;
    readonly status: number;
}

/** STS honours a presigned URL for 15 minutes after its X-Amz-Date, whatever X-Amz-Expires says (token.go). */
function presignExpired(amzDate: string): boolean {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!m) return true;
    const at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    return Date.now() > at + 15 * 60_000;
}

export class AwsStandIn {
    world!: svc.World;
    /** Every answered request, in order. */
    readonly log: Logged[] = [];
    userKeys!: Keys;
    deployerKeys!: Keys;

    private constructor(
        private readonly server: http.Server,
        readonly url: string,
    ) {}

    static async start(options: StandInOptions = {}): Promise<AwsStandIn> {
        const server = http.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const standIn = new AwsStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
            let body = "";
            req.setEncoding("utf8");
            req.on("data", (c: string) => (body += c));
            req.on("end", () => {
                void standIn.answer(req, body).then((r) => {
                    const type = r.body.startsWith("{") ? "application/json" : "text/xml";
                    res.writeHead(r.status, { "content-type": type, "x-amzn-requestid": "stand-in" });
                    res.end(r.body);
                });
            });
        });
        return standIn.use(options);
    }

    /** A fresh account and world on the same server (the keys stay: the AWS files need not change). */
    use(o: StandInOptions = {}): this {
        const account = new Account(o);
        const region = o.region ?? REGION;
        this.world = {
            account,
            region,
            ec2: o.ec2 ?? { [region]: { types: [INSTANCE.type], amis: [INSTANCE.ami], subnets: [INSTANCE.subnetId] } },
            devices: o.devices ?? [`arn:aws:iam::${account.accountId}:mfa/${account.user.userName}`],
            codes: o.codes ?? CODES,
            usedCodes: new Set(),
            encoded: new Map(),
            created: [],
            throttle: new Set(o.throttle ?? []),
        };
        this.userKeys = account.issueLongTerm(account.user, this.userKeys);
        this.deployerKeys = account.issueLongTerm(account.deployer, this.deployerKeys);
        this.log.length = 0;
        return this;
    }

    /** The variables that point the SDK at the stand-in. */
    endpoints(): Record<string, string> {
        return { AWS_ENDPOINT_URL_EC2: this.url, AWS_ENDPOINT_URL_STS: this.url, AWS_ENDPOINT_URL_IAM: this.url };
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
    }

    private async answer(req: http.IncomingMessage, body: string): Promise<Reply> {
        const s = signedBy(req);
        // A presigned GetCallerIdentity (aws eks get-token's token, replayed by aws-iam-authenticator's server) carries
        // its parameters in the query string; the SDKs and the CLI POST them as a form.
        const params =
            s?.presignedAt !== undefined
                ? new URL(req.url ?? "/", "http://stand-in").searchParams
                : new URLSearchParams(body);
        const action = params.get("Action") ?? "";
        const service = s?.service ?? "";
        const error = (status: number, code: string, message: string) =>
            service === "ec2"
                ? ec2Error(status, code, message)
                : queryError(service === "iam" ? "iam" : "sts", status, code, message);
        let reply: Reply;
        let as = "";
        const held = s ? this.world.account.held(s.accessKeyId) : undefined;
        if (!s) reply = error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
        else if (!held || held.sessionToken !== s.securityToken)
            reply =
                service === "ec2"
                    ? error(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
                    : error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        else if (!signatureMatches(req, body, s, held.secretAccessKey))
            reply = error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            );
        else if (s.presignedAt !== undefined && presignExpired(s.presignedAt))
            reply = error(403, "ExpiredToken", "Signature expired");
        else if (held.expires !== undefined && held.expires <= Date.now())
            reply =
                service === "ec2"
                    ? error(400, "RequestExpired", "Request has expired.")
                    : error(403, "ExpiredToken", "The security token included in the request is expired");
        else if (this.world.throttle.has(`${service}:${action}`))
            reply =
                service === "ec2"
                    ? error(503, "RequestLimitExceeded", "Request limit exceeded.")
                    : error(400, "Throttling", "Rate exceeded");
        else {
            as = held.caller.arn + (held.caller.mfaAt !== undefined ? " (MFA)" : "");
            reply = await this.dispatch(`${service}:${action}`, held.caller, s.region, params, error);
            if (action === "GetCallerIdentity" && String(req.headers.accept).includes("application/json"))
                reply = svc.getCallerIdentityJson(held.caller);
        }
        this.log.push({ service, action, as, status: reply.status });
        return reply;
    }

    private dispatch(
        what: string,
        caller: svc.World["account"]["user"],
        region: string,
        p: URLSearchParams,
        error: (status: number, code: string, message: string) => Reply,
    ): Promise<Reply> | Reply {
        const w = this.world;
        switch (what) {
            case "ec2:RunInstances":
                return svc.runInstances(w, caller, region, p);
            case "sts:GetSessionToken":
                return svc.getSessionToken(w, caller, p);
            case "sts:AssumeRole":
                return svc.assumeRole(w, caller, p);
            case "sts:GetCallerIdentity":
                return svc.getCallerIdentity(w, caller);
            case "sts:DecodeAuthorizationMessage":
                return svc.decodeAuthorizationMessage(w, caller, p);
            case "iam:ListMFADevices":
                return svc.listMfaDevices(w, caller, p);
            default:
                return error(400, "InvalidAction", `The stand-in does not implement ${what}`);
        }
    }
}
