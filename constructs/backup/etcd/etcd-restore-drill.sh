#!/bin/sh
# Restores the newest etcd snapshot into a throwaway etcd and checks it. Shipped by gitplane.
set -eu

usage() {
  cat <<'USAGE'
Usage: etcd-restore-drill.sh [--help]

Proves the newest backup restores: downloads the snapshot that BACKUP_DESTINATION's "latest"
names, checks its SHA-256 checksum and its status (revision and hash as recorded at backup),
restores it with etcdutl into a scratch directory, starts a throwaway etcd from it on loopback,
and checks that it serves reads with the revision and key count the backup recorded. Exits
non-zero when any step fails.

Environment:
  BACKUP_DESTINATION     s3://bucket/prefix or an absolute directory (required)
  DRILL_WORK_DIR         scratch directory; kept afterwards when given (default: a temporary
                         directory, removed afterwards)
  DRILL_CLIENT_PORT      loopback client port of the throwaway etcd (default 12379)
  DRILL_PEER_PORT        loopback peer port of the throwaway etcd (default 12380)
  DRILL_TIMEOUT_SECONDS  how long to wait for the throwaway etcd to serve (default 60)
  S3_ENDPOINT            S3 endpoint (default https://s3.$AWS_REGION.amazonaws.com)
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

require_env BACKUP_DESTINATION
require_cmd etcd etcdctl etcdutl sha256sum
parse_destination
CLIENT_URL="http://127.0.0.1:${DRILL_CLIENT_PORT:-12379}"
PEER_URL="http://127.0.0.1:${DRILL_PEER_PORT:-12380}"
TIMEOUT=${DRILL_TIMEOUT_SECONDS:-60}
# The drill's etcd is plain http on loopback; TLS settings meant for the real cluster must not apply.
unset ETCDCTL_ENDPOINTS ETCDCTL_CACERT ETCDCTL_CERT ETCDCTL_KEY

if [ -n "${DRILL_WORK_DIR:-}" ]; then
  WORK=$DRILL_WORK_DIR
  mkdir -p "$WORK"
  KEEP_WORK=yes
else
  WORK=$(mktemp -d)
  KEEP_WORK=no
fi
ETCD_PID=
cleanup() {
  if [ -n "$ETCD_PID" ]; then
    kill "$ETCD_PID" 2>/dev/null || true
    wait "$ETCD_PID" 2>/dev/null || true
  fi
  if [ "$KEEP_WORK" = no ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

get_file latest "$WORK/latest"
NAME=$(head -n 1 "$WORK/latest")
case "$NAME" in
  etcd-snapshot-*) ;;
  *) fail "\"latest\" in $BACKUP_DESTINATION does not name a snapshot (got \"$NAME\")." ;;
esac
log "drilling $NAME from $BACKUP_DESTINATION"
for suffix in .db .db.sha256 .meta; do get_file "$NAME$suffix" "$WORK/$NAME$suffix"; done

(cd "$WORK" && sha256sum -c "$NAME.db.sha256" >&2) || fail "$NAME.db does not match its checksum."
STATUS=$(etcdutl snapshot status "$WORK/$NAME.db" -w json) || fail "etcdutl cannot read $NAME.db; the snapshot is corrupt."
meta() { sed -n "s/^$1=//p" "$WORK/$NAME.meta"; }
REVISION=$(number_of revision "$STATUS")
HASH=$(number_of hash "$STATUS")
[ "$REVISION" = "$(meta revision)" ] || fail "$NAME.db is at revision $REVISION, but the backup recorded $(meta revision)."
[ "$HASH" = "$(meta hash)" ] || fail "$NAME.db has hash $HASH, but the backup recorded $(meta hash)."

rm -rf "$WORK/data"
etcdutl snapshot restore "$WORK/$NAME.db" --data-dir "$WORK/data" --name drill \
  --initial-cluster "drill=$PEER_URL" --initial-advertise-peer-urls "$PEER_URL" >&2 ||
  fail "etcdutl snapshot restore of $NAME.db failed."

etcd --name drill --data-dir "$WORK/data" \
  --listen-client-urls "$CLIENT_URL" --advertise-client-urls "$CLIENT_URL" \
  --listen-peer-urls "$PEER_URL" --initial-advertise-peer-urls "$PEER_URL" \
  --initial-cluster "drill=$PEER_URL" >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!

waited=0
until etcdctl --endpoints "$CLIENT_URL" endpoint health >/dev/null 2>&1; do
  kill -0 "$ETCD_PID" 2>/dev/null || fail "the restored etcd exited; its log is in $WORK/etcd.log: $(tail -n 5 "$WORK/etcd.log")"
  [ "$waited" -lt "$TIMEOUT" ] || fail "the restored etcd did not serve within $TIMEOUT seconds."
  sleep 1
  waited=$((waited + 1))
done

COUNTED=$(etcdctl --endpoints "$CLIENT_URL" get --from-key '' --count-only -w fields) || fail "the restored etcd does not serve reads."
SERVED_REVISION=$(number_of Revision "$COUNTED")
SERVED_KEYS=$(number_of Count "$COUNTED")
SERVED_KEYS=${SERVED_KEYS:-0}
[ "$SERVED_REVISION" = "$REVISION" ] || fail "the restored etcd serves revision $SERVED_REVISION, but the snapshot is at $REVISION."
[ "$SERVED_KEYS" = "$(meta key_count)" ] || fail "the restored etcd serves $SERVED_KEYS keys, but the backup counted $(meta key_count)."
log "drill passed: $NAME restores and serves $SERVED_KEYS keys at revision $SERVED_REVISION"
