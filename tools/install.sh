#!/usr/bin/env bash
# Install the real binaries gitplane's tests use, built from source through the Go module proxy.
#
#   tools/install.sh                 # every default tool
#   tools/install.sh nats-server etcd  # only these
#   tools/install.sh --list          # tools, pins and binaries
#   tools/install.sh --force otelcol # rebuild even if cached
#   tools/install.sh --update-wrappers etcd promtool
#                                    # after a version bump: build, then write the resolved
#                                    # go.mod/go.sum back to tools/etcd/ and tools/promtool/
#
# Binaries end up in ${GITPLANE_TOOLS_DIR:-$HOME/.cache/gitplane-tools}/bin (symlinks into
# store/<tool>/<key>/, where <key> is the pinned version plus a hash of the tool's build recipe
# below and of the files under tools/ it is built from). A tool whose store directory is
# complete is not rebuilt, so a second run is a fast no-op that does not even start `go`.
# Build logs: $GITPLANE_TOOLS_DIR/logs/. Two tools build at once (GITPLANE_TOOLS_JOBS=N to change):
# a Go build keeps both cores busy only while it compiles, not while it downloads or links.
#
# Needs go >= 1.26 on PATH and the Go module proxy; nothing is downloaded from anywhere else.
# Every `go` command runs with GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 (static binaries).
set -euo pipefail

# ---- pins --------------------------------------------------------------------------------------
# A pin with a "# renovate:" line above it is bumped by Renovate (renovate.json). The others move
# with something else and are bumped by hand: etcd, promtool, kube-apiserver and Pulumi with their
# wrapper go.mod (run --update-wrappers), otelcol with tools/otelcol-builder.yaml, Helm with its
# release commit, kube-apiserver with the environments' kubernetesVersion.
# nats-server: newest 2.14.x (the chart/image gitplane deploys is 2.14.2, environments/versions.yaml).
# renovate: datasource=go depName=github.com/nats-io/nats-server/v2
NATS_SERVER_VERSION=v2.14.9
# etcd/etcdctl/etcdutl: newest 3.6.x (kubeadm 1.34+ runs 3.6). Also pinned in tools/etcd/go.mod.
ETCD_VERSION=v3.6.16
# OpenTelemetry Collector release for the builder, core and contrib modules; must equal
# dist.version in tools/otelcol-builder.yaml (which says why 0.159.0 and not 0.158.0/0.165.0).
OTELCOL_VERSION=0.159.0
# promtool = Prometheus v3.14.0 (what kube-prometheus-stack 88.5.3 deploys); Go module v0.314.0.
# Also pinned in tools/promtool/go.mod.
PROMTOOL_VERSION=3.14.0
PROMTOOL_MODULE_VERSION=v0.314.0
# amtool: newest Alertmanager (kube-prometheus-stack 88.5.3 deploys v0.34.0).
# renovate: datasource=go depName=github.com/prometheus/alertmanager
AMTOOL_VERSION=v0.34.2
# renovate: datasource=go depName=github.com/yannh/kubeconform
KUBECONFORM_VERSION=v0.8.0
# actionlint: lints .github/workflows (test/repository/workflows.test.ts); newest the proxy serves.
# renovate: datasource=go depName=github.com/rhysd/actionlint
ACTIONLINT_VERSION=v1.7.12
# kube-linter is opt-in: golang.stackrox.io/kube-linter is refused by the module proxy these
# machines use (403 Forbidden), so it is not in the default set. Override with KUBE_LINTER_VERSION.
KUBE_LINTER_VERSION=${KUBE_LINTER_VERSION:-v0.8.3}
# gitleaks: the secret scanner test/secrets/corpus.test.ts compares gitplane's detectors with;
# newest v8 the module proxy serves (go list -m -versions github.com/zricethezav/gitleaks/v8).
# renovate: datasource=go depName=github.com/zricethezav/gitleaks/v8
GITLEAKS_VERSION=v8.30.1

# kube-score: the policy peer `npm run bench` compares `gitplane policy --dir` with; opt-in, as
# only the benchmark uses it.
# renovate: datasource=go depName=github.com/zegl/kube-score
KUBE_SCORE_VERSION=v1.20.0

# kubernetes-schemas: the Kubernetes 1.34 JSON schemas (strict: unknown fields rejected) that the
# PyPI package kubernetes-validate ships, in kubeconform's layout, for the kubeconform peer of
# `npm run bench`; opt-in. Installed with pip into the build's scratch directory, not site-packages.
KUBERNETES_VALIDATE_VERSION=1.34.1
KUBERNETES_SCHEMAS=v1.34.0-local-strict

# helm: renders gitplane's Helm applications as Argo CD's repo-server does (stacks/helm-render.ts).
# helm.sh/helm/v4 has no replace directives, so `go install` builds cmd/helm directly. The proxy's
# version list (go list -m -versions helm.sh/helm/v4) starts at v4.2.1, yet it serves v4.1.4 by
# name. Build: 7 min 10 s here (2 shared cores, other builds running, module cache cold).
HELM_VERSION=v4.1.4
HELM_COMMIT=05fa37973dc9e42b76e1d2883494c87174b6074f

# kube-apiserver: the environments' kubernetesVersion (environments/*.yaml), for the conformance
# tier that applies every environment to a real API server (test/conformance/kube-apiserver.test.ts).
# Also pinned in tools/kube-apiserver/go.mod, whose staging replaces use v0.<minor>.<patch>. The
# same build makes kube-controller-manager and kube-scheduler of that release, which the Argo CD
# sync test (test/conformance/argocd.test.ts) runs so that workloads get Pods and Pods get nodes.
KUBE_APISERVER_VERSION=v1.34.2

# Argo CD: the argo-cd chart 10.1.1 (environments/versions.yaml) deploys v3.4.4, which cannot be
# built from the module proxy: its go.mod replaces github.com/argoproj/argo-cd/gitops-engine with
# the in-tree ./gitops-engine, which the module zip leaves out, and the proxy refuses that module
# at v3.4.4's own version (v0.7.1-0.20250908182407-97ad5b59a627: 403). The proxy serves the
# gitops-engine of exactly three commits; two are release tags of the 3.5 line (v3.5.2, v3.5.3:
# same commit times, to the second), the third a master commit whose API 3.4 does not compile
# against ("too many arguments in call to k.ManageServerSideDiffDryRuns"). So the sync test runs
# v3.5.3 with its own gitops-engine; 3.6.x needs go 1.27. Pinned with its wrapper go.mod in
# tools/argocd/.
ARGOCD_VERSION=v3.5.3

# kwok: simulated nodes for the Argo CD sync test, so that Pods are scheduled and become Running
# (or Succeeded for a Job's) without a kubelet. Its stage files (what it makes of a Node or a Pod)
# come from the same module and are installed beside it as kwok-stages/.
# renovate: datasource=go depName=sigs.k8s.io/kwok
KWOK_VERSION=v0.8.0

# Pulumi CLI: the release of the @pulumi/pulumi npm package (package.json), which the
# conformance test (test/conformance/pulumi.test.ts) drives through the Automation API.
PULUMI_VERSION=v3.248.0
# Pulumi Kubernetes provider (pulumi-resource-kubernetes): the module proxy serves a single
# version of github.com/pulumi/pulumi-kubernetes/provider/v4, the pseudo-version below, commit
# f47bc2d6f199, which upstream tagged v4.25.0 (a tag without the provider/ prefix a Go module in
# that subdirectory needs). So that is the pin, not the 4.34.x of the npm SDK.
PULUMI_KUBERNETES_VERSION=v4.25.0
PULUMI_KUBERNETES_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199

# Longest builds first, so that two builds at once finish together.
DEFAULT_TOOLS=(otelcol argocd promtool kube-apiserver pulumi-kubernetes pulumi helm kwok etcd gitleaks amtool nats-server kubeconform actionlint)
ALL_TOOLS=("${DEFAULT_TOOLS[@]}" kube-linter kube-score kubernetes-schemas)

# ---- environment -------------------------------------------------------------------------------
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
TOOLS_DIR=${GITPLANE_TOOLS_DIR:-$HOME/.cache/gitplane-tools}
BIN_DIR=$TOOLS_DIR/bin
STORE_DIR=$TOOLS_DIR/store
LOG_DIR=$TOOLS_DIR/logs

export GOFLAGS=-mod=mod
export GOTOOLCHAIN=local
export CGO_ENABLED=0

FORCE=0
UPDATE_WRAPPERS=0

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# ---- per-tool data -----------------------------------------------------------------------------
canonical_name() {
  case $1 in
    nats-server | nats) echo nats-server ;;
    etcd | etcdctl | etcdutl) echo etcd ;;
    otelcol | otelcol-gitplane | otel-collector) echo otelcol ;;
    promtool | prometheus) echo promtool ;;
    amtool | alertmanager) echo amtool ;;
    kubeconform) echo kubeconform ;;
    actionlint) echo actionlint ;;
    kube-linter) echo kube-linter ;;
    kube-score) echo kube-score ;;
    gitleaks) echo gitleaks ;;
    helm) echo helm ;;
    kube-apiserver | apiserver | kube-controller-manager | kube-scheduler) echo kube-apiserver ;;
    argocd | argo-cd | argocd-application-controller | argocd-repo-server | argocd-applicationset-controller) echo argocd ;;
    kwok) echo kwok ;;
    kubernetes-schemas) echo kubernetes-schemas ;;
    pulumi) echo pulumi ;;
    pulumi-kubernetes | pulumi-resource-kubernetes) echo pulumi-kubernetes ;;
    *) return 1 ;;
  esac
}

tool_version() {
  case $1 in
    nats-server) echo "$NATS_SERVER_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    otelcol) echo "v$OTELCOL_VERSION" ;;
    promtool) echo "v$PROMTOOL_VERSION" ;;
    amtool) echo "$AMTOOL_VERSION" ;;
    kubeconform) echo "$KUBECONFORM_VERSION" ;;
    actionlint) echo "$ACTIONLINT_VERSION" ;;
    kube-linter) echo "$KUBE_LINTER_VERSION" ;;
    kube-score) echo "$KUBE_SCORE_VERSION" ;;
    gitleaks) echo "$GITLEAKS_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    kube-apiserver) echo "$KUBE_APISERVER_VERSION" ;;
    kubernetes-schemas) echo "$KUBERNETES_VALIDATE_VERSION" ;;
    pulumi) echo "$PULUMI_VERSION" ;;
    pulumi-kubernetes) echo "$PULUMI_KUBERNETES_VERSION" ;;
    argocd) echo "$ARGOCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
  esac
}

tool_bins() {
  case $1 in
    nats-server) echo nats-server ;;
    etcd) echo etcd etcdctl etcdutl ;;
    otelcol) echo otelcol-gitplane ;;
    promtool) echo promtool ;;
    amtool) echo amtool ;;
    kubeconform) echo kubeconform ;;
    actionlint) echo actionlint ;;
    kube-linter) echo kube-linter ;;
    kube-score) echo kube-score ;;
    gitleaks) echo gitleaks ;;
    helm) echo helm ;;
    kube-apiserver) echo kube-apiserver kube-controller-manager kube-scheduler ;;
    kubernetes-schemas) echo kubernetes-schemas ;; # a directory of schemas, linked like a binary
    pulumi) echo pulumi ;;
    pulumi-kubernetes) echo pulumi-resource-kubernetes ;;
    # One binary: it runs as the component its file is named after (links in the store).
    argocd) echo argocd argocd-application-controller argocd-repo-server argocd-applicationset-controller git-verify-wrapper.sh ;;
    kwok) echo kwok kwok-stages ;; # kwok-stages is a directory, linked like a binary
  esac
}

# Files under tools/ that a tool is built from; their hash is part of the cache key.
tool_inputs() {
  case $1 in
    etcd) echo "$SCRIPT_DIR/etcd/go.mod" "$SCRIPT_DIR/etcd/go.sum" ;;
    otelcol) echo "$SCRIPT_DIR/otelcol-builder.yaml" ;;
    promtool) echo "$SCRIPT_DIR/promtool/go.mod" "$SCRIPT_DIR/promtool/go.sum" ;;
    kube-apiserver) echo "$SCRIPT_DIR/kube-apiserver/go.mod" "$SCRIPT_DIR/kube-apiserver/go.sum" ;;
    argocd) echo "$SCRIPT_DIR/argocd/go.mod" "$SCRIPT_DIR/argocd/go.sum" ;;
    *) ;;
  esac
}

# <version>-<hash of the build functions and the input files>: editing a pin, a recipe or a
# file under tools/ gives a new key and so a rebuild.
tool_key() {
  local tool=$1 f hash
  local -a inputs=()
  read -r -a inputs <<<"$(tool_inputs "$tool")"
  hash=$({
    declare -f "build_$tool" go_install prometheus_ldflags update_wrapper
    for f in "${inputs[@]+"${inputs[@]}"}"; do
      if [[ -f $f ]]; then cat -- "$f"; fi
    done
  } | sha256sum)
  echo "$(tool_version "$tool")-${hash:0:12}"
}

# ---- builds (each writes the tool's binaries into $1, may use scratch dir $2) ------------------
go_install() { # dest module@version [ldflags]
  GOBIN=$1 go install -trimpath -ldflags "-s -w ${3:-}" "$2"
}

build_nats-server() {
  go_install "$1" "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"
}

build_etcd() {
  local dest=$1 work=$2
  grep -q "go.etcd.io/etcd/server/v3 $ETCD_VERSION" "$SCRIPT_DIR/etcd/go.mod" ||
    die "tools/etcd/go.mod does not require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  cp -- "$SCRIPT_DIR/etcd/go.mod" "$work/"
  if [[ -f $SCRIPT_DIR/etcd/go.sum ]]; then cp -- "$SCRIPT_DIR/etcd/go.sum" "$work/"; fi
  (
    cd "$work"
    go build -trimpath -ldflags "-s -w" -o "$dest/etcd" go.etcd.io/etcd/server/v3
    go build -trimpath -ldflags "-s -w" -o "$dest/etcdctl" go.etcd.io/etcd/etcdctl/v3
    go build -trimpath -ldflags "-s -w" -o "$dest/etcdutl" go.etcd.io/etcd/etcdutl/v3
  )
  update_wrapper "$work" etcd
}

# With --update-wrappers, copy the go.mod/go.sum that the build resolved back into tools/<dir>/.
update_wrapper() { # work dir
  if ((UPDATE_WRAPPERS)); then
    cp -- "$1/go.mod" "$1/go.sum" "$SCRIPT_DIR/$2/"
  fi
}

build_otelcol() {
  local dest=$1 work=$2 cfg=$SCRIPT_DIR/otelcol-builder.yaml
  grep -Eq "^  version: \"?$OTELCOL_VERSION\"?\$" "$cfg" ||
    die "dist.version in tools/otelcol-builder.yaml is not $OTELCOL_VERSION (OTELCOL_VERSION)"
  go_install "$work/ocb" "go.opentelemetry.io/collector/cmd/builder@v$OTELCOL_VERSION"
  cp -- "$cfg" "$work/otelcol-builder.yaml"
  (cd "$work" && ./ocb/builder --config=otelcol-builder.yaml --ldflags="-s -w")
  mv -- "$work/build/otelcol-gitplane" "$dest/otelcol-gitplane"
}

prometheus_ldflags() { # version
  local p=github.com/prometheus/common/version
  echo "-X $p.Version=$1 -X $p.BuildUser=gitplane-tools"
}

build_promtool() {
  local dest=$1 work=$2
  grep -q "github.com/prometheus/prometheus $PROMTOOL_MODULE_VERSION" "$SCRIPT_DIR/promtool/go.mod" ||
    die "tools/promtool/go.mod does not require github.com/prometheus/prometheus $PROMTOOL_MODULE_VERSION"
  cp -- "$SCRIPT_DIR/promtool/go.mod" "$work/"
  if [[ -f $SCRIPT_DIR/promtool/go.sum ]]; then cp -- "$SCRIPT_DIR/promtool/go.sum" "$work/"; fi
  # The tests run `promtool check rules` and `promtool test rules` only, which read no service
  # discovery configuration: remove_all_sd leaves out Prometheus's service discovery plugins
  # (the AWS, Azure, GCE, ... SDKs), most of what there is to compile.
  (
    cd "$work"
    go build -trimpath -tags remove_all_sd -ldflags "-s -w $(prometheus_ldflags "$PROMTOOL_VERSION")" \
      -o "$dest/promtool" github.com/prometheus/prometheus/cmd/promtool
  )
  update_wrapper "$work" promtool
}

build_amtool() {
  go_install "$1" "github.com/prometheus/alertmanager/cmd/amtool@$AMTOOL_VERSION" \
    "$(prometheus_ldflags "${AMTOOL_VERSION#v}")"
}

build_kubeconform() {
  go_install "$1" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" \
    "-X main.version=$KUBECONFORM_VERSION"
}

build_actionlint() {
  go_install "$1" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
    "-X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION"
}

build_kube-linter() {
  go_install "$1" "golang.stackrox.io/kube-linter/cmd/kube-linter@$KUBE_LINTER_VERSION" \
    "-X golang.stackrox.io/kube-linter/internal/version.version=${KUBE_LINTER_VERSION#v}"
}

build_kube-score() {
  go_install "$1" "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION" \
    "-X main.version=${KUBE_SCORE_VERSION#v}"
}

build_gitleaks() {
  go_install "$1" "github.com/zricethezav/gitleaks/v8@$GITLEAKS_VERSION" \
    "-X github.com/zricethezav/gitleaks/v8/version.Version=$GITLEAKS_VERSION"
}

# `helm version` reports what Helm's own release build stamps (its Makefile's LDFLAGS).
build_helm() {
  local v=helm.sh/helm/v4/internal/version
  go_install "$1" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" \
    "-X $v.version=$HELM_VERSION -X $v.gitCommit=$HELM_COMMIT -X $v.gitTreeState=clean"
}

# The version variables are the ones Kubernetes' own build sets (hack/lib/version.sh), so the
# server reports v1.34.2 and derives its binary and emulation version from it.
# Measured: 26.5 min wall (400 s CPU, 1.7 GB peak RSS) on the 2-core machine shared with other
# builds at load 24-32, modules already downloaded; cached afterwards like the others.
# kube-controller-manager and kube-scheduler added 10.9 min wall (122 s CPU, 1.9 GB peak RSS, at
# load ~20) to it: what they do not share with kube-apiserver.
build_kube-apiserver() {
  local dest=$1 work=$2 v=${KUBE_APISERVER_VERSION#v} x f
  grep -q "k8s.io/kubernetes $KUBE_APISERVER_VERSION" "$SCRIPT_DIR/kube-apiserver/go.mod" ||
    die "tools/kube-apiserver/go.mod does not require k8s.io/kubernetes $KUBE_APISERVER_VERSION"
  cp -- "$SCRIPT_DIR/kube-apiserver/go.mod" "$work/"
  if [[ -f $SCRIPT_DIR/kube-apiserver/go.sum ]]; then cp -- "$SCRIPT_DIR/kube-apiserver/go.sum" "$work/"; fi
  x=
  for f in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    x+=" -X $f.gitVersion=$KUBE_APISERVER_VERSION -X $f.gitMajor=${v%%.*}"
    x+=" -X $f.gitMinor=$(cut -d. -f2 <<<"$v") -X $f.gitTreeState=clean"
  done
  mkdir -p "$work/gotmp"
  (
    cd "$work"
    # Go's compile and link temporaries stay in the scratch directory, removed with it.
    # One invocation for the three: they share most packages, compiled once.
    GOTMPDIR=$work/gotmp go build -trimpath -ldflags "-s -w$x" -o "$dest/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler
  )
  update_wrapper "$work" kube-apiserver
}

# kubeconform reads <dir>/<kind>-<group>-<version>.json ({{ .ResourceKind }}{{ .KindSuffix }}.json);
# kubernetes-validate's schemas point at /api/_definitions.json and carry an $id, which would send
# kubeconform to fetch them: the references are made relative to the directory and the $id dropped.
build_kubernetes-schemas() {
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$2/py" \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  python3 - "$2/py/kubernetes_validate/kubernetes-json-schema/$KUBERNETES_SCHEMAS" "$1/kubernetes-schemas" <<'PY'
import json, os, sys
source, dest = sys.argv[1:3]
os.makedirs(dest)
for name in sorted(os.listdir(source)):
    with open(os.path.join(source, name), encoding="utf-8") as f:
        schema = json.loads(f.read().replace('"/api/_definitions.json#', '"_definitions.json#'))
    schema.pop("$id", None)
    with open(os.path.join(dest, name), "w", encoding="utf-8") as f:
        json.dump(schema, f, separators=(",", ":"))
PY
}

# Both Pulumi builds use a wrapper module made on the fly: `go install` refuses their main
# modules, whose go.mod files carry replace directives. In a wrapper those are ignored, so the
# wrapper requires the published modules they point at and repeats the replace that matters.

# pkg/v3's go.mod replaces sdk/v3 with ../sdk (the published sdk/v3 of the same release here) and
# atotto/clipboard with the fork below (copied from github.com/pulumi/pulumi/pkg/v3@v3.248.0;
# re-copy it when bumping PULUMI_VERSION).
build_pulumi() {
  local dest=$1 work=$2
  (
    cd "$work"
    go mod init gitplane.local/tools/pulumi
    go mod edit -require="github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" \
      -require="github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
      -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
    go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      -o "$dest/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  )
}

# provider/v4's go.mod replaces sdk/v4 with ../sdk: the published sdk/v4 of the same release
# stands in (its Go code differs from the pinned commit's only in version strings). The main
# package embeds schema-embed.json and terraform-mapping-embed.json, which upstream's
# `go generate` writes from the schema.json and terraform-mapping.json the module ships: copy the
# package into the wrapper, run its generator with the version, build it there.
build_pulumi-kubernetes() {
  local dest=$1 work=$2 module=github.com/pulumi/pulumi-kubernetes/provider/v4 src
  (
    cd "$work"
    go mod init gitplane.local/tools/pulumi-kubernetes
    go mod edit -require="$module@$PULUMI_KUBERNETES_MODULE_VERSION" \
      -require="github.com/pulumi/pulumi-kubernetes/sdk/v4@$PULUMI_KUBERNETES_VERSION"
    go mod download "$module"
    src=$(go list -m -f '{{.Dir}}' "$module")
    mkdir -p main
    cp -- "$src"/cmd/pulumi-resource-kubernetes/*.go "$src"/cmd/pulumi-resource-kubernetes/*.json main/
    chmod u+w main/*
    (cd main && VERSION=${PULUMI_KUBERNETES_VERSION#v} go run generate.go)
    go build -trimpath \
      -ldflags "-s -w -X $module/pkg/version.Version=${PULUMI_KUBERNETES_VERSION#v}" \
      -o "$dest/pulumi-resource-kubernetes" ./main
  )
}

# Argo CD builds as one binary, cmd/, which runs the component named by its file name: the links
# beside it. Its go.mod replaces gitops-engine with the in-tree copy, which `go install` cannot
# follow: the wrapper module in tools/argocd/ requires v$ARGOCD_VERSION, repeats its replace lines
# and points gitops-engine at the proxy's pseudo-version of the same release commit. The version
# variables are the ones Argo CD's Makefile sets. Measured: 22.8 min wall (398 s CPU, 2.1 GB peak
# RSS) at load ~20 on the 2 shared cores, modules downloaded (21 s more for that).
build_argocd() {
  local dest=$1 work=$2 p=github.com/argoproj/argo-cd/v3/common b
  grep -q "github.com/argoproj/argo-cd/v3 $ARGOCD_VERSION" "$SCRIPT_DIR/argocd/go.mod" ||
    die "tools/argocd/go.mod does not require github.com/argoproj/argo-cd/v3 $ARGOCD_VERSION"
  cp -- "$SCRIPT_DIR/argocd/go.mod" "$work/"
  if [[ -f $SCRIPT_DIR/argocd/go.sum ]]; then cp -- "$SCRIPT_DIR/argocd/go.sum" "$work/"; fi
  mkdir -p "$work/gotmp"
  (
    cd "$work"
    GOTMPDIR=$work/gotmp go build -trimpath \
      -ldflags "-s -w -X $p.version=${ARGOCD_VERSION#v} -X $p.gitTag=$ARGOCD_VERSION -X $p.gitTreeState=clean" \
      -o "$dest/argocd" github.com/argoproj/argo-cd/v3/cmd
  )
  for b in $(tool_bins argocd); do
    [[ $b != argocd-* ]] || ln -s argocd "$dest/$b"
  done
  # The repo-server runs it on every revision it renders, as Argo CD's image installs it.
  cp -- "$(cd "$work" && go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)/hack/git-verify-wrapper.sh" "$dest/"
  chmod 0755 "$dest/git-verify-wrapper.sh"
  update_wrapper "$work" argocd
}

# kwok's stages: a Node becomes Ready and renews its lease (so the node lifecycle controller keeps
# it), a Pod becomes Running and Ready, a Job's Pod Succeeded, a deleted Pod goes; the files of
# the module's kustomize/stage/{node/fast,node/heartbeat-with-lease,pod/fast}.
build_kwok() {
  local dest=$1 work=$2 src f
  go_install "$dest" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  src=$(cd "$work" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  mkdir -p "$dest/kwok-stages"
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    cp -- "$src/kustomize/stage/$f.yaml" "$dest/kwok-stages/"
  done
}

# ---- machinery ---------------------------------------------------------------------------------
die() {
  echo "install.sh: $*" >&2
  exit 1
}

GO_CHECKED=0
check_go() {
  ((GO_CHECKED)) && return 0
  command -v go >/dev/null || die "go is not on PATH (need go >= 1.26)"
  local v major minor
  v=$(go env GOVERSION)
  v=${v#go}
  major=${v%%.*}
  minor=${v#*.}
  minor=${minor%%[!0-9]*}
  if ((major < 1 || (major == 1 && minor < 26))); then
    die "go $v is too old: the pinned modules need go >= 1.26 (GOTOOLCHAIN=local forbids a download)"
  fi
  GO_CHECKED=1
}

is_complete() { # dir tool
  local b
  [[ -f $1/.complete ]] || return 1
  for b in $(tool_bins "$2"); do
    [[ -x $1/$b ]] || return 1
  done
}

link_bins() { # tool key
  local b
  for b in $(tool_bins "$1"); do
    ln -sfn -- "../store/$1/$2/$b" "$BIN_DIR/$b"
  done
}

# Builds one tool unless cached and prints one line. Runs in its own subshell (see main), so
# `set -e` applies and the EXIT trap only removes this tool's scratch directory.
install_tool() {
  local tool=$1 version key dest work log start elapsed rc
  version=$(tool_version "$tool")
  key=$(tool_key "$tool")
  dest=$STORE_DIR/$tool/$key
  if ((!FORCE)) && is_complete "$dest" "$tool"; then
    link_bins "$tool" "$key"
    printf '%-18s %-9s cached     (%s)\n' "$tool" "$version" "$(tool_bins "$tool")"
    return 0
  fi

  check_go
  mkdir -p "$LOG_DIR"
  log=$LOG_DIR/$tool-$key.log
  work=$(mktemp -d "${TMPDIR:-/tmp}/gitplane-tools-$tool.XXXXXX")
  # shellcheck disable=SC2064 # expand $work now
  trap "rm -rf -- '$work'" EXIT
  mkdir -p "$work/out"
  start=$SECONDS
  # A function called where its status is tested runs with `set -e` ignored, so run the build
  # as a plain command in a subshell and read its status afterwards.
  set +e
  (
    set -e
    "build_$tool" "$work/out" "$work"
  ) >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$((SECONDS - start))
  if ((rc != 0)); then
    printf '%-18s %-9s FAILED     after %ss; last lines of %s:\n' "$tool" "$version" "$elapsed" "$log"
    tail -n 15 -- "$log" | sed 's/^/    /'
    return 1
  fi
  touch "$work/out/.complete"
  if ((UPDATE_WRAPPERS)); then # the wrapper files, and with them the key, may have changed
    key=$(tool_key "$tool")
    dest=$STORE_DIR/$tool/$key
  fi
  mkdir -p "$STORE_DIR/$tool"
  rm -rf -- "$dest"
  mv -- "$work/out" "$dest"
  link_bins "$tool" "$key"
  # Drop the builds of other versions/recipes of this tool.
  find "$STORE_DIR/$tool" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf -- {} +
  printf '%-18s %-9s installed  in %ss (%s)\n' "$tool" "$version" "$elapsed" "$(tool_bins "$tool")"
}

list_tools() {
  local t mark
  for t in "${ALL_TOOLS[@]}"; do
    mark=default
    [[ " ${DEFAULT_TOOLS[*]} " == *" $t "* ]] || mark=opt-in
    printf '%-18s %-9s %-8s %s\n' "$t" "$(tool_version "$t")" "$mark" "$(tool_bins "$t")"
  done
}

main() {
  local -a requested=()
  local arg name
  while (($#)); do
    arg=$1
    shift
    case $arg in
      -h | --help) usage; return 0 ;;
      --list) list_tools; return 0 ;;
      -f | --force) FORCE=1 ;;
      --update-wrappers) FORCE=1 UPDATE_WRAPPERS=1 ;;
      -*) usage >&2; die "unknown option: $arg" ;;
      *)
        name=$(canonical_name "$arg") || die "unknown tool: $arg (known: ${ALL_TOOLS[*]})"
        [[ " ${requested[*]-} " == *" $name "* ]] || requested+=("$name")
        ;;
    esac
  done
  ((${#requested[@]})) || requested=("${DEFAULT_TOOLS[@]}")

  mkdir -p "$BIN_DIR"
  # Serialise concurrent runs (e.g. parallel CI steps) so two builds do not race on one store dir.
  if command -v flock >/dev/null; then
    exec 9>"$TOOLS_DIR/.lock"
    if ! flock -n 9; then
      echo "install.sh: waiting for another install.sh run to finish..." >&2
      flock 9
    fi
  fi

  # Each build runs in its own subshell (set -e applies there, and its EXIT trap removes only its
  # scratch directory); its lines are printed when it ends, so that two builds do not interleave.
  local failed=0 running=0 tool pid rc out
  local -A tool_of=()
  out=$(mktemp -d "${TMPDIR:-/tmp}/gitplane-tools-out.XXXXXX")
  for tool in "${requested[@]}" ''; do
    while ((running > 0)) && { [[ -z $tool ]] || ((running >= ${GITPLANE_TOOLS_JOBS:-2})); }; do
      rc=0
      wait -n -p pid || rc=$?
      cat -- "$out/${tool_of[$pid]}"
      ((rc == 0)) || failed=$((failed + 1))
      running=$((running - 1))
    done
    [[ -n $tool ]] || break
    (
      set -e
      install_tool "$tool"
    ) >"$out/$tool" 2>&1 &
    tool_of[$!]=$tool
    running=$((running + 1))
  done
  rm -rf -- "$out"
  echo "bin: $BIN_DIR"
  if ((failed)); then
    echo "install.sh: $failed tool(s) failed; build logs are in $LOG_DIR" >&2
    return 1
  fi
}

main "$@"
