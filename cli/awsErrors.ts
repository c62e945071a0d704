/** One clear line for each way an MFA session can fail; never a stack trace, never a secret. */

export class UserError extends Error {}

function codeOf(err: Error): string {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? code : "";
}

/**
 * One line for an AWS or SDK error that names what to do, for every command (mfa-session, prove-mfa): the same
 * error gets the same advice whichever command met it.
 */
export function explain(err: unknown, ctx: { readonly profile: string; readonly roleArn?: string }): string {
    if (err instanceof UserError) return err.message;
    if (!(err instanceof Error)) return String(err);
    const name = err.name;
    const message = err.message.replace(/\s+/g, " ").trim();
    const network = `${name} ${codeOf(err)}`;
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|TimeoutError|NetworkingError/.test(network)) {
        return `cannot reach AWS (${codeOf(err) || name}): check the network and try again`;
    }
    if (/^(Throttling|ThrottlingException|RequestLimitExceeded|TooManyRequestsException|RequestThrottled)$/.test(name))
        return `AWS is throttling the requests (${name}) even after the SDK's retries: wait a minute and try again`;
    if (/MultiFactorAuthentication|MFA|one time pass ?code/i.test(message) && /AccessDenied/.test(name)) {
        return "the MFA code was wrong or has already been used (AWS accepts each code once): wait for the next code and try again";
    }
    if (name === "ExpiredToken" || name === "RequestExpired")
        return `the session of profile \`${ctx.profile}\` has expired (${name}): renew it (npm run mfa-session) or give another profile`;
    if (
        /^(InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient(Exception)?|InvalidAccessKeyId|AuthFailure)$/.test(
            name,
        )
    ) {
        return `AWS does not accept the keys of profile \`${ctx.profile}\` (${name}): replace them with \`aws configure --profile ${ctx.profile}\``;
    }
    if (name === "CredentialsProviderError") {
        return `profile \`${ctx.profile}\` has no usable credentials (${message}): set it up with \`aws configure --profile ${ctx.profile}\``;
    }
    if (/AccessDenied/.test(name) && ctx.roleArn) {
        return `not allowed to assume ${ctx.roleArn}: ${message}`;
    }
    return `${name}: ${message}`;
}
