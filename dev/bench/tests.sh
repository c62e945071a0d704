#!/usr/bin/env bash
# Whole-process timing of `npm test` against its budgets: at most 20 s warm, at most 30 s on a fresh clone's first run
# (docs/testing.md). Variants are run alternated, round after round, so that every one sees the same machine load:
# on a shared machine compare the variants of one run with each other, not with a figure measured another day.
#
#   dev/bench/tests.sh [N]             N alternated rounds (default 5)
#   dev/bench/tests.sh --summary DIR   the table again, from the runs.tsv of an earlier run's log directory
#
# Variants timed every round:
#   warm         npm test with the caches of the run before (node_modules/.cache/k3s-test)
#   first-run    npm test after deleting those caches, as on a fresh clone after `npm ci`
# Environment:
#   BENCH_SWITCHES  more variants: warm runs with one of tests/register.cjs's speed-ups off, e.g.
#                   "TEST_SHORT_STACKS=0 TEST_TRANSPILE_CACHE=0 TEST_COLLATOR_CACHE=0" (one variant per word)
#   BENCH_LOG       directory for each run's output (default: a new mktemp -d)
#
# Needs GNU time (/usr/bin/time; Debian: apt-get install time). Prints, per variant: runs, failed runs, min/median/max
# wall seconds, median user+sys CPU seconds, peak RSS of the largest single process, and whether the median wall time
# is within the budget.
set -euo pipefail

SUMMARY_ONLY=""
if [ "${1:-}" = --summary ]; then
    SUMMARY_ONLY=1
    BENCH_LOG="$2"
fi
N="${1:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/node_modules/.cache/k3s-test"
LOG="${BENCH_LOG:-$(mktemp -d -t bench.XXXXXX)}"
mkdir -p "$LOG"

if [ -z "$SUMMARY_ONLY" ] && [ ! -x /usr/bin/time ]; then
    echo "bench: needs GNU time (/usr/bin/time): apt-get install -y time" >&2
    exit 2
fi
if [ -z "$SUMMARY_ONLY" ] && [ ! -d "$ROOT/node_modules" ]; then
    echo "bench: run npm ci first" >&2
    exit 2
fi
if [ -z "$SUMMARY_ONLY" ] && [ -e "$LOG/runs.tsv" ]; then
    echo "bench: $LOG already holds runs (runs.tsv); give a new BENCH_LOG, or --summary $LOG to read them" >&2
    exit 2
fi

names=(warm first-run)
envs=("" "")
for switch in ${BENCH_SWITCHES:-}; do
    names+=("$switch")
    envs+=("$switch")
done
budget() { [ "$1" = first-run ] && echo 30 || echo 20; }

if [ -n "$SUMMARY_ONLY" ]; then
    mapfile -t names < <(cut -f1 "$LOG/runs.tsv" | awk '!seen[$0]++')
    N=0
else
    echo "bench: $N alternated rounds of: ${names[*]}; node $(node -v); $(nproc) cores; logs in $LOG" >&2
    # One run first, so that the first round's warm run finds the caches a warm run has.
    (cd "$ROOT" && npm test >"$LOG/prime.log" 2>&1) || true
fi
for ((i = 1; i <= N; i++)); do
    for k in "${!names[@]}"; do
        name="${names[$k]}"
        out="$LOG/$name.$i"
        [ "$name" = first-run ] && rm -rf "$CACHE"
        # shellcheck disable=SC2086 # envs[k] is empty or one NAME=VALUE word
        (cd "$ROOT" && env ${envs[$k]} /usr/bin/time -v -o "$out.time" npm test >"$out.log" 2>&1) || true
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + p[j]; print s }' "$out.time")
        cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$out.time")
        rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out.time")
        code=$(awk -F': ' '/Exit status/ { print $2 }' "$out.time")
        load=$(cut -d' ' -f1 /proc/loadavg)
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$cpu" "$rss" "$code" "$load" >>"$LOG/runs.tsv"
        printf 'round %d %-24s %6.2f s wall %6.2f s cpu %7d KB rss exit %s load %s\n' "$i" "$name" "$wall" "$cpu" "$rss" "$code" "$load" >&2
    done
done

stats() { # prints min median max of the numbers on stdin
    sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s %s\n", v[1], m, v[NR] }'
}
printf '\n%-24s %4s %6s  %-26s %10s %10s  %s\n' variant runs failed "wall s (min/median/max)" "cpu s med" "RSS MB med" budget
for name in "${names[@]}"; do
    runs=$(awk -v n="$name" '$1 == n' "$LOG/runs.tsv" | wc -l)
    failed=$(awk -v n="$name" '$1 == n && $5 != 0' "$LOG/runs.tsv" | wc -l)
    read -r wmin wmed wmax < <(awk -v n="$name" '$1 == n { print $2 }' "$LOG/runs.tsv" | stats)
    read -r _ cmed _ < <(awk -v n="$name" '$1 == n { print $3 }' "$LOG/runs.tsv" | stats)
    read -r _ rmed _ < <(awk -v n="$name" '$1 == n { print $4 / 1024 }' "$LOG/runs.tsv" | stats)
    limit=$(budget "$name")
    verdict=$(awk -v m="$wmed" -v l="$limit" 'BEGIN { print (m <= l) ? "within " l " s" : "OVER " l " s" }')
    printf '%-24s %4d %6d  %6.2f / %6.2f / %6.2f  %10.2f %10.0f  %s\n' \
        "$name" "$runs" "$failed" "$wmin" "$wmed" "$wmax" "$cmed" "$rmed" "$verdict"
done
