# The two commands a newcomer needs are `make run` and `make test`.
# Everything else is for maintainers and CI.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X main.version=$(VERSION)
# templ is run with -path so the file names recorded in *_templ.go are the
# same whoever generates them.
TEMPL_DIR := web/templates

.PHONY: bench-pages run test fuzz check check-gofmt check-vet check-staticcheck check-templ check-sqlc build sandbox generate fmt help

## run: start the portal with a private Postgres (./.data) and the Partner Center sandbox
# (Built, then run, rather than `go run`: the binary carries its VCS version
# and Ctrl-C reaches it directly, so it drains HTTP and stops Postgres.)
run:
	@$(GO) build -o bin/portal ./cmd/portal
	exec ./bin/portal dev

## test: every test, including the browser journeys (race detector on)
test:
	$(GO) test -race -count=1 ./...

## fuzz: run each hostile-input fuzz target for FUZZTIME (default 1m); `make test` runs their seeds only
FUZZTIME ?= 1m
fuzz:
	@for t in FuzzCheckRequest FuzzClientAddr FuzzListParams FuzzOnboardingForm; do \
		$(GO) test ./web/handlers -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; done
	$(GO) test ./pccclient -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME)

## check: formatting, vet, staticcheck, and no drift in generated code (templ, sqlc); make -k check reports every problem
CHECKS := check-gofmt check-vet check-staticcheck check-templ
ifneq ($(SKIP_SQLC),1)
CHECKS += check-sqlc
endif
check: $(CHECKS)

check-gofmt:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt -l reports unformatted files:"; echo "$$out"; exit 1; fi

check-vet:
	$(GO) vet ./...

check-staticcheck:
	$(GO) tool staticcheck ./...

check-templ:
	$(GO) tool templ generate -path $(TEMPL_DIR)
	$(GO) tool templ fmt -fail $(TEMPL_DIR)
	@out="$$(git status --porcelain -- $(TEMPL_DIR))"; if [ -n "$$out" ]; then \
		echo "templ output differs from the committed files (run: make generate):"; echo "$$out"; \
		git --no-pager diff --stat -- $(TEMPL_DIR); exit 1; fi

check-sqlc:
	./scripts/sqlc.sh
	@out="$$(git status --porcelain -- store/db)"; if [ -n "$$out" ]; then \
		echo "sqlc output differs from the committed files (run: make generate):"; echo "$$out"; \
		git --no-pager diff --stat -- store/db; exit 1; fi

## build: a static binary in bin/portal, stamped with the version
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/portal ./cmd/portal

## bench-pages: seed 10k customers / 100k subscriptions into portal_bench, start the portal and measure its pages at 64 clients (opt-in, minutes)
bench-pages:
	$(GO) run ./scripts/benchpages $(BENCH_ARGS)

## sandbox: run the Partner Center sandbox alone on 127.0.0.1:8090
sandbox:
	$(GO) run ./cmd/portal sandbox

## generate: regenerate templ and sqlc output
generate:
	$(GO) tool templ generate -path $(TEMPL_DIR)
	./scripts/sqlc.sh

## fmt: format Go and templ sources
fmt:
	gofmt -w .
	$(GO) tool templ fmt $(TEMPL_DIR)

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
