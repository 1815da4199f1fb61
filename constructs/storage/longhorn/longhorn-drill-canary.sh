#!/bin/sh
# Writes and verifies the canary data of the Longhorn restore drill. Shipped by gitplane.
# POSIX sh: it runs under busybox in the cluster and under dash or bash elsewhere.
set -eu

usage() {
  cat <<'USAGE'
Usage: longhorn-drill-canary.sh write|verify [--help]

write   Adds a generation of canary data to CANARY_DIR: gen-<epoch>/data (random bytes),
        gen-<epoch>/written-at (epoch seconds) and, last, gen-<epoch>/SHA256SUMS. A backup
        taken while a generation is half-written holds it without SHA256SUMS; verify skips it.
        Keeps the newest CANARY_KEEP generations (default 3).
verify  Checks the newest complete generation in CANARY_DIR (a restored copy of the volume):
        every file against SHA256SUMS, and written-at no older than CANARY_MAX_AGE_SECONDS.
        Exits non-zero when anything does not match.

Environment:
  CANARY_DIR              the canary volume's mount (required)
  CANARY_BYTES            size of each generation's data (default 65536)
  CANARY_KEEP             generations kept by write (default 3)
  CANARY_MAX_AGE_SECONDS  newest written-at verify accepts (required for verify)
USAGE
}

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

MODE=${1:-}
case "$MODE" in
  -h | --help) usage; exit 0 ;;
  write | verify) ;;
  *) usage >&2; exit 2 ;;
esac
[ -n "${CANARY_DIR:-}" ] || fail "CANARY_DIR is not set. Set it to the canary volume's mount (run with --help for the list)."
[ -d "$CANARY_DIR" ] || fail "CANARY_DIR $CANARY_DIR is not a directory."

# Generations, newest first; only complete ones (SHA256SUMS is written last).
complete_generations() {
  for sums in "$CANARY_DIR"/gen-*/SHA256SUMS; do
    [ -f "$sums" ] && basename "$(dirname "$sums")"
  done | sort -t - -k 2 -n -r
}

if [ "$MODE" = write ]; then
  NOW=$(date -u +%s)
  GEN="$CANARY_DIR/gen-$NOW"
  mkdir -p "$GEN"
  head -c "${CANARY_BYTES:-65536}" /dev/urandom >"$GEN/data"
  printf '%s\n' "$NOW" >"$GEN/written-at"
  (cd "$GEN" && sha256sum data written-at >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
  sync
  KEEP=${CANARY_KEEP:-3}
  complete_generations | tail -n "+$((KEEP + 1))" | while read -r old; do rm -rf "${CANARY_DIR:?}/$old"; done
  log "wrote canary generation gen-$NOW"
  exit 0
fi

[ -n "${CANARY_MAX_AGE_SECONDS:-}" ] || fail "CANARY_MAX_AGE_SECONDS is not set. Set it to the oldest canary the drill accepts, in seconds."
NEWEST=$(complete_generations | head -n 1)
[ -n "$NEWEST" ] || fail "the restored volume holds no complete canary generation (no $CANARY_DIR/gen-*/SHA256SUMS); the backup is empty or not of the canary volume."
(cd "$CANARY_DIR/$NEWEST" && sha256sum -c SHA256SUMS >&2) || fail "the restored $NEWEST does not match its checksums; the backup or the restore corrupted data."
WRITTEN=$(cat "$CANARY_DIR/$NEWEST/written-at")
AGE=$(($(date -u +%s) - WRITTEN))
[ "$AGE" -le "$CANARY_MAX_AGE_SECONDS" ] || fail "the newest restored canary was written ${AGE}s ago, more than the ${CANARY_MAX_AGE_SECONDS}s allowed; backups of the canary volume are stale."
log "drill passed: $NEWEST restores with matching checksums, written ${AGE}s ago"
