#!/usr/bin/env bash
# Whole-process timing of `npm test`, ours against the anchor (pulumi/examples testing-unit-ts/mocha), in the same
# session, runs alternated so that both see the same machine load. Issue #14.
#
#   scripts/bench.sh [N]          N alternated rounds (default 5)
#   scripts/bench.sh --summary DIR   the table again, from the runs.tsv of an earlier run's log directory
#
# Environment:
#   ANCHOR_DIR        the anchor's directory, already `npm install`ed (default
#                     ~/.cache/k3s-admin-mfa/anchor/testing-unit-ts/mocha); to build it: a clone of pulumi/examples,
#                     then `git archive HEAD testing-unit-ts/mocha | tar -x -C ~/.cache/k3s-admin-mfa/anchor`, and
#                     `npm install` in that folder. Not inside this project: mocha looks for its configuration in the
#                     folders above, and would run the anchor with this project's .mocharc.json.
#   ANCHOR_TYPECHECK  1: also time the anchor with Node's type stripping off (NODE_OPTIONS=--no-experimental-strip-types).
#                     On Node >= 22.18 the anchor's .ts files are loaded by Node's own type stripping, so its
#                     `ts-node/register` never type-checks them; with stripping off it does, as on older Node.
#   BENCH_COLD        1: also time this project with its caches off (TEST_CACHE=0: no transpiled files kept on disk, no
#                     Node compile cache), as a fresh clone's first run
#   BENCH_ALSO        more trees to time the same way, alternated with the others: "name=DIR name2=DIR2" (e.g. a
#                     copy of the project with a proposed change applied, against this one)
#   BENCH_LOG         directory for each run's output (default: a new mktemp -d)
#
# Prints, per command: runs, failed runs, min/median/max wall seconds, median user+sys CPU seconds, and the peak
# RSS (min/median/max). /usr/bin/time's "Maximum resident set size" is that of the largest single process of the
# run (getrusage of the children), not the sum of the processes alive together.
set -euo pipefail

SUMMARY_ONLY=""
if [ "${1:-}" = --summary ]; then
    SUMMARY_ONLY=1
    BENCH_LOG="$2"
fi
N="${1:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ANCHOR_DIR="${ANCHOR_DIR:-$HOME/.cache/k3s-admin-mfa/anchor/testing-unit-ts/mocha}"
LOG="${BENCH_LOG:-$(mktemp -d -t bench-14.XXXXXX)}"
mkdir -p "$LOG"

# Only a new measurement needs the tools and the anchor; --summary reads an earlier one.
if [ -z "$SUMMARY_ONLY" ] && [ ! -x /usr/bin/time ]; then
    echo "bench: needs GNU time (/usr/bin/time): apt-get install -y time" >&2
    exit 2
fi
if [ -z "$SUMMARY_ONLY" ] && [ ! -d "$ANCHOR_DIR/node_modules" ]; then
    echo "bench: no installed anchor in $ANCHOR_DIR (see the header of this script)" >&2
    exit 2
fi
if [ -z "$SUMMARY_ONLY" ] && [ -e "$LOG/runs.tsv" ]; then
    echo "bench: $LOG already holds runs (runs.tsv); give a new BENCH_LOG, or --summary $LOG to read them" >&2
    exit 2
fi
case "$(cd "$ANCHOR_DIR" 2>/dev/null && pwd)/" in
"$ROOT"/*)
    echo "bench: the anchor in $ANCHOR_DIR is inside this project, whose .mocharc.json its mocha would load" >&2
    exit 2
    ;;
esac

names=(anchor ours)
dirs=("$ANCHOR_DIR" "$ROOT")
envs=("" "")
if [ "${ANCHOR_TYPECHECK:-0}" = 1 ]; then
    names+=(anchor-typecheck)
    dirs+=("$ANCHOR_DIR")
    envs+=("NODE_OPTIONS=--no-experimental-strip-types")
fi
if [ "${BENCH_COLD:-0}" = 1 ]; then
    names+=(ours-cold)
    dirs+=("$ROOT")
    envs+=("TEST_CACHE=0")
fi
for also in ${BENCH_ALSO:-}; do
    names+=("${also%%=*}")
    dirs+=("${also#*=}")
    envs+=("")
done

if [ -n "$SUMMARY_ONLY" ]; then
    mapfile -t names < <(cut -f1 "$LOG/runs.tsv" | awk '!seen[$0]++')
    N=0
else
    echo "bench: $N alternated runs of: ${names[*]}; node $(node -v); $(nproc) cores; logs in $LOG" >&2
fi
for ((i = 1; i <= N; i++)); do
    for k in "${!names[@]}"; do
        name="${names[$k]}"
        out="$LOG/$name.$i"
        # shellcheck disable=SC2086 # envs[k] is empty or one NAME=VALUE word
        (cd "${dirs[$k]}" && env ${envs[$k]} /usr/bin/time -v -o "$out.time" npm test >"$out.log" 2>&1) || true
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + p[j]; print s }' "$out.time")
        cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$out.time")
        rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out.time")
        code=$(awk -F': ' '/Exit status/ { print $2 }' "$out.time")
        load=$(cut -d' ' -f1 /proc/loadavg)
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$cpu" "$rss" "$code" "$load" >>"$LOG/runs.tsv"
        printf 'run %d %-16s %6.2f s wall %6.2f s cpu %7d KB rss exit %s load %s\n' "$i" "$name" "$wall" "$cpu" "$rss" "$code" "$load" >&2
    done
done

stats() { # prints min median max of the numbers on stdin
    sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s %s\n", v[1], m, v[NR] }'
}
printf '\n%-16s %4s %6s  %-26s %10s  %-28s\n' command runs failed "wall s (min/median/max)" "cpu s med" "peak RSS MB (min/median/max)"
for name in "${names[@]}"; do
    runs=$(awk -v n="$name" '$1 == n' "$LOG/runs.tsv" | wc -l)
    failed=$(awk -v n="$name" '$1 == n && $5 != 0' "$LOG/runs.tsv" | wc -l)
    read -r wmin wmed wmax < <(awk -v n="$name" '$1 == n { print $2 }' "$LOG/runs.tsv" | stats)
    read -r _ cmed _ < <(awk -v n="$name" '$1 == n { print $3 }' "$LOG/runs.tsv" | stats)
    read -r rmin rmed rmax < <(awk -v n="$name" '$1 == n { print $4 / 1024 }' "$LOG/runs.tsv" | stats)
    printf '%-16s %4d %6d  %6.2f / %6.2f / %6.2f  %10.2f  %6.0f / %6.0f / %6.0f\n' \
        "$name" "$runs" "$failed" "$wmin" "$wmed" "$wmax" "$cmed" "$rmin" "$rmed" "$rmax"
done
