#!/bin/sh
# prove-door.sh: proves your door with the AWS CLI alone, in five requests that create nothing (DryRun and STS).
set -eu
# The folder of this script, without a process for dirname: the hand-over's files sit beside it.
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/settings"
aws=${K3S_AWS_CLI:-aws}
me=prove-door.sh

usage() {
	cat <<USAGE
usage: sh prove-door.sh [--token-code CODE]

Proves, as $K3S_USER holding the long-term keys of profile $K3S_SOURCE_PROFILE, what the door promises:
  1. long-term keys alone cannot launch EC2 (RunInstances with --dry-run)
  2. long-term keys alone cannot assume $K3S_ROLE_NAME
  3. an MFA session (sts get-session-token, 900 s) can launch EC2 (--dry-run)
  4. that session assumes $K3S_ROLE_NAME as $K3S_USER without a second code
  5. long-term keys may list your MFA devices (what enrolment needs)
Nothing is created and nothing is written; the sessions it makes live 15 minutes and are never printed.
  --token-code CODE   the 6-digit code for step 3 (default: asked for on the terminal)
  -h, --help          this help

Exit status: 0 every step held; 1 a step did not hold, or a request failed (one line on stderr); 2 bad command
line; 130 interrupted at the code prompt.
USAGE
}

fail() {
	printf '%s: %s\n' "$me" "$1" >&2
	exit "${2:-1}"
}

code=''
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage && exit 0 ;;
	--token-code) [ $# -ge 2 ] || fail "--token-code needs a value (see --help)" 2; code=$2 && shift 2 ;;
	*) fail "unknown argument $1 (see --help)" 2 ;;
	esac
done
six_digits() { case $1 in [0-9][0-9][0-9][0-9][0-9][0-9]) return 0 ;; *) return 1 ;; esac; }
[ -z "$code" ] || six_digits "$code" || fail "--token-code must be 6 digits" 2
[ -n "$K3S_TEST_AMI" ] || fail "this stack has no test instance to DryRun against (createTestInstance is false): ask the deployer"

errors=$(mktemp)
trap 'rm -f -- "$errors"' EXIT
# Runs the AWS CLI; its output on stdout, the last line of its stderr in $why, the error code AWS gave in $answer.
call() {
	why='' answer=''
	if out=$("$aws" --region "$K3S_REGION" "$@" 2>"$errors"); then return 0; fi
	why=$(sed -n '/[^[:space:]]/h; ${x;p;}' "$errors")
	answer=$(printf '%s\n' "$why" | sed -n 's/^An error occurred (\([A-Za-z.]*\)).*/\1/p')
	return 1
}
failed=0
report() { # step, asked, as, held (yes/no), answer, meaning
	mark=held
	[ "$4" = yes ] || { mark='DID NOT HOLD' && failed=1; }
	printf 'step %s: %s, as %s: %s: %s [%s]\n' "$1" "$2" "$3" "$5" "$6" "$mark"
}
abort_status=1 # in the subshell of steps 3 and 4: 9, so that the script stops rather than goes on to step 5
abort() { fail "step $1: $2 failed: ${why:-the AWS CLI failed without a message}" "$abort_status"; }

dry_run() {
	call ec2 run-instances --dry-run --count 1 --image-id "$K3S_TEST_AMI" --instance-type "$K3S_TEST_TYPE" \
		--subnet-id "$K3S_TEST_SUBNET" "$@" && fail "EC2 answered a DryRun RunInstances with success, which it never does"
	case $answer in DryRunOperation | UnauthorizedOperation) ;; *) return 1 ;; esac
}

# GetCallerIdentity cannot be denied: it says whose keys these are before anything is judged.
call sts get-caller-identity --profile "$K3S_SOURCE_PROFILE" --query Arn --output text || abort 0 "sts get-caller-identity"
[ "$out" = "$K3S_USER_ARN" ] ||
	fail "profile $K3S_SOURCE_PROFILE signs as $out, not as $K3S_USER_ARN: put $K3S_USER's long-term keys in profile $K3S_SOURCE_PROFILE"
bare="$K3S_USER, long-term keys"
asked="ec2 run-instances --dry-run ($K3S_TEST_TYPE, $K3S_TEST_SUBNET, $K3S_TEST_AMI)"

dry_run --profile "$K3S_SOURCE_PROFILE" || abort 1 "ec2 run-instances"
if [ "$answer" = DryRunOperation ]; then
	report 1 "$asked" "$bare" no "DryRunOperation (would have succeeded)" "long-term keys alone can launch EC2: the user's MFA Deny must deny it (BoolIfExists, not Bool); tell the deployer"
else
	report 1 "$asked" "$bare" yes UnauthorizedOperation "denied without MFA"
fi

if call sts assume-role --profile "$K3S_SOURCE_PROFILE" --role-arn "$K3S_ROLE_ARN" --role-session-name "$K3S_USER" \
	--duration-seconds 900 --query AssumedRoleUser.Arn --output text; then
	report 2 "sts assume-role $K3S_ROLE_NAME" "$bare" no "a role session" "long-term keys alone can assume the role: tell the deployer"
elif [ "$answer" = AccessDenied ]; then
	# The user's own Deny refuses AssumeRole before the role's trust is read, so a refusal by it says nothing about
	# the trust; the deployer's enforcement check proves the trust (its IAM simulation).
	case $why in
	*"identity-based policy"*) meaning="refused by your user's MFA Deny (the role's trust was not reached: this proves the Deny, not the trust)" ;;
	*) meaning="refused without MFA (by your user's Deny or the role's trust: this step cannot tell which)" ;;
	esac
	report 2 "sts assume-role $K3S_ROLE_NAME" "$bare" yes AccessDenied "$meaning"
else
	abort 2 "sts assume-role"
fi

if [ -z "$code" ]; then
	[ -t 0 ] || fail "no --token-code given and no terminal to ask for it"
	trap 'printf "\n" >&2; exit 130' INT
	printf 'MFA code for %s: ' "$K3S_MFA_SERIAL" >&2
	IFS= read -r code || exit 130
	trap - INT
	six_digits "$code" || fail "the MFA code must be 6 digits, got ${#code} characters"
fi
call sts get-session-token --profile "$K3S_SOURCE_PROFILE" --serial-number "$K3S_MFA_SERIAL" --token-code "$code" \
	--duration-seconds 900 --output text --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' ||
	abort 3 "sts get-session-token"
set -f
# shellcheck disable=SC2086 # the three tab-separated fields of --output text
set -- $out
set +f
[ $# -eq 3 ] || fail "step 3: AWS returned no credentials"

# Steps 3 and 4 sign with the session alone: its keys in the environment, and no profile that could win over them.
with_mfa="$K3S_USER, MFA session"
(
	abort_status=9
	unset AWS_PROFILE
	export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3"
	dry_run || abort 3 "ec2 run-instances"
	if [ "$answer" = DryRunOperation ]; then
		report 3 "sts get-session-token, then $asked" "$with_mfa" yes "DryRunOperation (would have succeeded)" "allowed with MFA"
	else
		report 3 "sts get-session-token, then $asked" "$with_mfa" no UnauthorizedOperation "an MFA session must be able to launch EC2: tell the deployer"
	fi
	partition=$(printf '%s' "$K3S_USER_ARN" | cut -d: -f2)
	account=$(printf '%s' "$K3S_USER_ARN" | cut -d: -f5)
	expected="arn:$partition:sts::$account:assumed-role/$K3S_ROLE_NAME/$K3S_USER"
	asked4="sts assume-role $K3S_ROLE_NAME (no second code, session name $K3S_USER)"
	if call sts assume-role --role-arn "$K3S_ROLE_ARN" --role-session-name "$K3S_USER" --duration-seconds 900 \
		--query AssumedRoleUser.Arn --output text; then
		if [ "$out" = "$expected" ]; then
			report 4 "$asked4" "$with_mfa" yes "$out" "the session carries MFA"
		else
			report 4 "$asked4" "$with_mfa" no "$out" "the assumed role must be $expected"
		fi
	elif [ "$answer" = AccessDenied ]; then
		report 4 "$asked4" "$with_mfa" no AccessDenied "the role refuses a fresh MFA session: tell the deployer (its trust: principal $K3S_USER_ARN, MultiFactorAuthAge)"
	else
		abort 4 "sts assume-role"
	fi
	exit "$failed"
) || failed=$?
[ "$failed" -le 1 ] || exit 1

if call iam list-mfa-devices --profile "$K3S_SOURCE_PROFILE" --user-name "$K3S_USER" \
	--query 'MFADevices[].SerialNumber' --output text; then
	n=$(printf '%s\n' "$out" | tr '\t' '\n' | grep -c . || true)
	listed=''
	case "	$out	" in *"	$K3S_MFA_SERIAL	"*) listed=", $K3S_MFA_SERIAL among them" ;; esac
	report 5 "iam list-mfa-devices of $K3S_USER" "$bare" yes "$n device(s)$listed" "a bootstrap action, no MFA needed"
elif [ "$answer" = AccessDenied ]; then
	report 5 "iam list-mfa-devices of $K3S_USER" "$bare" no AccessDenied "a bootstrap action needs MFA: the Deny must exempt iam:ListMFADevices; tell the deployer"
else
	abort 5 "iam list-mfa-devices"
fi
[ "$failed" -eq 0 ] && printf '%s: the door holds\n' "$me" >&2
exit "$failed"
