#!/bin/sh
# Restores the newest Longhorn backup of one volume into a scratch volume and verifies it.
# Shipped by gitplane. POSIX sh with kubectl; runs in the cluster under a ServiceAccount.
set -eu

usage() {
  cat <<'USAGE'
Usage: longhorn-restore-drill.sh [--help]

Proves the newest backup of a volume restores: finds the newest completed Longhorn Backup of
the volume bound to DRILL_PVC, creates a scratch Longhorn volume from it (one replica), binds
it to a scratch PersistentVolume and claim, and runs a pod that mounts it read-only and
verifies the canary checksums in it (longhorn-drill-canary.sh verify). Removes the scratch
objects afterwards, and any left by an earlier run before it starts. Exits non-zero when any
step fails.

Environment:
  DRILL_PVC                 the claim whose volume is drilled, namespace/name (required)
  DRILL_VERIFY_IMAGE        image of the verifying pod: a shell and sha256sum (required)
  DRILL_SCRIPTS_CONFIGMAP   ConfigMap in LONGHORN_NAMESPACE holding longhorn-drill-canary.sh (required)
  CANARY_MAX_AGE_SECONDS    newest canary age the verification accepts (required)
  LONGHORN_NAMESPACE        where Longhorn and the scratch objects live (default longhorn-system)
  DRILL_NAME                name of the scratch volume, PV, claim and pod (default gitplane-restore-drill)
  DRILL_TIMEOUT_SECONDS     how long each wait may take (default 1200)
USAGE
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  '') ;;
  *) usage >&2; exit 2 ;;
esac

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

for name in DRILL_PVC DRILL_VERIFY_IMAGE DRILL_SCRIPTS_CONFIGMAP CANARY_MAX_AGE_SECONDS; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set. Set it in the environment (run with --help for the list)."
done
command -v kubectl >/dev/null 2>&1 || fail "kubectl is not on PATH."
LH=${LONGHORN_NAMESPACE:-longhorn-system}
NAME=${DRILL_NAME:-gitplane-restore-drill}
TIMEOUT=${DRILL_TIMEOUT_SECONDS:-1200}
case "$DRILL_PVC" in
  */*) PVC_NAMESPACE=${DRILL_PVC%%/*} PVC_NAME=${DRILL_PVC#*/} ;;
  *) fail "DRILL_PVC must be namespace/name (got \"$DRILL_PVC\")." ;;
esac

cleanup() {
  kubectl -n "$LH" delete pod "$NAME" --ignore-not-found --wait=true >&2 || true
  kubectl -n "$LH" delete pvc "$NAME" --ignore-not-found --wait=true >&2 || true
  kubectl delete pv "$NAME" --ignore-not-found --wait=true >&2 || true
  kubectl -n "$LH" delete volumes.longhorn.io "$NAME" --ignore-not-found --wait=true >&2 || true
}

# Polls a jsonpath of an object until it prints one of the wanted values.
wait_for() {
  what=$1 want=$2
  shift 2
  waited=0
  while :; do
    got=$(kubectl "$@" 2>/dev/null || true)
    case " $want " in *" $got "*) return 0 ;; esac
    [ "$waited" -lt "$TIMEOUT" ] || fail "$what: still \"$got\" after $TIMEOUT seconds (waiting for $want)."
    sleep 5
    waited=$((waited + 5))
  done
}

VOLUME=$(kubectl -n "$PVC_NAMESPACE" get pvc "$PVC_NAME" -o 'jsonpath={.spec.volumeName}') || fail "cannot read the claim $DRILL_PVC."
[ -n "$VOLUME" ] || fail "the claim $DRILL_PVC is not bound to a volume yet."

# volumeName, state, creation time, URL and size of every backup; the newest completed one of VOLUME.
LATEST=$(kubectl -n "$LH" get backups.longhorn.io \
  -o 'jsonpath={range .items[*]}{.status.volumeName}{"\t"}{.status.state}{"\t"}{.status.backupCreatedAt}{"\t"}{.status.url}{"\t"}{.status.volumeSize}{"\n"}{end}' |
  awk -F '\t' -v v="$VOLUME" '$1 == v && $2 == "Completed"' | sort -t "$(printf '\t')" -k 3 | tail -n 1) ||
  fail "cannot list the Longhorn backups in $LH."
[ -n "$LATEST" ] || fail "volume $VOLUME ($DRILL_PVC) has no completed backup; check the gitplane-backup RecurringJob and the backup target."
CREATED=$(printf '%s\n' "$LATEST" | cut -f 3)
URL=$(printf '%s\n' "$LATEST" | cut -f 4)
SIZE=$(printf '%s\n' "$LATEST" | cut -f 5)
log "drilling the backup of $VOLUME ($DRILL_PVC) created at $CREATED: $URL"

cleanup
trap cleanup EXIT
trap 'exit 1' INT TERM

kubectl apply -f - >&2 <<YAML || fail "cannot create the scratch volume $NAME."
apiVersion: longhorn.io/v1beta2
kind: Volume
metadata: { name: $NAME, namespace: $LH, labels: { app.kubernetes.io/managed-by: gitplane } }
spec: { fromBackup: "$URL", size: "$SIZE", numberOfReplicas: 1, dataEngine: v1, frontend: blockdev, accessMode: rwo }
YAML
# A new volume's status starts with zero values: wait for the restore to begin before its end.
wait_for "the restore of $NAME to start" true -n "$LH" get volumes.longhorn.io "$NAME" -o 'jsonpath={.status.restoreInitiated}'
wait_for "the restore of $NAME" false -n "$LH" get volumes.longhorn.io "$NAME" -o 'jsonpath={.status.restoreRequired}'
wait_for "the restored volume $NAME" detached -n "$LH" get volumes.longhorn.io "$NAME" -o 'jsonpath={.status.state}'

kubectl apply -f - >&2 <<YAML || fail "cannot bind the scratch volume $NAME."
apiVersion: v1
kind: PersistentVolume
metadata: { name: $NAME, labels: { app.kubernetes.io/managed-by: gitplane } }
spec:
  capacity: { storage: "$SIZE" }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  csi: { driver: driver.longhorn.io, fsType: ext4, volumeHandle: $NAME }
  claimRef: { namespace: $LH, name: $NAME }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: $NAME, namespace: $LH, labels: { app.kubernetes.io/managed-by: gitplane } }
spec: { accessModes: [ReadWriteOnce], storageClassName: "", volumeName: $NAME, resources: { requests: { storage: "$SIZE" } } }
---
apiVersion: v1
kind: Pod
metadata: { name: $NAME, namespace: $LH, labels: { app.kubernetes.io/name: longhorn-restore-drill, app.kubernetes.io/managed-by: gitplane } }
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext: { runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
  containers:
    - name: verify
      image: $DRILL_VERIFY_IMAGE
      command: [sh, /scripts/longhorn-drill-canary.sh, verify]
      env:
        - { name: CANARY_DIR, value: /restored }
        - { name: CANARY_MAX_AGE_SECONDS, value: "$CANARY_MAX_AGE_SECONDS" }
      resources: { requests: { cpu: 50m, memory: 32Mi }, limits: { memory: 64Mi } }
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
      volumeMounts:
        - { name: restored, mountPath: /restored, readOnly: true }
        - { name: scripts, mountPath: /scripts, readOnly: true }
  volumes:
    - { name: restored, persistentVolumeClaim: { claimName: $NAME, readOnly: true } }
    - { name: scripts, configMap: { name: $DRILL_SCRIPTS_CONFIGMAP } }
YAML
wait_for "the verifying pod $NAME" 'Succeeded Failed' -n "$LH" get pod "$NAME" -o 'jsonpath={.status.phase}'
kubectl -n "$LH" logs "$NAME" >&2 || true
PHASE=$(kubectl -n "$LH" get pod "$NAME" -o 'jsonpath={.status.phase}')
[ "$PHASE" = Succeeded ] || fail "the restored backup of $VOLUME created at $CREATED did not verify (pod $PHASE); its log is above."
log "drill passed: the backup of $VOLUME created at $CREATED restores and verifies"
