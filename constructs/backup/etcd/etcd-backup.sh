#!/bin/sh
# Takes one etcd snapshot, verifies it and ships it with its checksum. Shipped by gitplane.
set -eu

usage() {
  cat <<'USAGE'
Usage: etcd-backup.sh [--help]

Takes an etcd snapshot (etcdctl snapshot save), verifies it (etcdutl snapshot status: revision,
hash, key count), writes a SHA-256 checksum and a metadata file beside it, and copies them, and
the API server encryption configuration when one is named, to BACKUP_DESTINATION. The object
"latest" names the newest complete snapshot. Local snapshots older than the local retention are
deleted. Exits non-zero on any failure.

Environment:
  ETCDCTL_ENDPOINTS            the etcd client URL, exactly one (e.g. https://127.0.0.1:2379)
  ETCDCTL_CACERT ETCDCTL_CERT ETCDCTL_KEY
                               client TLS files (leave unset for a plain-http etcd)
  BACKUP_DESTINATION           s3://bucket/prefix or an absolute directory (required)
  BACKUP_LOCAL_DIR             where snapshots are written and kept (default /var/lib/etcd-backup)
  BACKUP_LOCAL_RETENTION_DAYS  local snapshots older than this many days are deleted (default 3)
  BACKUP_ENCRYPTION_CONFIG     API server encryption configuration to copy with each snapshot
  S3_ENDPOINT                  S3 endpoint (default https://s3.$AWS_REGION.amazonaws.com)
  AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY [AWS_SESSION_TOKEN]
                               S3 credentials (s3:// destinations only)
USAGE
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  '') ;;
  *) usage >&2; exit 2 ;;
esac

# shellcheck source=etcd-backup-lib.sh
. "$(dirname "$0")/etcd-backup-lib.sh"

require_env ETCDCTL_ENDPOINTS BACKUP_DESTINATION
require_cmd etcdctl etcdutl sha256sum
parse_destination
LOCAL_DIR=${BACKUP_LOCAL_DIR:-/var/lib/etcd-backup}
RETENTION_DAYS=${BACKUP_LOCAL_RETENTION_DAYS:-3}
case "$RETENTION_DAYS" in
  '' | *[!0-9]* | 0) fail "BACKUP_LOCAL_RETENTION_DAYS must be a whole number of days, at least 1 (got \"$RETENTION_DAYS\")." ;;
esac
if [ -n "${BACKUP_ENCRYPTION_CONFIG:-}" ] && [ ! -r "$BACKUP_ENCRYPTION_CONFIG" ]; then
  fail "BACKUP_ENCRYPTION_CONFIG names $BACKUP_ENCRYPTION_CONFIG, which is not a readable file. Mount it or unset the variable."
fi
mkdir -p "$LOCAL_DIR" || fail "cannot create $LOCAL_DIR."
[ "$DEST_KIND" = s3 ] || mkdir -p "$BACKUP_DESTINATION" || fail "cannot create $BACKUP_DESTINATION."

NAME="etcd-snapshot-$(date -u +%Y%m%dT%H%M%SZ)"
PART="$LOCAL_DIR/.$NAME.db.part"
trap 'rm -f "$PART"' EXIT

log "saving a snapshot of $ETCDCTL_ENDPOINTS"
etcdctl snapshot save "$PART" >&2 || fail "etcdctl snapshot save failed."

STATUS=$(etcdutl snapshot status "$PART" -w json) || fail "etcdutl snapshot status cannot read the new snapshot; it is corrupt."
REVISION=$(number_of revision "$STATUS")
HASH=$(number_of hash "$STATUS")
TOTAL_KEYS=$(number_of totalKey "$STATUS")
if [ -z "$REVISION" ] || [ "$REVISION" -eq 0 ] || [ -z "$HASH" ] || [ -z "$TOTAL_KEYS" ]; then
  fail "the snapshot status is incomplete ($STATUS)."
fi
# The live key count at exactly the snapshot's revision, for the restore drill to compare with.
COUNTED=$(etcdctl get --from-key '' --count-only --rev="$REVISION" -w fields) ||
  fail "cannot count the keys at revision $REVISION."
KEY_COUNT=$(number_of Count "$COUNTED")
KEY_COUNT=${KEY_COUNT:-0}

mv "$PART" "$LOCAL_DIR/$NAME.db"
cd "$LOCAL_DIR"
sha256sum "$NAME.db" >"$NAME.db.sha256"
printf 'revision=%s\nhash=%s\ntotal_keys=%s\nkey_count=%s\n' "$REVISION" "$HASH" "$TOTAL_KEYS" "$KEY_COUNT" >"$NAME.meta"
log "snapshot $NAME: revision $REVISION, hash $HASH, $KEY_COUNT keys"

FILES="$NAME.db $NAME.meta"
if [ -n "${BACKUP_ENCRYPTION_CONFIG:-}" ]; then
  cp "$BACKUP_ENCRYPTION_CONFIG" "$NAME.encryption-config.yaml"
  FILES="$FILES $NAME.encryption-config.yaml"
fi
# The checksum goes last and "latest" after it: a snapshot is only named once it is complete.
printf '%s\n' "$NAME" >latest
SAME_DIR=no
if [ "$DEST_KIND" = dir ] && [ "$(cd "$BACKUP_DESTINATION" && pwd -P)" = "$(pwd -P)" ]; then SAME_DIR=yes; fi
for f in $FILES "$NAME.db.sha256" latest; do
  if [ "$SAME_DIR" = no ]; then put_file "$LOCAL_DIR/$f"; fi
done
log "shipped $NAME to $BACKUP_DESTINATION"

find "$LOCAL_DIR" -maxdepth 1 -type f -name 'etcd-snapshot-*' -mmin "+$((RETENTION_DAYS * 1440))" -print | while read -r old; do
  rm -f "$old" && log "pruned $old"
done
