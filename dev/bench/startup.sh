#!/usr/bin/env bash
# The program's start-up as a deploy runs it, type-checking (before issue 19 item 9) against transpile-only (after),
# runs alternated so that both see the same machine load. Each run is dev/bench/loadProgram.cjs: ts-node registered
# with the options @pulumi/pulumi's cmd/run passes for that project setup, then index.ts run to its last output
# under Pulumi's mocks. What the engine and the providers then do is the same in both, so it is left out.
#
#   dev/bench/startup.sh [N]     N alternated rounds (default 5)
#
# Environment: BENCH_LOG, a directory for each run's output (default: a new mktemp -d).
# Prints, per mode: runs, failed runs, min/median/max wall seconds, median user+sys CPU seconds, and the peak RSS
# (min/median/max) from GNU time (apt-get install -y time).
set -euo pipefail

N="${1:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOG="${BENCH_LOG:-$(mktemp -d -t bench-startup.XXXXXX)}"
mkdir -p "$LOG"
if [ ! -x /usr/bin/time ]; then
    echo "bench-startup: needs GNU time (/usr/bin/time): apt-get install -y time" >&2
    exit 2
fi
if [ -e "$LOG/runs.tsv" ]; then
    echo "bench-startup: $LOG already holds runs (runs.tsv); give a new BENCH_LOG" >&2
    exit 2
fi

names=(typecheck deploy)
echo "bench-startup: $N alternated runs of: ${names[*]}; node $(node -v); $(nproc) cores; logs in $LOG" >&2
for ((i = 1; i <= N; i++)); do
    for name in "${names[@]}"; do
        out="$LOG/$name.$i"
        # What a user's shell may set and cmd/run would follow, or ts-node would read, is cleared: both modes alike.
        (cd "$ROOT" && env -u PULUMI_NODEJS_TRANSPILE_ONLY -u TS_NODE_TRANSPILE_ONLY -u TS_NODE_TYPE_CHECK \
            -u TS_NODE_PROJECT -u TS_NODE_COMPILER_OPTIONS -u NODE_COMPILE_CACHE -u NODE_OPTIONS \
            /usr/bin/time -v -o "$out.time" node dev/bench/loadProgram.cjs "$name" >"$out.log" 2>&1) || true
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + p[j]; print s }' "$out.time")
        cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$out.time")
        rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out.time")
        code=$(awk -F': ' '/Exit status/ { print $2 }' "$out.time")
        load=$(cut -d' ' -f1 /proc/loadavg)
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$cpu" "$rss" "$code" "$load" >>"$LOG/runs.tsv"
        printf 'run %d %-10s %6.2f s wall %6.2f s cpu %7d KB rss exit %s load %s\n' "$i" "$name" "$wall" "$cpu" "$rss" "$code" "$load" >&2
    done
done

stats() { # prints min median max of the numbers on stdin
    sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s %s\n", v[1], m, v[NR] }'
}
printf '\n%-10s %4s %6s  %-26s %10s  %-28s\n' mode runs failed "wall s (min/median/max)" "cpu s med" "peak RSS MB (min/median/max)"
for name in "${names[@]}"; do
    runs=$(awk -v n="$name" '$1 == n' "$LOG/runs.tsv" | wc -l)
    failed=$(awk -v n="$name" '$1 == n && $5 != 0' "$LOG/runs.tsv" | wc -l)
    read -r wmin wmed wmax < <(awk -v n="$name" '$1 == n { print $2 }' "$LOG/runs.tsv" | stats)
    read -r _ cmed _ < <(awk -v n="$name" '$1 == n { print $3 }' "$LOG/runs.tsv" | stats)
    read -r rmin rmed rmax < <(awk -v n="$name" '$1 == n { print $4 / 1024 }' "$LOG/runs.tsv" | stats)
    printf '%-10s %4d %6d  %6.2f / %6.2f / %6.2f  %10.2f  %6.0f / %6.0f / %6.0f\n' \
        "$name" "$runs" "$failed" "$wmin" "$wmed" "$wmax" "$cmed" "$rmin" "$rmed" "$rmax"
done
