# The host tool build/monos and its host unit tests (included by the top-level Makefile).
MONOS_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11
MONOS_SRCS   := $(wildcard tools/monos/*.c)
MONOS_HDRS   := $(wildcard tools/monos/*.h)

$(BUILD)/monos: $(MONOS_SRCS) $(MONOS_HDRS) tools/monos/monos.mk
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -o $@ $(MONOS_SRCS) -lm

# Unit tests: each links the tool sources it tests (and util.c) with its test program.
# They print "PASS unit.check" / "FAIL unit.check: why" and exit non-zero on a failure.
UNIT_TESTS += $(BUILD)/unit/cpio $(BUILD)/unit/elf $(BUILD)/unit/ctl

$(BUILD)/unit/cpio: tests/unit/cpio_test.c tests/unit/check.h tools/monos/cpio.c tools/monos/util.c $(MONOS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -iquote tools/monos -o $@ tests/unit/cpio_test.c tools/monos/cpio.c tools/monos/util.c

# The ELF test inspects files made here: a static and a static-PIE program, a 32-bit
# object's worth of header, and copies cut short. Their paths are compiled in.
$(BUILD)/unit/elf: tests/unit/elf_test.c tests/unit/check.h tools/monos/elf.c $(MONOS_HDRS) \
		$(BUILD)/unit/elf-static $(BUILD)/unit/elf-static-pie
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -iquote tools/monos -DFIXTURE_DIR='"$(abspath $(BUILD)/unit)"' \
		-o $@ tests/unit/elf_test.c tools/monos/elf.c

$(BUILD)/unit/elf-static: tests/unit/tiny.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -o $@ $<

$(BUILD)/unit/elf-static-pie: tests/unit/tiny.c
	@mkdir -p $(dir $@)
	$(CC) -static-pie -fPIE -O2 -o $@ $<

$(BUILD)/unit/ctl: tests/unit/ctl_test.c tests/unit/check.h tools/monos/ctl.c $(MONOS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -iquote tools/monos -o $@ tests/unit/ctl_test.c tools/monos/ctl.c

# `monos run` end to end without the real kernel: build/monos boots tiny fake kernels
# (tests/unit/fake_kernel.S, one image per scene) under QEMU. Needs qemu-system-x86_64.
UNIT_TESTS += $(BUILD)/unit/run
FAKE_SCENES := exit debug-exit panic status-hang hang bad-record no-status

$(BUILD)/unit/fake-%.elf: tests/unit/fake_kernel.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -nostdlib -static -no-pie -Wl,-Ttext=0x100000 -Wl,--build-id=none \
		-DFAKE_$$(echo $* | tr a-z- A-Z_) -o $@ $<

$(BUILD)/unit/run: tests/unit/run_test.c tests/unit/check.h $(BUILD)/monos $(BUILD)/unit/elf-static \
		$(patsubst %,$(BUILD)/unit/fake-%.elf,$(FAKE_SCENES))
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -DMONOS_BIN='"$(abspath $(BUILD)/monos)"' \
		-DFIXTURE_DIR='"$(abspath $(BUILD)/unit)"' -o $@ tests/unit/run_test.c
