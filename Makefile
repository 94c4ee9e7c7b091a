# isthmus — top-level build. `make demo` builds and runs the main job; `make test` runs every test.
BUILD ?= build
ASAN_BUILD ?= build-asan
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
CMAKE_FLAGS ?=

.PHONY: all build asan demo test test-plain test-asan test-c test-wast test-cli test-modules test-valgrind test-switch test-python test-wasi test-go test-aot test-aot-quick clean fuzz bench

all: build

build:
	@cmake -S . -B $(BUILD) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j

asan:
	@cmake -S . -B $(ASAN_BUILD) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Debug -DISTHMUS_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j

# The main job: a Go `sum` built for wasip1 (c-shared) and called from Python (prints 24),
# then the same module through the CLI; then the greeter (examples/greeter), built with
# `isthmus build` and called from Python with strings, structs, maps, errors, panics, callbacks.
# The build's own output is shown only when it fails.
demo:
	@echo "building $(BUILD)/, the Python package (pip, into $(BUILD)/venv) and the Go examples..." >&2
	@log=$$($(MAKE) --no-print-directory build 2>&1) || { printf '%s\n' "$$log"; exit 1; }
	@examples/seed/demo.sh
	@echo '$$ $(BUILD)/isthmus call $(BUILD)/examples/seed_sum.wasm sum 12 12'
	@$(BUILD)/isthmus call $(BUILD)/examples/seed_sum.wasm sum 12 12
	@echo
	@examples/greeter/demo.sh

# Every test, on the plain build and again on the ASan+UBSan build.
test: test-plain test-asan test-switch
	@echo "all tests passed"

# The portable build (switch dispatch, the AOT entry without assembly) must stay conforming too.
test-switch:
	@cmake -S . -B build-switch -G "$(GENERATOR)" -DISTHMUS_SWITCH_DISPATCH=ON >/dev/null
	@cmake --build build-switch -j --target isthmus aot_tiers aot_tierup
	@echo "== conformance scripts (switch dispatch)"
	@tests/scripts/run_wast.sh build-switch
	@tests/aot/run.sh build-switch seams

test-plain: build
	@$(MAKE) --no-print-directory test-c test-wast test-cli test-modules test-wasi test-aot-quick B=$(BUILD)
	@$(MAKE) --no-print-directory test-python
	@$(MAKE) --no-print-directory test-go

# The Go guest SDK and `isthmus build` (go vet, go test, the example through the ABI).
test-go:
	@echo "== Go SDK and isthmus build"
	@tests/go/run.sh $(abspath $(BUILD))

# The Python package: built with pip (PEP 517, scikit-build-core) into build/venv, then pytest.
test-python:
	@echo "== Python package"
	@tests/python/run.sh -q

test-asan: asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(MAKE) --no-print-directory test-c test-wast test-cli test-modules test-wasi B=$(ASAN_BUILD)

B ?= $(BUILD)
test-c:
	@echo "== C unit tests ($(B))"
	@set -e; for t in $(B)/test_*; do [ -x "$$t" ] || continue; echo "  $$t"; "$$t"; done

test-wast:
	@echo "== conformance scripts ($(B))"
	@tests/scripts/run_wast.sh $(B)

test-cli:
	@echo "== CLI tests ($(B))"
	@tests/cli/run.sh $(abspath $(B))/isthmus

# The experimental AOT tier (ISTHMUS_TIER=aot) against the interpreter's tests: cross-tier
# seams, the conformance scripts (fresh cache), real modules, WASI programs, Go workloads.
# Not part of `make test` yet: compiling each Go module takes minutes on a first run (the
# objects are cached in $(B)/aot-cache). See tests/aot/README.md. AOT_PARTS=wast for a subset.
test-aot: build
	@tests/aot/run.sh $(B) $(AOT_PARTS)

# The quick part of it (about half a minute): the seams test and the conformance scripts.
test-aot-quick:
	@tests/aot/run.sh $(B) seams wast

# The conformance scripts under valgrind's memcheck (leaks and invalid accesses fail).
test-valgrind: build
	@RUNNER="valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect -q" \
	  tests/scripts/run_wast.sh $(BUILD)

# WASI from real C and Go programs (compared with native runs), and the sandbox.
test-wasi:
	@echo "== WASI ($(B))"
	@tests/wasi/run.sh $(abspath $(B))
	@tests/wasi/sandbox/run.sh $(abspath $(B))

test-modules:
	@echo "== real toolchain modules ($(B))"
	@tests/scripts/real_modules.sh $(B)

# Fuzz the decoder + validator (+ lowering, + instantiation) with libFuzzer. Seeds are the
# modules of the project's own conformance scripts.
fuzz:
	@cmake -S . -B build-fuzz -G "$(GENERATOR)" -DCMAKE_C_COMPILER=clang -DISTHMUS_FUZZ=ON -DISTHMUS_SANITIZE=ON >/dev/null
	@cmake --build build-fuzz -j --target fuzz_module
	@mkdir -p build-fuzz/corpus build-fuzz/seeds
	@for w in tests/wast/*.wast; do wast2json --no-check $$w -o build-fuzz/seeds/$$(basename $$w .wast).json >/dev/null 2>&1 || true; done
	@rm -f build-fuzz/seeds/*.json
	@build-fuzz/fuzz_module -max_total_time=$${FUZZ_SECONDS:-600} -timeout=10 -rss_limit_mb=4096 -artifact_prefix=build-fuzz/ build-fuzz/corpus build-fuzz/seeds

# The benchmark (not part of `make test`): Go and C workloads on isthmus, wasmtime, Node, wasm3
# and natively, call overhead, start-up, callgrind counts. BENCH_QUICK=1 for a ~2-minute subset.
# See docs/performance.md.
bench: build
	@BUILD=$(BUILD) bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz build-switch
