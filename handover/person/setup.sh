#!/bin/sh
# setup.sh: adds your MFA profile to the AWS CLI's config (one section, written as ini.sh writes: every other
# section kept) and your user and context to kubectl's (`kubectl config set-…`, which merges). It needs no AWS CLI.
set -eu
# The folder of this script, without a process for dirname: the hand-over's files sit beside it.
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/settings"
. "$here/ini.sh"
me=setup.sh

case ${1:-} in
-h | --help)
	cat <<USAGE
usage: sh setup.sh

Writes, and changes nothing else:
  ~/.aws/config (\$AWS_CONFIG_FILE)   profile $K3S_PROFILE: role $K3S_ROLE_ARN,
                                     source_profile $K3S_SOURCE_PROFILE, mfa_serial $K3S_MFA_SERIAL
  ~/.kube/config (\$KUBECONFIG)       user and context $K3S_PROFILE on cluster entry $K3S_KUBE_CLUSTER
Running it again sets the same values. Your long-term keys stay where they are: profile $K3S_SOURCE_PROFILE
(keys in ~/.aws/credentials, or a credential_process such as aws-vault's or granted's).

Exit status: 0 done; 1 failed (one line on stderr); 2 bad command line.
USAGE
	exit 0
	;;
'') ;;
*) printf '%s: unknown argument %s (see --help)\n' "$me" "$1" >&2 && exit 2 ;;
esac

fail() {
	printf '%s: %s\n' "$me" "$1" >&2
	exit "${2:-1}"
}
command -v kubectl >/dev/null || fail "kubectl is not on PATH: install it first"
check_writable "${AWS_CONFIG_FILE:-$HOME/.aws/config}"
K3S_BODY="# for kubectl and the k3s cluster, from the hand-over of $K3S_USER
role_arn = $K3S_ROLE_ARN
source_profile = $K3S_SOURCE_PROFILE
mfa_serial = $K3S_MFA_SERIAL
role_session_name = $K3S_USER
duration_seconds = $K3S_ROLE_SESSION_SECONDS
region = $K3S_REGION
" write_section "profile $K3S_PROFILE"

# --exec-arg is a comma-separated list in kubectl: one flag per argument (none holds a comma).
kubectl config set-credentials "$K3S_PROFILE" --exec-command=aws \
	--exec-api-version=client.authentication.k8s.io/v1beta1 \
	--exec-arg=--profile --exec-arg="$K3S_PROFILE" --exec-arg=--region --exec-arg="$K3S_REGION" \
	--exec-arg=eks --exec-arg=get-token --exec-arg=--cluster-name --exec-arg="$K3S_CLUSTER_ID" \
	--exec-arg=--output --exec-arg=json --exec-interactive-mode=IfAvailable >/dev/null
kubectl config set-context "$K3S_PROFILE" --cluster="$K3S_KUBE_CLUSTER" --user="$K3S_PROFILE" >/dev/null
printf '%s: profile %s and kubectl context %s are set; start with: aws sts get-caller-identity --profile %s\n' \
	"$me" "$K3S_PROFILE" "$K3S_PROFILE" "$K3S_PROFILE" >&2
