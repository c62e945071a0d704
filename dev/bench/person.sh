#!/usr/bin/env bash
# The person's commands against the AWS CLI doing the same job, on the same stand-in, profile and kind of code,
# alternated run by run (issue 21, "Fast"): the session command must take at most the AWS CLI's wall time, and
# --help of every command under 0.3 s.
#   dev/bench/person.sh [RUNS]       (default 10; needs /usr/bin/aws, the Debian AWS CLI v2, and npm ci done)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
[ -x /usr/bin/aws ] || { echo "bench-person.sh: /usr/bin/aws is missing: apt-get install awscli" >&2; exit 1; }

node -r ts-node/register/transpile-only tests/benchWorld.ts "$runs" </dev/null >"${TMPDIR:-/tmp}/bench-person.env" &
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
times=(); for _ in 1 2 3 4 5; do times+=("$(help_ms node handover/write.mjs --help)"); done
echo "--help handover/write.mjs (deployer's): $(printf '%s\n' "${times[@]}" | median) ms"
times=(); for _ in 1 2 3 4 5; do times+=("$(help_ms node -e 0)"); done
echo "node -e 0, for reference: $(printf '%s\n' "${times[@]}" | median) ms"
# The deployer's Node tools, for comparison: ts-node transpiles them on every start (not on a person's path any more).
for tool in mfa-session prove-mfa; do
  times=(); for _ in 1 2 3; do times+=("$(help_ms node -r ts-node/register/transpile-only "commands/$tool/main.ts" --help)"); done
  echo "--help commands/$tool/main.ts (deployer's, ts-node): $(printf '%s\n' "${times[@]}" | median) ms"
done
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
# The goal: session.sh at most the AWS CLI's wall time for the same job.
awk -v a="$ours2_median" -v b="$alone_median" 'BEGIN { if (a > b) { print "bench-person.sh: session.sh is slower than the AWS CLI for the same job" > "/dev/stderr"; exit 1 } }'
