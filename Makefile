# CloudOven. `make run` starts the app; `make test` runs every test. Both set up what they
# need: the pinned terraform (built from source with go install, cached in ./bin and the Go
# build cache), templ (a go.mod tool), and the npm front-end files.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

TERRAFORM_VERSION := 1.5.7
# runner.DefaultImage: the runner's image, versioned by terraform's version and the stage
# driver's protocol (runner/stage).
RUNNER_IMAGE := cloudoven/terraform:$(TERRAFORM_VERSION)-3
# runner.DefaultEgressImage: the egress proxy's image, versioned by its command line.
EGRESS_IMAGE := cloudoven/egress:1
# The server's image, tagged with the Helm chart's appVersion, which the chart deploys.
SERVER_VERSION := $(shell sed -n 's/^appVersion: "\(.*\)"/\1/p' deploy/helm/cloudoven/Chart.yaml)
SERVER_IMAGE := cloudoven/server:$(SERVER_VERSION)
HTMX_VERSION := $(shell sed -n 's/.*"htmx.org": "\(.*\)".*/\1/p' package.json)
BIN := $(CURDIR)/bin
TERRAFORM := $(BIN)/terraform
CLOUDOVEN := $(BIN)/cloudoven
HTMX := web/static/vendor/htmx.$(HTMX_VERSION).min.js
SSE_VERSION := $(shell sed -n 's/.*"htmx-ext-sse": "\(.*\)".*/\1/p' package.json)
SSE := web/static/vendor/htmx-ext-sse.$(SSE_VERSION).min.js
# A fuzz worker loads the embedded catalog under coverage instrumentation before its first
# input, and reports its first batch 15 to 20 s in on a 2-core machine: with 30 s,
# FuzzGenerate reported 55 executions in all; with 60 s, 177,662.
FUZZTIME ?= 60s
export CLOUDOVEN_TERRAFORM := $(TERRAFORM)
# terraform reads no user CLI configuration in builds and tests.
export TF_CLI_CONFIG_FILE := /dev/null
export CHECKPOINT_DISABLE := 1

.PHONY: run build test test-fast fuzz bench generate assets terraform runner-image egress-image server-image catalog check-generated clean

run: build
	@if docker info >/dev/null 2>&1; then $(MAKE) --no-print-directory runner-image; \
	else echo "no Docker daemon answers: plans and applies need one (then: make runner-image)"; fi
	$(CLOUDOVEN) serve

build: assets generate
	go build -o $(CLOUDOVEN) -ldflags "-X main.Version=$$(git describe --always --dirty 2>/dev/null || echo dev)" ./cmd/cloudoven

test: assets generate terraform
	go vet ./...
	# Packages that start real servers, clusters and browsers take minutes: 25 each at most.
	go test -count=1 -timeout 25m ./...
	CLOUDOVEN_TEST_STORE=postgres go test -count=1 ./store
	$(MAKE) fuzz

# The edit loop: no fuzzing.
test-fast: assets generate
	go test ./...

fuzz:
	go test -run '^$$' -fuzz '^FuzzGenerate$$' -fuzztime $(FUZZTIME) ./blueprint
	go test -run '^$$' -fuzz '^FuzzConfig$$' -fuzztime $(FUZZTIME) ./hcllimit

# The Go benchmarks, then the editor end to end over HTTP with wrk (skipped, with a note,
# when wrk is not installed).
bench: assets generate terraform runner-image
	go test -run '^$$' -bench . -benchmem ./... | tee bench.out
	scripts/bench-editor.sh | tee -a bench.out
	# Servers sharing one PostgreSQL database: 30 runs with 1 and with 3, and 3 with one killed
	# mid-apply, with the Docker executor, then with the Kubernetes one on the test cluster.
	CLOUDOVEN_REPLICA_BENCH=1 CLOUDOVEN_REPLICA_BENCH_RUNNER=both go test -count=1 -timeout 120m -run '^TestReplicasBench$$' -v ./cmd/cloudoven | grep -E '^(executor|--- |ok|FAIL)' | tee -a bench.out

generate:
	go tool templ generate -log-level warn

# CI proves the committed templ output is current.
check-generated: generate
	git diff --exit-code -- '*_templ.go'

assets: $(HTMX) $(SSE)

$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p web/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# htmx 2's SSE extension (the run log), from the same npm install.
$(SSE): $(HTMX)
	mkdir -p web/static/vendor
	cp node_modules/htmx-ext-sse/dist/sse.min.js $@

terraform: $(TERRAFORM)

# The version check reads terraform's whole output (sed, not head): a reader that stops early
# can kill terraform with SIGPIPE, which pipefail reports as a failure.
$(TERRAFORM):
	GOBIN=$(BIN) CGO_ENABLED=0 go install github.com/hashicorp/terraform@v$(TERRAFORM_VERSION)
	test "$$($(TERRAFORM) version | sed -n 1p)" = "Terraform v$(TERRAFORM_VERSION)"

# The runner's image (runner/image/Dockerfile), built offline from the pinned terraform: the
# build context is assembled in bin/runner-image with the host's CA certificates, so
# providers and backends can verify TLS, and the stage driver (cmd/cloudoven-stage), static,
# for Linux on the daemon's architecture. The runner's tests build the same image themselves.
# Runs whose environment controls egress also need the egress proxy's image.
runner-image: terraform egress-image
	rm -rf $(BIN)/runner-image
	mkdir -p $(BIN)/runner-image/workspace
	cp runner/image/Dockerfile runner/image/passwd runner/image/group $(TERRAFORM) $(BIN)/runner-image/
	cp /etc/ssl/certs/ca-certificates.crt $(BIN)/runner-image/
	CGO_ENABLED=0 GOOS=linux GOARCH=$$(docker version -f '{{.Server.Arch}}') go build -trimpath -o $(BIN)/runner-image/cloudoven-stage ./cmd/cloudoven-stage
	docker build -t $(RUNNER_IMAGE) $(BIN)/runner-image

# The egress proxy's image (egress/image/Dockerfile): cmd/cloudoven-egress, static, for Linux
# on this machine's architecture, as the runner image's terraform is.
egress-image:
	rm -rf $(BIN)/egress-image
	mkdir -p $(BIN)/egress-image
	cp egress/image/Dockerfile $(BIN)/egress-image/
	CGO_ENABLED=0 GOOS=linux go build -trimpath -o $(BIN)/egress-image/cloudoven-egress ./cmd/cloudoven-egress
	docker build -q -t $(EGRESS_IMAGE) $(BIN)/egress-image >/dev/null

# The server's image (deploy/image/Dockerfile), built offline as the runner's is: static
# cloudoven and terraform for Linux on the daemon's architecture, the host's CA certificates.
server-image: assets generate terraform
	rm -rf $(BIN)/server-image
	mkdir -p $(BIN)/server-image/data
	cp deploy/image/Dockerfile deploy/image/passwd deploy/image/group $(TERRAFORM) $(BIN)/server-image/
	cp /etc/ssl/certs/ca-certificates.crt $(BIN)/server-image/
	CGO_ENABLED=0 GOOS=linux GOARCH=$$(docker version -f '{{.Server.Arch}}') go build -trimpath -ldflags "-s -w -X main.Version=$(SERVER_VERSION)" -o $(BIN)/server-image/cloudoven ./cmd/cloudoven
	docker build -t $(SERVER_IMAGE) $(BIN)/server-image

# Rebuild the committed default catalog with the crawler: schemas from the dumps in
# ../shared/data, docs through the registry code path from a local registry that serves
# ../shared/data in the API's shapes, the builtin provider from the real terraform.
# `make test` checks that the committed catalog is exactly what this produces.
catalog: terraform
	go test ./crawler -run '^TestCommittedCatalogIsWhatTheCrawlerMakes$$' -count=1 -regenerate

clean:
	rm -rf bin web/static/vendor node_modules
