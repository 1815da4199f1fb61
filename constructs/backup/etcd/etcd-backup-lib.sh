# shellcheck shell=sh
# Helpers shared by etcd-backup.sh and etcd-restore-drill.sh (sourced, never run on its own).
# POSIX sh: the scripts run under busybox in the cluster and under dash or bash elsewhere.

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

require_env() {
  for _name in "$@"; do
    eval "_value=\${$_name:-}"
    [ -n "$_value" ] || fail "$_name is not set. Set it in the environment (run with --help for the list)."
  done
}

require_cmd() {
  for _cmd in "$@"; do
    command -v "$_cmd" >/dev/null 2>&1 || fail "$_cmd is not on PATH. Install it or add its directory to PATH."
  done
}

# Reads one numeric field from etcd's JSON (`-w json`) or fields (`-w fields`) output:
# number_of revision "$output".
number_of() {
  printf '%s\n' "$2" | sed -n "s/.*\"$1\" *: *\([0-9][0-9]*\).*/\1/p" | head -n 1
}

# Splits BACKUP_DESTINATION into DEST_KIND (s3 or dir) and, for S3, S3_BUCKET and S3_PREFIX
# (empty or ending in "/"), checking what the kind needs.
parse_destination() {
  case "$BACKUP_DESTINATION" in
    s3://*)
      DEST_KIND=s3
      _rest=${BACKUP_DESTINATION#s3://}
      S3_BUCKET=${_rest%%/*}
      S3_PREFIX=${_rest#"$S3_BUCKET"}
      S3_PREFIX=${S3_PREFIX#/}
      S3_PREFIX=${S3_PREFIX%/}
      [ -z "$S3_PREFIX" ] || S3_PREFIX="$S3_PREFIX/"
      [ -n "$S3_BUCKET" ] || fail "BACKUP_DESTINATION has no bucket (got \"$BACKUP_DESTINATION\"). Use s3://bucket/prefix."
      require_env AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
      require_cmd curl
      S3_ENDPOINT=${S3_ENDPOINT:-https://s3.$AWS_REGION.amazonaws.com}
      ;;
    /*)
      DEST_KIND=dir
      ;;
    *)
      fail "BACKUP_DESTINATION must be s3://bucket/prefix or an absolute directory (got \"$BACKUP_DESTINATION\")."
      ;;
  esac
}

# s3_request METHOD NAME PAYLOAD_SHA256 [curl options...]: one signed (SigV4) path-style request
# for the object NAME under the destination prefix. S3 requires x-amz-content-sha256, which curl
# before 8.x does not send by itself. Credentials go to curl on stdin, not on its command line,
# so they never show in the process list.
s3_request() {
  _method=$1
  _url="${S3_ENDPOINT%/}/$S3_BUCKET/$S3_PREFIX$2"
  _payload=$3
  shift 3
  {
    printf 'user = "%s:%s"\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
    printf 'header = "x-amz-content-sha256: %s"\n' "$_payload"
    if [ -n "${AWS_SESSION_TOKEN:-}" ]; then
      printf 'header = "x-amz-security-token: %s"\n' "$AWS_SESSION_TOKEN"
    fi
  } | curl --config - --fail --silent --show-error --retry 3 \
    --aws-sigv4 "aws:amz:$AWS_REGION:s3" --request "$_method" "$@" "$_url"
}

# put_file FILE: copies FILE to the destination under its base name.
put_file() {
  _name=$(basename "$1")
  if [ "$DEST_KIND" = s3 ]; then
    s3_request PUT "$_name" "$(sha256sum "$1" | cut -d ' ' -f 1)" --upload-file "$1" --output /dev/null || fail "upload of $_name to $BACKUP_DESTINATION failed."
  else
    if ! { cp "$1" "$BACKUP_DESTINATION/.$_name.part" && mv "$BACKUP_DESTINATION/.$_name.part" "$BACKUP_DESTINATION/$_name"; }; then
      fail "copy of $_name to $BACKUP_DESTINATION failed."
    fi
  fi
}

# get_file NAME TARGET: fetches the destination's object NAME into the file TARGET.
get_file() {
  if [ "$DEST_KIND" = s3 ]; then
    s3_request GET "$1" UNSIGNED-PAYLOAD --output "$2" || fail "download of $1 from $BACKUP_DESTINATION failed."
  else
    cp "$BACKUP_DESTINATION/$1" "$2" || fail "$1 is missing from $BACKUP_DESTINATION."
  fi
}
