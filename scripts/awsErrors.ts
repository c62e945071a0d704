/** One clear line for each way an MFA session can fail; never a stack trace, never a secret. */

export class UserError extends Error {}

function codeOf(err: Error): string {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? code : "";
}

export function explain(err: unknown, ctx: { readonly profile: string; readonly roleArn?: string }): string {
    if (err instanceof UserError) return err.message;
    if (!(err instanceof Error)) return String(err);
    const name = err.name;
    const message = err.message.replace(/\s+/g, " ").trim();
    const network = `${name} ${codeOf(err)}`;
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|TimeoutError|NetworkingError/.test(network)) {
        return `cannot reach AWS (${codeOf(err) || name}): check the network and try again`;
    }
    if (/MultiFactorAuthentication|MFA|one time pass ?code/i.test(message) && /AccessDenied/.test(name)) {
        return "the MFA code was wrong or has already been used: wait for the next code and try again";
    }
    if (/InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|UnrecognizedClient|InvalidAccessKeyId/.test(name)) {
        return `the keys of profile \`${ctx.profile}\` are invalid or expired (${name}): replace them with \`aws configure --profile ${ctx.profile}\``;
    }
    if (name === "CredentialsProviderError") {
        return `profile \`${ctx.profile}\` has no usable long-term keys: ${message}`;
    }
    if (/AccessDenied/.test(name) && ctx.roleArn) {
        return `not allowed to assume ${ctx.roleArn}: ${message}`;
    }
    return `${name}: ${message}`;
}
