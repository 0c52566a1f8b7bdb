# monos: top-level build. Each part keeps its own rules in a fragment:
#   kernel/kernel.mk      build/kernel.elf
#   tools/monos/monos.mk  build/monos (host tool)
#   tests/tests.mk        make test (unit + conformance), final line "N passed, N failed"
#   bench/bench.mk        make bench (monos vs Linux on the same QEMU)
BUILD := build
CC    ?= cc

.PHONY: all run test bench docs clean deps
all: $(BUILD)/kernel.elf $(BUILD)/monos

include kernel/kernel.mk
include tools/monos/monos.mk
include tests/tests.mk
include bench/bench.mk

# The bundled example: a static hello that prints its arguments.
$(BUILD)/examples/hello: examples/hello.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -o $@ $<

# The packages first (QEMU, and dpkg-dev for fetching lwIP's source), then the build in a
# sub-make, as `make test` does: on a fresh machine nothing is there yet.
run: $(TEST_DEPS_STAMP)
	@$(MAKE) --no-print-directory all $(BUILD)/examples/hello
	$(BUILD)/monos run $(BUILD)/examples/hello a b c

# Installs the Debian packages the build and tests need (idempotent; needs root).
deps:
	@sh tools/install-deps.sh

clean:
	rm -rf $(BUILD)
