#!/usr/bin/env bash
# bench-editor.sh measures the blueprint editor end to end: it builds cloudoven, serves it on
# a free loopback port with a throwaway data directory and the built-in catalog, creates a
# project and a blueprint with a resource group and an AKS cluster through the app's own
# forms, and runs wrk on the editor page of the cluster. `make bench` runs it after the Go
# benchmarks; docs/PERFORMANCE.md records the numbers.
#
# WRK_ARGS overrides wrk's load (default: -t2 -c16 -d10s).
set -euo pipefail

if ! command -v wrk >/dev/null; then
	echo "bench-editor: wrk not installed: apt-get install wrk (skipping the end-to-end editor benchmark)"
	exit 0
fi
for tool in curl go; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench-editor: $tool is needed" >&2
		exit 1
	fi
done

cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
pid=
cleanup() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/cloudoven" ./cmd/cloudoven

# Port 0 lets the kernel pick a free port; the server prints the address it got. Every flag
# that could point elsewhere is given, so no CLOUDOVEN_* variable of the caller's shell
# applies: an empty -crawl-schedule never starts a crawl, and a -catalog-dir without an
# index.json serves the catalog built into the binary.
"$tmp/cloudoven" serve -addr 127.0.0.1:0 -data-dir "$tmp/data" -db "$tmp/data/cloudoven.db" \
	-catalog-dir "$tmp/data/catalog" -crawl-schedule '' -log-level warn \
	>"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!

base=
for _ in $(seq 300); do
	base=$(sed -n 's|^CloudOven is running at \(http://[^/]*\)/.*|\1|p' "$tmp/stdout")
	[[ -n $base ]] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "bench-editor: cloudoven serve exited:" >&2
		cat "$tmp/stderr" >&2
		exit 1
	fi
	sleep 0.1
done
if [[ -z $base ]]; then
	echo "bench-editor: cloudoven serve did not start within 30s" >&2
	cat "$tmp/stderr" >&2
	exit 1
fi

# post PATH FIELD=VALUE...: a plain form post (no Origin header, so the cross-origin check
# lets it through) that must answer with a redirect.
post() {
	local path=$1
	shift
	local args=()
	for f in "$@"; do
		args+=(--data-urlencode "$f")
	done
	local code
	code=$(curl -sS -o /dev/null -w '%{http_code}' "${args[@]}" "$base$path")
	if [[ $code != 303 ]]; then
		echo "bench-editor: POST $path answered $code, want 303" >&2
		exit 1
	fi
}

bp=/projects/bench/blueprints/net
post /projects name=bench description="editor benchmark"
post /projects/bench/new-blueprint name=net
post "$bp/edit/add" type=azurerm_resource_group kind=resource
post "$bp/edit/add" type=azurerm_kubernetes_cluster kind=resource
post "$bp/edit/item?item=azurerm_resource_group.main" name=rg-payments location=westeurope
# An item form may be partial: what it leaves out keeps its value. A block's fields count only
# with its instance count (default_node_pool#n), as the editor's hidden inputs send it.
post "$bp/edit/item?item=azurerm_kubernetes_cluster.main" \
	name=aks-payments location=westeurope dns_prefix=payments \
	'resource_group_name:mode=ref' 'resource_group_name=azurerm_resource_group.main.name' \
	'default_node_pool#n=1' 'default_node_pool[0].name=system' \
	'default_node_pool[0].vm_size=Standard_D2s_v5' 'default_node_pool[0].node_count=2' \
	'identity#n=1' 'identity[0].type=SystemAssigned'

url="$base$bp/edit?item=azurerm_kubernetes_cluster.main"
page=$(curl -sS -w '\n%{http_code} %{size_download}' "$url")
status=$(tail -n1 <<<"$page")
for want in 'resource &#34;azurerm_kubernetes_cluster&#34; &#34;main&#34;' 'node_count = 2' 'type = &#34;SystemAssigned&#34;' 'data-errors="0"'; do
	if ! grep -qF "$want" <<<"$page"; then
		echo "bench-editor: the editor page lacks $want (status and size: $status)" >&2
		exit 1
	fi
done

read -ra load <<<"${WRK_ARGS:--t2 -c16 -d10s}"
echo "bench-editor: wrk ${load[*]} on the AKS editor page (status and bytes: $status)"
echo "bench-editor: $url"
wrk "${load[@]}" --latency "$url"
