#!/usr/bin/env bash
# The person's commands against the AWS CLI doing the same job, on the same stand-in, profile and kind of code,
# alternated run by run (issue 21, "Fast"): the session command must take at most the AWS CLI's wall time, and
# --help of every command under 0.3 s.
#   dev/bench/person.sh [RUNS]       (default 10; needs /usr/bin/aws, the Debian AWS CLI v2, and npm ci done)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
[ -x /usr/bin/aws ] || { echo "person.sh: /usr/bin/aws is missing: apt-get install awscli" >&2; exit 1; }

# The Node.js on PATH now (the project's 22): the person's environment sourced below puts the system's first.
node=$(command -v node)
"$node" -r ts-node/register/transpile-only tests/benchWorld.ts "$runs" </dev/null >"${TMPDIR:-/tmp}/bench-person.env" &
world=$!
# The world stops (and removes its folder) on SIGTERM.
trap 'kill "$world" 2>/dev/null; wait "$world" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q BENCH_READY "${TMPDIR:-/tmp}/bench-person.env" 2>/dev/null && break; sleep 0.2; done
# shellcheck disable=SC1091
. "${TMPDIR:-/tmp}/bench-person.env"
export PATH="$PATH:/usr/bin:/bin"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

code=100000
cli=() ours=()
for i in $(seq "$runs"); do
  for which in cli ours; do
    # Alternate which goes first, so neither always meets a warm or a cold cache.
    [ $((i % 2)) -eq 0 ] && which=$([ "$which" = cli ] && echo ours || echo cli)
    code=$((code + 1))
    t0=$(now)
    if [ "$which" = cli ]; then
      /usr/bin/aws sts get-session-token --profile k3s-admin --serial-number "$BENCH_SERIAL" --token-code "$code" \
        --duration-seconds 3600 >/dev/null
      cli+=("$(ms "$t0" "$(now)")")
    else
      K3S_AWS_CLI=/usr/bin/aws sh "$BENCH_HANDOVER/session.sh" --token-code "$code" 2>/dev/null
      ours+=("$(ms "$t0" "$(now)")")
    fi
  done
done
cli_median=$(printf '%s\n' "${cli[@]}" | median)
ours_median=$(printf '%s\n' "${ours[@]}" | median)
echo "session, median of $runs alternated runs (ms): aws sts get-session-token $cli_median; session.sh (same call, profile written) $ours_median"

# session.sh's own cost, apart from the AWS CLI it runs: the same script with a stand-in `aws` that answers at once.
stub=$(mktemp -d)
printf '#!/bin/sh\nprintf "ASIASTUB\\tsecret\\ttoken\\t2030-01-01T00:00:00Z\\n"\n' >"$stub/aws" && chmod +x "$stub/aws"
own=(); for i in $(seq "$runs"); do
  t0=$(now); K3S_AWS_CLI="$stub/aws" sh "$BENCH_HANDOVER/session.sh" --token-code 123456 --session-profile bench-stub 2>/dev/null
  own+=("$(ms "$t0" "$(now)")")
done
rm -rf "$stub"
echo "session.sh's own work (sh, awk, the safe write; the AWS CLI call excluded): $(printf '%s\n' "${own[@]}" | median) ms"

help_ms() { local t0; t0=$(now); "$@" >/dev/null 2>&1; ms "$t0" "$(now)"; }
for cmd in setup.sh session.sh prove-door.sh; do
  times=(); for _ in 1 2 3 4 5; do times+=("$(help_ms sh "$BENCH_HANDOVER/$cmd" --help)"); done
  echo "--help $cmd: $(printf '%s\n' "${times[@]}" | median) ms"
done
times=(); for _ in 1 2 3 4 5; do times+=("$(help_ms "$node" handover/write.mjs --help)"); done
echo "--help handover/write.mjs (deployer's): $(printf '%s\n' "${times[@]}" | median) ms"
times=(); for _ in 1 2 3 4 5; do times+=("$(help_ms "$node" -e 0)"); done
echo "node -e 0, for reference: $(printf '%s\n' "${times[@]}" | median) ms"
# The project's Node commands, as package.json starts them (cli/launch.cjs answers --help with no TypeScript and no
# AWS SDK), each alternated run by run with `node -e 0`, the floor of any Node.js program. Goal: under 300 ms.
slow_help=""
# A run that fails (the Node.js guard refusing an old Node.js, say) would be timed as fast: each must exit 0.
node_help_ms() {
  local t0; t0=$(now)
  "$@" >/dev/null 2>&1 </dev/null || { echo "person.sh: $* failed" >&2; exit 1; }
  ms "$t0" "$(now)"
}
scripts=$("$node" -p 'const s = require("./package.json").scripts; Object.keys(s).filter((k) => s[k].includes("cli/launch.cjs")).map((k) => k + "=" + s[k]).join("\n")')
while IFS='=' read -r -u 3 name line; do
  mine=() bare=()
  for i in $(seq "$runs"); do
    for which in mine bare; do
      [ $((i % 2)) -eq 0 ] && which=$([ "$which" = mine ] && echo bare || echo mine)
      # shellcheck disable=SC2086 # the script's words, as sh -c splits them
      if [ "$which" = mine ]; then mine+=("$(node_help_ms "$node" ${line#node } --help)"); else bare+=("$(node_help_ms "$node" -e 0)"); fi
    done
  done
  m=$(printf '%s\n' "${mine[@]}" | median)
  echo "--help $name, median of $runs alternated runs (ms): $m; node -e 0 $(printf '%s\n' "${bare[@]}" | median)"
  awk -v m="$m" 'BEGIN { exit !(m >= 300) }' && slow_help="$slow_help $name"
done 3<<<"$scripts"
# What the same --help cost before cli/launch.cjs: ts-node (TypeScript) and the AWS SDK loaded first.
times=(); for _ in 1 2 3; do times+=("$(node_help_ms "$node" -r ./dev/nodeGuard.cjs -r ts-node/register/transpile-only checks/main.ts --help)"); done
echo "--help checks/main.ts under ts-node, as before cli/launch.cjs, for reference: $(printf '%s\n' "${times[@]}" | median) ms"
# The same job with the AWS CLI alone: the session, then saved as a profile with `aws configure set`, alternated with
# session.sh as above.
alone=() ours2=()
for i in $(seq "$runs"); do
  for which in alone ours; do
    [ $((i % 2)) -eq 0 ] && which=$([ "$which" = alone ] && echo ours || echo alone)
    code=$((code + 1))
    t0=$(now)
    if [ "$which" = alone ]; then
      # shellcheck disable=SC2046 # the three fields of --output text
      set -- $(/usr/bin/aws sts get-session-token --profile k3s-admin --serial-number "$BENCH_SERIAL" \
        --token-code "$code" --duration-seconds 3600 --output text \
        --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]')
      /usr/bin/aws configure set aws_access_key_id "$1" --profile cli-session
      /usr/bin/aws configure set aws_secret_access_key "$2" --profile cli-session
      /usr/bin/aws configure set aws_session_token "$3" --profile cli-session
      alone+=("$(ms "$t0" "$(now)")")
    else
      K3S_AWS_CLI=/usr/bin/aws sh "$BENCH_HANDOVER/session.sh" --token-code "$code" 2>/dev/null
      ours2+=("$(ms "$t0" "$(now)")")
    fi
  done
done
alone_median=$(printf '%s\n' "${alone[@]}" | median)
ours2_median=$(printf '%s\n' "${ours2[@]}" | median)
echo "the same job (a session saved as a profile), median of $runs alternated runs (ms): AWS CLI alone (get-session-token + 3 configure set) $alone_median; session.sh $ours2_median"
[ -z "$slow_help" ] || { echo "person.sh: --help takes 300 ms or more:$slow_help" >&2; exit 1; }
# The goal: session.sh at most the AWS CLI's wall time for the same job.
awk -v a="$ours2_median" -v b="$alone_median" 'BEGIN { if (a > b) { print "person.sh: session.sh is slower than the AWS CLI for the same job" > "/dev/stderr"; exit 1 } }'
