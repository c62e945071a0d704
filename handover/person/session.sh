#!/bin/sh
# session.sh: your own MFA session (sts:GetSessionToken), for tools that cannot assume a role with mfa_serial.
# POSIX sh and the AWS CLI v2 only; the settings come from the file `settings` beside this script (the hand-over).
set -eu
# The folder of this script, without a process for dirname: the hand-over's files sit beside it.
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/settings"
. "$here/ini.sh"
aws=${K3S_AWS_CLI:-aws}
me=session.sh

usage() {
	cat <<USAGE
usage: sh session.sh [--token-code CODE] [--duration-seconds N] [--print-env | --session-profile NAME]

Turns the long-term keys of profile $K3S_SOURCE_PROFILE plus a code from your MFA device ($K3S_MFA_SERIAL)
into a session of your own user (sts:GetSessionToken), written as profile $K3S_SOURCE_PROFILE-session to the
shared credentials file (\${AWS_SHARED_CREDENTIALS_FILE:-~/.aws/credentials}); other profiles and comments are kept.
For kubectl and the role, you need none of this: profile $K3S_PROFILE asks for the code itself.
  --token-code CODE       the 6-digit code (default: asked for on the terminal)
  --duration-seconds N    900 to $K3S_USER_MFA_MAX_AGE (default $K3S_USER_MFA_MAX_AGE: the stack's userMfaMaxAgeSeconds;
                          an older session stops acting as admin, so a longer one would only look valid)
  --session-profile NAME  the profile to write (default $K3S_SOURCE_PROFILE-session)
  --print-env             print export lines for eval instead of writing a file
  -h, --help              this help

Exit status: 0 done; 1 failed (one line on stderr, the credentials file untouched); 2 bad command line;
130 interrupted at the code prompt.
USAGE
}

fail() {
	printf '%s: %s\n' "$me" "$1" >&2
	exit "${2:-1}"
}

need() { [ "$1" -ge 2 ] || fail "$2 needs a value (see --help)" 2; }

code='' seconds=$K3S_USER_MFA_MAX_AGE print='' target_profile="$K3S_SOURCE_PROFILE-session"
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage && exit 0 ;;
	--token-code) need $# "$1" && code=$2 && shift 2 ;;
	--duration-seconds) need $# "$1" && seconds=$2 && shift 2 ;;
	--session-profile) need $# "$1" && target_profile=$2 && shift 2 ;;
	--print-env) print=1 && shift ;;
	*) fail "unknown argument $1 (see --help)" 2 ;;
	esac
done
case $seconds in '' | *[!0-9]*) fail "--duration-seconds takes a whole number of seconds, got \"$seconds\"" 2 ;; esac
if [ "$seconds" -lt 900 ] || [ "$seconds" -gt "$K3S_USER_MFA_MAX_AGE" ]; then
	fail "--duration-seconds must be from 900 to $K3S_USER_MFA_MAX_AGE (the stack's userMfaMaxAgeSeconds), got $seconds" 2
fi
six_digits() { case $1 in [0-9][0-9][0-9][0-9][0-9][0-9]) return 0 ;; *) return 1 ;; esac; }
[ -z "$code" ] || six_digits "$code" || fail "--token-code must be 6 digits" 2
case $target_profile in '' | *[][\ \	]*) fail "--session-profile must be a profile name without [ ] or spaces, got \"$target_profile\"" 2 ;; esac
[ "$target_profile" != "$K3S_SOURCE_PROFILE" ] ||
	fail "--session-profile must differ from $K3S_SOURCE_PROFILE: the long-term keys would be overwritten" 2

# Everything the write needs is checked before a code is spent: a code spent on a session that cannot be saved is
# a code the person has to wait 30 s to replace.
if [ -z "$print" ]; then
	check_writable "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" " or use --print-env"
fi

if [ -z "$code" ]; then
	[ -t 0 ] || fail "no --token-code given and no terminal to ask for it"
	trap 'printf "\n" >&2; exit 130' INT
	printf 'MFA code for %s: ' "$K3S_MFA_SERIAL" >&2
	IFS= read -r code || exit 130
	trap - INT
	six_digits "$code" || fail "the MFA code must be 6 digits, got ${#code} characters; no session was requested, nothing was written"
fi

# One process beyond the AWS CLI's own where possible: its stderr comes back with its stdout, and the last line is
# the answer (the four fields) or the error.
nl='
'
if ! out=$("$aws" sts get-session-token --profile "$K3S_SOURCE_PROFILE" --region "$K3S_REGION" \
	--serial-number "$K3S_MFA_SERIAL" --token-code "$code" --duration-seconds "$seconds" --output text \
	--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken,Expiration]' 2>&1); then
	why=${out%"$nl"}
	why=${why##*"$nl"}
	case $why in
	*MultiFactorAuthentication*) fail "AWS refused the code (wrong, or already used): wait for the next one and run again" ;;
	*InvalidClientTokenId* | *"could not be found"* | *"Unable to locate credentials"*)
		fail "the long-term keys of profile $K3S_SOURCE_PROFILE are missing or not valid: ${why#*: }" ;;
	*) fail "${why:-the AWS CLI failed without a message}" ;;
	esac
fi
out=${out##*"$nl"}
set -f
# shellcheck disable=SC2086 # the four tab-separated fields of --output text
set -- $out
set +f
[ $# -eq 4 ] || fail "AWS returned no credentials"

if [ -n "$print" ]; then
	printf 'export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport AWS_SESSION_TOKEN=%s\nexport AWS_CREDENTIAL_EXPIRATION=%s\n' "$1" "$2" "$3" "$4"
	printf '%s: MFA session until %s\n' "$me" "$4" >&2
	exit 0
fi

K3S_BODY="# MFA session via session.sh; expires $4
aws_access_key_id = $1
aws_secret_access_key = $2
aws_session_token = $3
region = $K3S_REGION
" write_section "$target_profile"
shown=$file
[ "$file" = "$target" ] || shown="$file (a link to $target)"
printf '%s: wrote profile %s (region %s) to %s; it expires %s. Use: --profile %s\n' "$me" "$target_profile" "$K3S_REGION" "$shown" "$4" "$target_profile" >&2
