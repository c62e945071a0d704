/**
 * How the Pulumi CLI reads `requiredPulumiVersion` in Pulumi.yaml: pulumi/pulumi
 * sdk/go/common/resource/plugin/plugin.go `ValidatePulumiVersionRange` (v3.226.0 and v3.259.0 alike) calls
 * github.com/blang/semver v3.5.1 `ParseRange` on it and `ParseTolerant` on the CLI's own version. This is a port of
 * that v3.5.1 range.go (`ParseRange`, `splitAndTrim`, `splitORParts`, `splitComparatorVersion`, `parseComparator`)
 * and semver.go (`Parse`, `Compare`) for release versions: wildcards (`3.x`) and prerelease versions are refused
 * here rather than half-ported, so Pulumi.yaml must not use them.
 */

type Version = readonly [number, number, number];

/** semver.go `Parse`, for Major.Minor.Patch without prerelease or build: leading zeroes and other characters refused. */
export function parseVersion(s: string): Version {
    const parts = s.split(".");
    if (parts.length !== 3) throw new Error(`No Major.Minor.Patch elements found in ${JSON.stringify(s)}`);
    for (const p of parts) {
        if (!/^\d+$/.test(p)) throw new Error(`Invalid character(s) found in ${JSON.stringify(p)} (or a prerelease)`);
        if (p.length > 1 && p.startsWith("0")) throw new Error(`number must not contain leading zeroes ${p}`);
    }
    return parts.map(Number) as unknown as Version;
}

/** semver.go `Version.Compare` for release versions. */
function compare(a: Version, b: Version): number {
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]! ? 1 : -1;
    return 0;
}

const COMPARATORS: Readonly<Record<string, (c: number) => boolean>> = {
    "": (c) => c === 0,
    "=": (c) => c === 0,
    "==": (c) => c === 0,
    ">": (c) => c === 1,
    ">=": (c) => c >= 0,
    "<": (c) => c === -1,
    "<=": (c) => c <= 0,
    "!": (c) => c !== 0,
    "!=": (c) => c !== 0,
};

/** range.go `splitAndTrim`: split on spaces, except a space right after `>`, `<` or `=` (">= 1.2.3" is one part). */
function splitAndTrim(s: string): string[] {
    const result: string[] = [];
    let last = 0;
    let lastChar = "";
    for (let i = 0; i < s.length; i++) {
        if (s[i] === " " && !">=<".includes(lastChar || "x")) {
            if (last < i - 1) result.push(s.slice(last, i));
            last = i + 1;
        } else if (s[i] !== " ") lastChar = s[i]!;
    }
    if (last < s.length - 1) result.push(s.slice(last));
    return result.map((v) => v.replaceAll(" ", ""));
}

/** range.go `ParseRange`: `||` separates alternatives, spaces separate conditions that must all hold. */
export function parseRange(s: string): (version: string) => boolean {
    const parts = splitAndTrim(s);
    const alternatives: string[][] = [];
    let last = 0;
    parts.forEach((p, i) => {
        if (p !== "||") return;
        if (i === 0) throw new Error("First element in range is '||'");
        alternatives.push(parts.slice(last, i));
        last = i + 1;
    });
    if (last === parts.length) throw new Error("Last element in range is '||'");
    alternatives.push(parts.slice(last));
    const tests = alternatives.map((and) =>
        and.map((ap) => {
            if (ap.includes("x")) throw new Error(`wildcard ranges are not ported: ${JSON.stringify(ap)}`);
            const at = ap.search(/\d/);
            if (at === -1) throw new Error(`Could not get version from string: ${JSON.stringify(ap)}`);
            const op = ap.slice(0, at).trim();
            const cmp = COMPARATORS[op];
            if (!cmp) throw new Error(`Could not parse comparator ${JSON.stringify(op)} in ${JSON.stringify(ap)}`);
            const bound = parseVersion(ap.slice(at));
            return (v: Version) => cmp(compare(v, bound));
        }),
    );
    return (version) => {
        const v = parseVersion(version.replace(/^v/, ""));
        return tests.some((and) => and.every((t) => t(v)));
    };
}
