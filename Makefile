# glimchat: `make run` serves the widget with the demo instance on
# http://127.0.0.1:8080; `make test` runs every check CI runs.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO ?= go
WASM := bin/glimchat.wasm
# The reference schema sits next to the repository when it is available; the
# schema tests read it through $GLIMESH_SCHEMA and nothing shipped reads it.
SCHEMA := $(abspath ../shared/glimesh/schema.graphql)
SCHEMA_ENV := $(if $(wildcard $(SCHEMA)),GLIMESH_SCHEMA=$(SCHEMA))
BENCH_COUNT ?= 5
# make fuzz runs each fuzz target this long; make test runs each for 3s.
FUZZTIME ?= 1m
# Every Fuzz* target as "<package dir> <name>", one a line, found in the
# tests, so that a new target runs without being listed here.
FUZZ_TARGETS = grep -r --exclude-dir=.git --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . | \
	sed -E 's|^(.*)/[^/]+:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort -u
# $(call fuzz_each,TIME[,FLAGS]) fuzzes every target for TIME, one go test
# each: -fuzz takes one target per package per run. Go 1.26's coordinator
# may fail a target with a bare "context deadline exceeded" as TIME ends
# (go.dev/issue/75804, fixed in 1.27): such a run, with no failing input
# written, is run once more; any other failure stops at once. (Under -e a
# bare out="$$(...)" would exit the shell on failure, silently: hence || rc=.)
fuzz_each = $(FUZZ_TARGETS) | while read -r dir name; do \
	for try in 1 2; do \
		rc=0; out="$$($(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(1) $(2) "$$dir" </dev/null 2>&1)" || rc=$$?; \
		echo "$$out"; [ $$rc -eq 0 ] && break; \
		case "$$out" in *"Failing input written"*) ;; *"context deadline exceeded"*) \
			[ $$try -eq 1 ] && echo "fuzz: $$name: the fuzz engine's deadline race (go.dev/issue/75804), no input written: once more" && continue;; esac; \
		exit 1; \
	done; done
# A checksum of every generated file, to prove go generate leaves them as
# they are.
GENERATED_SUM := find . -name '*_easyjson.go' -not -path './.git/*' | sort | xargs cat | sha256sum

.PHONY: build run test fuzz bench bench-go dist clean ensure-chromium chromium-127 chromium-103 smoke-127 smoke-103

# nethttpomithttp2: fetch speaks HTTP/2 for the browser, so net/http's own
# HTTP/2 code (linked in by shurcooL/graphql) is dead weight: -6 % of the wasm.
# NOINLINE: the TLS, certificate and compression code that net/http links in
# never runs in a browser (fetch does that work), and without inlining it
# compresses far better: -6 % brotli. None of it is on the chat's path (the
# widget uses only SHA-256 and random bytes from crypto, at sign-in).
NOINLINE := crypto/... vendor/... math/big encoding/asn1 compress/... mime/...
# PROFILE=1 keeps the function names (no -s -w), for CPU profiles.
WASM_FLAGS := -tags nethttpomithttp2 -trimpath -ldflags='$(if $(PROFILE),,-s -w)' $(foreach p,$(NOINLINE),-gcflags=$(p)=-l)
build:
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -o $(WASM) ./wasm
	$(GO) run ./web/bundle -wasm $(WASM) -src web -out web/dist
	$(GO) build -o bin/glimchat ./server

run: build
	bin/glimchat serve

# The browser tests drive Debian's chromium; install it only when missing.
ensure-chromium:
	@command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# OBS's browser: OBS 31+ ships Chromium 127, OBS 28-30 ship 95-103. Debian
# has no such build; the npm package @sparticuz/chromium ships them
# (headless, Linux x64, brotli-packed with their libraries). make
# chromium-N fetches version N.0.0 into CHROMIUM_CACHE (outside the repo,
# never committed) and unpacks it once; smoke-N runs the smoke of the
# browser tests in it, and fails (never skips) in any other version.
CHROMIUM_CACHE ?= $(HOME)/.cache/glimchat
SMOKE := TestBrowserVersion|TestHistoryHooks|TestLiveCrossOriginOverlay|TestModerationDeleteIsExact|TestSignInPostsAndOverlayShows|TestLiveCrossOriginEmbed
chromium-127 chromium-103: chromium-%:
	@dir="$(CHROMIUM_CACHE)/chromium-$*"; \
	if [ -x "$$dir/out/chromium" ]; then exit 0; fi; \
	command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; }; \
	rm -rf "$$dir" && mkdir -p "$$dir"; \
	( cd "$$dir" && { npm pack --silent "@sparticuz/chromium@$*.0.0" >/dev/null || \
		{ sleep 5; npm pack --silent "@sparticuz/chromium@$*.0.0" >/dev/null; }; } && tar -xzf sparticuz-chromium-$*.0.0.tgz ) || \
		{ echo "make chromium-$*: cannot fetch @sparticuz/chromium@$*.0.0 from npm (needed for the smoke in OBS's Chromium $*)"; exit 1; }; \
	node internal/chromium/unpack.mjs "$$dir" || { echo "make chromium-$*: cannot unpack $$dir"; rm -rf "$$dir/out"; exit 1; }; \
	test -x "$$dir/out/chromium" || { echo "make chromium-$*: $$dir/out/chromium is missing after unpacking"; exit 1; }

smoke-127 smoke-103: smoke-%: chromium-%
	@echo "smoke of the browser tests in Chromium $* (OBS's browser):"
	GLIMCHAT_CHROMIUM="$(CHROMIUM_CACHE)/chromium-$*/out/chromium" GLIMCHAT_CHROMIUM_WANT=$* \
		$(GO) test -count=1 -v -run '^($(SMOKE))$$' ./server/e2e 2>&1 | \
		grep -E '^(=== RUN|--- |ok|FAIL|PASS)|browser: Chromium'
	@echo "smoke in Chromium $*: PASS"

# server/e2e (TestWasmPackagesInBrowser) finds every package under wasm/
# with tests for GOOS=js GOARCH=wasm and runs them in chromium through
# wasmbrowsertest, installed into bin/ and kept out of go.mod (its chromedp
# v0.10 clashes with ours). Its chromedp adds --no-sandbox by itself when run
# as root.
# jsguard is a go.mod tool: go tool -n builds it for the host and names it,
# and it then checks the js/wasm packages.
# The 3 s fuzz pass does not minimize what it finds: minimizing a slow new
# input can outlast the 3 s, and go test then fails ("context deadline
# exceeded") with nothing found. A crasher is still written to testdata.
test: ensure-chromium build
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt -l reports:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...
	@before="$$($(GENERATED_SUM))"; $(GO) generate ./...; \
	if [ "$$before" != "$$($(GENERATED_SUM))" ]; then echo "go generate changed the generated files: keep them as it writes them"; git status --short -- '*_easyjson.go'; exit 1; fi
	GOOS=js GOARCH=wasm "$$($(GO) tool -n jsguard)" ./wasm/...
	test -x bin/wasmbrowsertest || GOBIN=$(CURDIR)/bin $(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0
	$(SCHEMA_ENV) $(GO) test -count=1 ./...
	$(MAKE) --no-print-directory smoke-127 smoke-103
	$(call fuzz_each,3s,-fuzzminimizetime 0)

# Fuzzes every target for FUZZTIME (default 1m each). Inputs that fail land
# in the package's testdata/fuzz/<name>/; commit them as regression seeds.
fuzz:
	$(call fuzz_each,$(FUZZTIME))

# The widget against its budgets (bench/budgets.json) in headless chromium,
# beside the floor and the JS baseline: one table, raw results in
# bench/out/, non-zero on a FAIL. QUICK=1: every row, fewer and smaller runs.
# ONLY="start,flood": those scenarios alone. PROFILE=1: CPU profiles of the
# widget's start, flood and steady runs, with a wasm that keeps its names.
bench: ensure-chromium build
	$(GO) run ./bench $(if $(QUICK),-quick) $(if $(ONLY),-only '$(ONLY)') $(if $(PROFILE),-profile)

# Runs every Go benchmark BENCH_COUNT times, so that medians can be read off (or
# fed to benchstat). Browser benchmarks need the built assets, hence build.
bench-go: ensure-chromium build
	@dirs="$$(grep -rl --exclude-dir=.git --include='*_test.go' -E '^func Benchmark' . | xargs -r -n1 dirname | sort -u)"; \
	pkgs="$$(if [ -n "$$dirs" ]; then $(GO) list -e -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' $$dirs; fi)"; \
	if [ -z "$$pkgs" ]; then echo "no benchmarks"; exit 0; fi; \
	$(SCHEMA_ENV) $(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) $$pkgs

# dist/ is the widget as plain static files for any static host or CDN.
dist: build
	rm -rf dist
	mkdir -p dist
	cp -R web/dist/. dist/
	rm -f dist/.gitkeep

clean:
	rm -rf bin dist
	find web/dist -mindepth 1 ! -name .gitkeep -delete
