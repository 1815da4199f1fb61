// Wrapper module that builds promtool (tools/install.sh promtool).
// `go install github.com/prometheus/prometheus/cmd/promtool@...` refuses to run because
// Prometheus's go.mod has replace and exclude directives; they are copied here verbatim from
// github.com/prometheus/prometheus@v0.314.0 (= Prometheus v3.14.0, the version
// kube-prometheus-stack 88.5.3 deploys). Keep the require on PROMTOOL_MODULE_VERSION in
// tools/install.sh and re-copy the directives when bumping.
module gitplane.local/tools/promtool

go 1.26.0

require github.com/prometheus/prometheus v0.314.0

// Exclude linodego v1.0.0 as it is no longer published on github.
exclude github.com/linode/linodego v1.0.0

// Exclude grpc v1.30.0 because of breaking changes. See #7621.
exclude (
	github.com/grpc-ecosystem/grpc-gateway v1.14.7
	google.golang.org/api v0.30.0
)

replace cloud.google.com/go => cloud.google.com/go v0.123.0
