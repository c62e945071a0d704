/**
 * The dependency guard's rules (issue 19, "a guard for the class"): a locked version is what a careful engineer would
 * pick only if it is a release npm's `latest` tag has reached, not a prerelease, and not deprecated. @pulumi/command
 * 4.5.0 was all three kinds of mistake at once: a stray release above `latest` 1.2.1, whose install script asked the
 * engine for a provider plugin that pulumi-command never released. Pure: the registry's answers come in as data, so
 * every rule is tested on captured answers (tests/fixtures/registry/) and the network part stays thin.
 */

/** One direct dependency as package-lock.json installs it. */
export interface LockedDependency {
    /** The name package.json uses (`typescript-7` for an alias). */
    readonly name: string;
    /** The package's name in the registry (`typescript` for `npm:typescript@…`). */
    readonly registryName: string;
    /** The version the lockfile installs. */
    readonly version: string;
}

/**
 * The registry's document for a package (its packument), as much of it as the rules read: the tags, and each
 * version's deprecation message (npm's registry API, "Package metadata"; both the full and the abbreviated document
 * that `npm install` fetches carry them). Or the registry's error: E404 for a package it does not hold.
 */
export type RegistryAnswer =
    | {
          readonly name: string;
          readonly "dist-tags": Readonly<Record<string, string>>;
          readonly versions: Readonly<Record<string, { readonly deprecated?: string }>>;
      }
    | { readonly error: { readonly code: string; readonly summary: string } };

interface PackageJson {
    readonly dependencies?: Readonly<Record<string, string>>;
    readonly devDependencies?: Readonly<Record<string, string>>;
}

interface PackageLock {
    readonly packages: Readonly<Record<string, { readonly name?: string; readonly version?: string }>>;
}

/**
 * The direct dependencies (dependencies and devDependencies), at the versions the lockfile installs. Transitive ones
 * are left to the packages that chose them: we pick only the direct ones, and a deprecated package deep in a tool's
 * tree is not ours to move (it would make the guard cry wolf until nobody read it).
 */
export function lockedDirectDependencies(pkg: PackageJson, lock: PackageLock): LockedDependency[] {
    const names = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].sort();
    return names.map((name) => {
        const entry = lock.packages[`node_modules/${name}`];
        if (entry?.version === undefined)
            throw new Error(`package-lock.json does not install ${name}, which package.json lists: run npm install`);
        return { name, registryName: entry.name ?? name, version: entry.version };
    });
}

type Version = { readonly release: readonly number[]; readonly prerelease: readonly string[] };

/** A semantic version (semver.org 2.0.0): `1.2.3`, `1.2.3-beta.1`, build metadata ignored. */
export function parseVersion(text: string): Version {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
    if (!m) throw new Error(`not a semantic version: ${JSON.stringify(text)}`);
    return { release: [Number(m[1]), Number(m[2]), Number(m[3])], prerelease: m[4] ? m[4].split(".") : [] };
}

/** semver.org's precedence (rule 11): negative when a comes first. */
export function compareVersions(a: string, b: string): number {
    const [x, y] = [parseVersion(a), parseVersion(b)];
    for (let i = 0; i < 3; i++) if (x.release[i] !== y.release[i]) return x.release[i]! - y.release[i]!;
    // A release follows its own prereleases.
    if (x.prerelease.length === 0 || y.prerelease.length === 0) return y.prerelease.length - x.prerelease.length;
    for (let i = 0; i < Math.min(x.prerelease.length, y.prerelease.length); i++) {
        const [p, q] = [x.prerelease[i]!, y.prerelease[i]!];
        if (p === q) continue;
        const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
        if (pn && qn) return Number(p) - Number(q);
        if (pn !== qn) return pn ? -1 : 1; // numeric identifiers come before alphanumeric ones
        return p < q ? -1 : 1;
    }
    return x.prerelease.length - y.prerelease.length;
}

/** What is wrong with one locked version, as one readable line; undefined when nothing is. */
export function dependencyProblem(dep: LockedDependency, answer: RegistryAnswer): string | undefined {
    const shown =
        dep.registryName === dep.name
            ? `${dep.name} ${dep.version}`
            : `${dep.name} (${dep.registryName}) ${dep.version}`;
    if ("error" in answer) return `${shown}: could not be looked up: ${answer.error.code} ${answer.error.summary}`;
    const locked = answer.versions[dep.version];
    if (locked === undefined) return `${shown}: the registry no longer has this version (unpublished)`;
    const reasons: string[] = [];
    const latest = answer["dist-tags"]["latest"];
    if (latest === undefined) reasons.push("the package has no `latest` tag");
    else if (compareVersions(dep.version, latest) > 0)
        reasons.push(`above the package's latest release, ${latest} (a stray or withdrawn version)`);
    if (parseVersion(dep.version).prerelease.length > 0) reasons.push("a prerelease");
    // npm un-deprecates a version by setting the message to "".
    if (locked.deprecated !== undefined && locked.deprecated !== "")
        reasons.push(`deprecated: ${locked.deprecated.replace(/\s+/g, " ").trim()}`);
    return reasons.length === 0 ? undefined : `${shown}: ${reasons.join("; ")}`;
}

/** Every problem, one line per package, in the order of `deps`. */
export function dependencyProblems(
    deps: readonly LockedDependency[],
    answers: Readonly<Record<string, RegistryAnswer>>,
): string[] {
    return deps.flatMap((dep) => {
        const answer = answers[dep.name];
        if (answer === undefined) throw new Error(`no registry answer for ${dep.name}`);
        const problem = dependencyProblem(dep, answer);
        return problem === undefined ? [] : [problem];
    });
}
