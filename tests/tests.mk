# tests/tests.mk: `make test` — host unit tests ($(UNIT_TESTS), added to by
# the other fragments) and the conformance programs, each built three ways and
# run natively and under monos by tests/run-all.sh, whose last line is
# "N passed, M failed".
#
#   make test                 everything (installs missing Debian packages first)
#   make conformance          build the conformance programs only
#   make test-native          conformance programs natively only (no kernel needed)
#   make test T=brk           only the conformance programs named in T
#   make test TEST_JOBS=1     run one test at a time (default 2)

# Real servers (nginx, memcached, redis) under monos, reached through -p by host-side clients.
UNIT_TESTS += tests/unit/net_apps_test.sh

CONF_DIR      := tests/conformance
CONF_OUT      := $(BUILD)/conformance
CONF_SRCS     := $(wildcard $(CONF_DIR)/*.c)
CONF_NAMES    := $(sort $(notdir $(CONF_SRCS:.c=)))
CONF_VARIANTS := glibc-static glibc-dynamic musl-static
CONF_BINS     := $(foreach v,$(CONF_VARIANTS),$(addprefix $(CONF_OUT)/$(v)/,$(CONF_NAMES)))
# A program marked `// also: glibc-static-pie` is built and run that way too (the loader's
# ET_DYN-without-interpreter path, which no other variant takes).
CONF_SPIE_NAMES := $(sort $(notdir $(basename $(shell grep -l '^// also: glibc-static-pie' $(CONF_SRCS)))))
CONF_BINS     += $(addprefix $(CONF_OUT)/glibc-static-pie/,$(CONF_SPIE_NAMES))
CONF_HDRS     := $(wildcard $(CONF_DIR)/*.h)

CONF_GCC      := gcc
CONF_MUSL_GCC := musl-gcc
CONF_CFLAGS   := -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter
CONF_LIBS     := -lm

# musl-gcc searches only musl's headers; the Linux UAPI headers (linux/,
# asm/, asm-generic/) come from linux-libc-dev, searched after musl's own.
CONF_MUSL_INC := $(CONF_OUT)/musl-include

$(CONF_OUT)/glibc-static/%: $(CONF_DIR)/%.c $(CONF_HDRS)
	@mkdir -p $(@D)
	$(CONF_GCC) -static $(CONF_CFLAGS) -o $@ $< $(CONF_LIBS)

# Dynamic PIE, as Debian's gcc builds by default: the program runs on ld.so and libc.so.6.
$(CONF_OUT)/glibc-dynamic/%: $(CONF_DIR)/%.c $(CONF_HDRS)
	@mkdir -p $(@D)
	$(CONF_GCC) -fPIE -pie $(CONF_CFLAGS) -o $@ $< $(CONF_LIBS)

$(CONF_OUT)/glibc-static-pie/%: $(CONF_DIR)/%.c $(CONF_HDRS)
	@mkdir -p $(@D)
	$(CONF_GCC) -static-pie -fPIE $(CONF_CFLAGS) -o $@ $< $(CONF_LIBS)

$(CONF_OUT)/musl-static/%: $(CONF_DIR)/%.c $(CONF_HDRS) | $(CONF_MUSL_INC)
	@mkdir -p $(@D)
	$(CONF_MUSL_GCC) -static $(CONF_CFLAGS) -idirafter $(CONF_MUSL_INC) -o $@ $< $(CONF_LIBS)

$(CONF_MUSL_INC):
	@mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$(shell $(CONF_GCC) -print-multiarch)/asm $@/asm

.PHONY: conformance test-native test-build
conformance: $(CONF_BINS)

# Debian packages the build and the tests need, installed when missing.
TEST_DEPS_STAMP := $(BUILD)/.deps-installed
$(TEST_DEPS_STAMP): tools/install-deps.sh
	@bash tools/install-deps.sh
	@mkdir -p $(@D) && touch $@

# The build runs in a sub-make so that the packages are in place before any
# compiler runs, and so that $(UNIT_TESTS) has every fragment's additions.
test-build:
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) conformance

test: $(TEST_DEPS_STAMP)
	@rm -f $(BUILD)/test.log
	@$(MAKE) --no-print-directory test-build
	@UNIT_TESTS="$(UNIT_TESTS)" CONF_VARIANTS="$(CONF_VARIANTS)" \
		CONF_NAMES="$(if $(T),$(T),$(CONF_NAMES))" \
		TEST_JOBS="$(or $(TEST_JOBS),2)" MONOS="$(BUILD)/monos" \
		bash tests/run-all.sh

test-native: $(TEST_DEPS_STAMP)
	@$(MAKE) --no-print-directory conformance
	@UNIT_TESTS= CONF_VARIANTS="$(CONF_VARIANTS)" \
		CONF_NAMES="$(if $(T),$(T),$(CONF_NAMES))" \
		TEST_JOBS="$(or $(TEST_JOBS),2)" TEST_WHERE=native \
		bash tests/run-all.sh
