#!/bin/sh
# Node preflight: checks the kernel, boot and runtime prerequisites a Kubernetes node (and a
# Raspberry Pi in particular) needs before it runs workloads. Shipped by gitplane.
set -eu

usage() {
  cat <<'USAGE'
Usage: preflight.sh [--root DIR] [--json] [--fix] [--textfile DIR] [--help]

Checks that this host can run Kubernetes nodes' workloads: cgroup v2 with the memory and cpuset
controllers, the Raspberry Pi boot parameters (cgroup_enable=cpuset cgroup_enable=memory
cgroup_memory=1), swap off, IP forwarding on, open-iscsi (and an NFS client for ReadWriteMany
volumes) for Longhorn, and the same cgroup driver in the kubelet and containerd. Never writes,
unless --fix or --textfile is given.

Options:
  --root DIR      check the host tree mounted at DIR (an SD card image, a container's host
                  mount) instead of /
  --json          print the results as JSON
  --fix           append missing boot parameters to the bootloader's cmdline.txt (a backup is
                  kept beside it) and mark the node reboot-required (/var/run/reboot-required)
  --textfile DIR  also write the results as Prometheus metrics to DIR/gitplane_preflight.prom
                  (node-exporter's textfile collector)
  -h, --help      this help

Environment:
  PREFLIGHT_REQUIRE_NFS=1   also require an NFS client (Longhorn ReadWriteMany volumes)

Exit status: 0 all checks pass, 1 a check fails, 2 usage error.
USAGE
}

ROOT=
JSON=no
FIX=no
TEXTFILE=
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --root) [ $# -ge 2 ] || { echo "preflight: --root needs a directory." >&2; exit 2; }; ROOT=${2%/}; shift 2 ;;
    --json) JSON=yes; shift ;;
    --fix) FIX=yes; shift ;;
    --textfile) [ $# -ge 2 ] || { echo "preflight: --textfile needs a directory." >&2; exit 2; }; TEXTFILE=$2; shift 2 ;;
    *) echo "preflight: unknown option \"$1\". Run preflight.sh --help." >&2; exit 2 ;;
  esac
done
if [ -n "$ROOT" ] && [ ! -d "$ROOT" ]; then
  echo "preflight: --root $ROOT is not a directory." >&2
  exit 2
fi

BOOT_PARAMS="cgroup_enable=cpuset cgroup_enable=memory cgroup_memory=1"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

# record ID pass|fail MESSAGE FIX
record() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"
}

has_word() { # has_word WORD "LIST"
  case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

# The kernel applies boot parameters in order, so a parameter counts only if no later one undoes
# it: the Raspberry Pi firmware puts cgroup_disable=memory before cmdline.txt's contents.
param_active() { # param_active PARAM "CMDLINE"
  _active=no
  for _word in $2; do
    if [ "$_word" = "$1" ]; then _active=yes; fi
    case "$1" in
      cgroup_enable=*) if [ "$_word" = "cgroup_disable=${1#cgroup_enable=}" ]; then _active=no; fi ;;
    esac
  done
  [ "$_active" = yes ]
}

find_binary() { # find_binary NAME: true if NAME is an executable in the host's sbin/bin directories
  for _dir in usr/sbin sbin usr/bin bin usr/local/sbin usr/local/bin; do
    if [ -x "$ROOT/$_dir/$1" ]; then return 0; fi
  done
  return 1
}

CGROUP=$ROOT/sys/fs/cgroup
if [ -f "$CGROUP/cgroup.controllers" ]; then
  CGROUP_VERSION=2
  CONTROLLERS=$(cat "$CGROUP/cgroup.controllers")
  record cgroup-v2 pass "cgroup v2 is mounted at /sys/fs/cgroup." ""
else
  CGROUP_VERSION=1
  CONTROLLERS=
  record cgroup-v2 fail "/sys/fs/cgroup is not cgroup v2 (cgroup v1 or hybrid); the kubelet refuses cgroup v1 since Kubernetes 1.35." \
    "Add systemd.unified_cgroup_hierarchy=1 to the kernel command line and reboot."
fi

for controller in memory cpuset; do
  if [ "$CGROUP_VERSION" = 2 ]; then
    if has_word "$controller" "$CONTROLLERS"; then
      record "cgroup-$controller" pass "the $controller controller is enabled in the root cgroup." ""
    else
      record "cgroup-$controller" fail "the $controller controller is missing from /sys/fs/cgroup/cgroup.controllers (has: $CONTROLLERS)." \
        "Add cgroup_enable=$controller to the kernel command line (cmdline.txt on a Raspberry Pi) and reboot."
    fi
  elif [ -f "$CGROUP/$controller/cgroup.procs" ]; then
    record "cgroup-$controller" pass "the cgroup v1 $controller hierarchy is mounted." ""
  else
    record "cgroup-$controller" fail "no cgroup v1 $controller hierarchy is mounted at /sys/fs/cgroup/$controller." \
      "Add cgroup_enable=$controller to the kernel command line and reboot."
  fi
done

# The bootloader reads /boot/firmware/cmdline.txt (Raspberry Pi OS since Bookworm, Ubuntu) and
# otherwise /boot/cmdline.txt (older Raspberry Pi OS, Rocky Linux and others on a Pi).
CMDLINE_TXT=
for candidate in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
  if [ -f "$ROOT$candidate" ]; then CMDLINE_TXT=$candidate; break; fi
done
EFFECTIVE=$(cat "$ROOT/proc/cmdline" 2>/dev/null || true)
boot_check() {
  MISSING_EFFECTIVE=
  MISSING_CONFIGURED=
  CONFIGURED=$(head -n 1 "$ROOT$CMDLINE_TXT")
  for param in $BOOT_PARAMS; do
    param_active "$param" "$EFFECTIVE" || MISSING_EFFECTIVE="$MISSING_EFFECTIVE $param"
    param_active "$param" "$CONFIGURED" || MISSING_CONFIGURED="$MISSING_CONFIGURED $param"
  done
  MISSING_EFFECTIVE=${MISSING_EFFECTIVE# }
  MISSING_CONFIGURED=${MISSING_CONFIGURED# }
}
if [ -z "$CMDLINE_TXT" ]; then
  record boot-params pass "no cmdline.txt under /boot/firmware or /boot: not a Raspberry Pi boot partition, nothing to check." ""
else
  boot_check
  if [ -n "$MISSING_CONFIGURED" ] && [ "$FIX" = yes ]; then
    cp "$ROOT$CMDLINE_TXT" "$ROOT$CMDLINE_TXT.gitplane-backup"
    # cmdline.txt is one line: append to it, never add a line.
    printf '%s %s\n' "$(printf '%s' "$CONFIGURED" | sed 's/[[:space:]]*$//')" "$MISSING_CONFIGURED" >"$ROOT$CMDLINE_TXT.gitplane-new"
    mv "$ROOT$CMDLINE_TXT.gitplane-new" "$ROOT$CMDLINE_TXT"
    echo "preflight: appended \"$MISSING_CONFIGURED\" to $CMDLINE_TXT (backup: $CMDLINE_TXT.gitplane-backup)." >&2
    boot_check
  fi
  if [ -z "$MISSING_EFFECTIVE" ]; then
    record boot-params pass "the running kernel has $BOOT_PARAMS." ""
  elif [ -z "$MISSING_CONFIGURED" ]; then
    record boot-params fail "configured but not yet rebooted: $CMDLINE_TXT has the parameters, the running kernel lacks $MISSING_EFFECTIVE." \
      "Reboot the node (kured does it when /var/run/reboot-required exists)."
    if [ "$FIX" = yes ]; then
      # /var/run is usually a symlink to /run, which under --root must resolve inside the root.
      if [ -d "$ROOT/var/run" ] && [ ! -L "$ROOT/var/run" ]; then RUN_DIR=$ROOT/var/run; else RUN_DIR=$ROOT/run; fi
      mkdir -p "$RUN_DIR" && touch "$RUN_DIR/reboot-required"
    fi
  else
    record boot-params fail "not configured: $CMDLINE_TXT lacks $MISSING_CONFIGURED." \
      "Append \"$MISSING_CONFIGURED\" to the single line of $CMDLINE_TXT and reboot (or run with --fix)."
  fi
fi

SWAPS=$(tail -n +2 "$ROOT/proc/swaps" 2>/dev/null | awk '{print $1}' | tr '\n' ' ')
if [ -z "$SWAPS" ]; then
  record swap-off pass "no swap is active." ""
else
  record swap-off fail "swap is active on $SWAPS; the kubelet refuses to start with swap by default." \
    "Run swapoff -a and disable it for good (dphys-swapfile uninstall on Raspberry Pi OS, or remove it from /etc/fstab)."
fi

if [ "$(cat "$ROOT/proc/sys/net/ipv4/ip_forward" 2>/dev/null || echo 0)" = 1 ]; then
  record ip-forward pass "net.ipv4.ip_forward is 1." ""
else
  record ip-forward fail "net.ipv4.ip_forward is not 1; pods cannot reach other nodes." \
    "Set net.ipv4.ip_forward = 1 in /etc/sysctl.d/99-kubernetes.conf and run sysctl --system."
fi

if find_binary iscsiadm; then
  record open-iscsi pass "iscsiadm is installed." ""
else
  record open-iscsi fail "iscsiadm is not installed; Longhorn attaches volumes over iSCSI." \
    "Install open-iscsi (apt install open-iscsi, or dnf install iscsi-initiator-utils) and enable iscsid."
fi

if [ "${PREFLIGHT_REQUIRE_NFS:-0}" = 1 ]; then
  if find_binary mount.nfs || find_binary mount.nfs4; then
    record nfs-client pass "an NFS client (mount.nfs) is installed." ""
  else
    record nfs-client fail "no NFS client is installed; Longhorn ReadWriteMany volumes are NFS mounts." \
      "Install an NFS client (apt install nfs-common, or dnf install nfs-utils)."
  fi
fi

KUBELET_CONFIG=$ROOT/var/lib/kubelet/config.yaml
CONTAINERD_CONFIG=$ROOT/etc/containerd/config.toml
if [ ! -f "$KUBELET_CONFIG" ] || [ ! -f "$CONTAINERD_CONFIG" ]; then
  record cgroup-driver pass "the kubelet or containerd is not configured yet; nothing to compare." ""
else
  KUBELET_DRIVER=$(sed -n 's/^cgroupDriver:[[:space:]]*\([a-z]*\).*/\1/p' "$KUBELET_CONFIG")
  KUBELET_DRIVER=${KUBELET_DRIVER:-cgroupfs}
  if grep -Eq '^[[:space:]]*SystemdCgroup[[:space:]]*=[[:space:]]*true' "$CONTAINERD_CONFIG"; then CONTAINERD_DRIVER=systemd; else CONTAINERD_DRIVER=cgroupfs; fi
  if [ "$KUBELET_DRIVER" = "$CONTAINERD_DRIVER" ]; then
    record cgroup-driver pass "the kubelet and containerd both use the $KUBELET_DRIVER cgroup driver." ""
  else
    record cgroup-driver fail "the kubelet uses the $KUBELET_DRIVER cgroup driver but containerd uses $CONTAINERD_DRIVER." \
      "Use systemd on both: cgroupDriver: systemd in /var/lib/kubelet/config.yaml and SystemdCgroup = true for runc in /etc/containerd/config.toml, then restart both."
  fi
fi

FAILED=$(awk -F '\t' '$2 == "fail"' "$RESULTS" | wc -l | tr -d ' ')

if [ -n "$TEXTFILE" ]; then
  {
    echo '# HELP gitplane_preflight_check_ok Whether a node preflight check passes (1) or fails (0).'
    echo '# TYPE gitplane_preflight_check_ok gauge'
    awk -F '\t' '{ printf "gitplane_preflight_check_ok{check=\"%s\"} %d\n", $1, ($2 == "pass") }' "$RESULTS"
  } >"$TEXTFILE/.gitplane_preflight.prom.tmp"
  mv "$TEXTFILE/.gitplane_preflight.prom.tmp" "$TEXTFILE/gitplane_preflight.prom"
fi

if [ "$JSON" = yes ]; then
  awk -F '\t' -v failed="$FAILED" '
    function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
    BEGIN { printf "{\"ok\":%s,\"checks\":[", (failed == 0 ? "true" : "false") }
    { printf "%s{\"id\":%s,\"ok\":%s,\"message\":%s,\"fix\":%s}", (NR > 1 ? "," : ""), q($1), ($2 == "pass" ? "true" : "false"), q($3), q($4) }
    END { print "]}" }' "$RESULTS"
else
  awk -F '\t' '{ printf "%s %-14s %s\n", toupper($2), $1, $3; if ($2 == "fail") printf "     fix: %s\n", $4 }' "$RESULTS"
fi

[ "$FAILED" = 0 ]
