// Wrapper module that builds etcd, etcdctl and etcdutl (tools/install.sh etcd).
// `go install go.etcd.io/etcd/server/v3@v3.6.x` refuses to run because etcd's go.mod files
// carry replace directives (../api, ../client/v3, ...); as dependencies of this module those
// directives are ignored and the published v3.6.x modules are used instead.
// Keep the three requires on the same version as ETCD_VERSION in tools/install.sh.
module gitplane.local/tools/etcd

go 1.26.0

require (
	go.etcd.io/etcd/etcdctl/v3 v3.6.16
	go.etcd.io/etcd/etcdutl/v3 v3.6.16
	go.etcd.io/etcd/server/v3 v3.6.16
)
