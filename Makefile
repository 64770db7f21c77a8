# concernmap: `make run` starts a demo server; `make test` runs every test.
GO       ?= go
ADDR     ?= 127.0.0.1:8080
DATA_DIR ?= data
BIN      := bin/concernmap

# Packages that also run under the race detector.
RACE_PKGS := ./index/... ./api/... ./tiles/...

.PHONY: all build web run seed test deps fmt-check vet test-race test-all bench bench-tiles clean

all: build

build: web
	$(GO) build -trimpath -o $(BIN) ./cmd/concernmap

## web: the web app's bundle, embedded by the build: `npm ci` when the lock
## file changes, esbuild when the sources do (each step's output is its stamp)
WEB_SRC := $(wildcard web/src/*) web/build.mjs

web: web/static/assets/app.js

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@scripts/deps.sh web
	cd web && npm ci --no-audit --no-fund

web/static/assets/app.js: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

## run: build, seed demo data into the embedded store, serve on $(ADDR)
run: build
	CONCERNMAP_ADDR=$(ADDR) ./$(BIN) seed --data-dir $(DATA_DIR)
	@cat $(DATA_DIR)/demo-credentials.txt 2>/dev/null || true
	./$(BIN) serve --data-dir $(DATA_DIR) --addr $(ADDR)

## test: every test, PostGIS integration tests included
test: deps fmt-check web vet test-race test-all

deps:
	@scripts/deps.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test-race:
	$(GO) test -race -count=1 $(RACE_PKGS)

test-all:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -E '/(index|api|tiles)$$')

## bench: the benchmarks recorded in BENCHMARKS.md
bench:
	scripts/bench.sh

## bench-tiles: the vector tile benchmarks recorded in BENCHMARKS.md
bench-tiles:
	scripts/bench-tiles.sh

clean:
	rm -rf bin
