/**
 * Reading a resource's properties without letting the policy SDK decide what an unknown value means.
 *
 * The SDK hands rules the properties behind a proxy that throws its UnknownValueError on reading an unknown value
 * (@pulumi/policy 1.21.0 proxy.ts, `proxyHelper`), and turns that error into an *advisory* "can't run … during
 * preview", whatever the rule's level (server.ts, the UnknownValueError branches of `makeAnalyzeRpcFun` and
 * `makeAnalyzeStackRpcFun`). A weakening hidden behind a value unknown at preview would then pass preview with a
 * warning. The rules read through `read` instead and refuse an unknown value themselves: every value they judge is
 * known at preview in the stack's own shapes, and during `pulumi up` the engine sends resolved values (the Node SDK
 * sends unknowns only in previews: @pulumi/pulumi runtime/rpc.ts `serializeProperty`, `deserializeProperty`).
 */

export type Read = { readonly known: true; readonly value: unknown } | { readonly known: false; readonly why: string };

/** The SDK's UnknownValueError (proxy.ts), recognised by its field: its class is not part of the typed API. */
const isUnknownValueError = (e: unknown): e is Error => e instanceof Error && "unknownTypeSentinel" in e;

/**
 * `props[key]`, copied whole as plain JSON (every nested field read through the SDK's proxy, so an unknown anywhere
 * inside is found), or why it cannot be known.
 */
export function read(props: Record<string, unknown>, key: string): Read {
    try {
        const v = props[key];
        return { known: true, value: v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown) };
    } catch (e) {
        if (isUnknownValueError(e)) return { known: false, why: e.message };
        throw e;
    }
}

/** The message for a value the rule must judge but cannot know: refused, not waved through as advisory. */
export const unknownProblem = (what: string, why: string): string =>
    `${what} is not known (${why}); the pack judges resolved values only, and this stack's own are known at preview`;
