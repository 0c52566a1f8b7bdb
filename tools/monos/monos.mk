# The host tool build/monos and its host unit tests (included by the top-level Makefile).
MONOS_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11
MONOS_SRCS   := $(wildcard tools/monos/*.c)
MONOS_HDRS   := $(wildcard tools/monos/*.h)
# Profiles (tools/monos/profiles/*.profile) are data built into the executable.
MONOS_PROFILES := $(sort $(wildcard tools/monos/profiles/*.profile))
MONOS_PROFILES_C := $(BUILD)/monos-profiles.c
# Fixtures of the closure test, also used by the run test.
CL := $(abspath $(BUILD)/unit/closure-fx)

$(MONOS_PROFILES_C): $(MONOS_PROFILES) tools/monos/embed-profiles.awk
	@mkdir -p $(dir $@)
	awk -f tools/monos/embed-profiles.awk $(MONOS_PROFILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/monos: $(MONOS_SRCS) $(MONOS_HDRS) $(MONOS_PROFILES_C) tools/monos/monos.mk
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -iquote tools/monos -o $@ $(MONOS_SRCS) $(MONOS_PROFILES_C) -lm

# Unit tests: each links the tool sources it tests (and util.c) with its test program.
# They print "PASS unit.check" / "FAIL unit.check: why" and exit non-zero on a failure.
UNIT_TESTS += $(BUILD)/unit/cpio $(BUILD)/unit/elf $(BUILD)/unit/ctl $(BUILD)/unit/closure

$(BUILD)/unit/cpio: tests/unit/cpio_test.c tests/unit/check.h tools/monos/cpio.c tools/monos/util.c $(MONOS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -iquote tools/monos -o $@ tests/unit/cpio_test.c tools/monos/cpio.c tools/monos/util.c

# The ELF test inspects files made here: a static and a static-PIE program, a 32-bit
# object's worth of header, and copies cut short. Their paths are compiled in.
$(BUILD)/unit/elf: tests/unit/elf_test.c tests/unit/check.h tools/monos/elf.c tools/monos/util.c \
		$(MONOS_HDRS) $(BUILD)/unit/elf-static $(BUILD)/unit/elf-static-pie
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -iquote tools/monos -DFIXTURE_DIR='"$(abspath $(BUILD)/unit)"' \
		-o $@ tests/unit/elf_test.c tools/monos/elf.c tools/monos/util.c

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
# --net/-p on the QEMU command line, and one boot with --net user (tests/unit/net_test.sh).
UNIT_TESTS += tests/unit/net_test.sh
# The guest serves the host and connects to it over lwIP, DHCP first (tests/unit/net_serve_test.sh).
UNIT_TESTS += tests/unit/net_serve_test.sh
FAKE_SCENES := exit debug-exit panic status-hang hang bad-record no-status

$(BUILD)/unit/fake-%.elf: tests/unit/fake_kernel.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -nostdlib -static -no-pie -Wl,-Ttext=0x100000 -Wl,--build-id=none \
		-DFAKE_$$(echo $* | tr a-z- A-Z_) -o $@ $<

$(BUILD)/unit/run: tests/unit/run_test.c tests/unit/check.h $(BUILD)/monos $(BUILD)/unit/elf-static \
		$(CL)/.stamp \
		$(patsubst %,$(BUILD)/unit/fake-%.elf,$(FAKE_SCENES))
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -DMONOS_BIN='"$(abspath $(BUILD)/monos)"' \
		-DFIXTURE_DIR='"$(abspath $(BUILD)/unit)"' -o $@ tests/unit/run_test.c

# The dynamic closure (closure.c) and the image plan against the real ld.so: libraries and
# programs in $(CL) whose search paths disagree on purpose (tests/unit/closure_test.c
# says which is which). Each program prints which copy of its library it got.
CL_LIB  = $(CC) -shared -fPIC -O2 -o
CL_PROG = $(CC) -O2 -o
CL_RPATH   = -Wl,--disable-new-dtags,-rpath,
CL_RUNPATH = -Wl,--enable-new-dtags,-rpath,

$(CL)/.stamp: tests/unit/closure_lib.c tests/unit/closure_prog.c tools/monos/monos.mk
	@rm -rf $(CL) && mkdir -p $(CL)/A $(CL)/B $(CL)/X32 $(CL)/leaf $(CL)/mid \
		$(CL)/origin/sub $(CL)/ver $(CL)/conf $(CL)/gone
	$(CL_LIB) $(CL)/A/libdep.so.1 -DFN=which -DWHICH='"A"' -Wl,-soname,libdep.so.1 tests/unit/closure_lib.c
	$(CL_LIB) $(CL)/B/libdep.so.1 -DFN=which -DWHICH='"B"' -Wl,-soname,libdep.so.1 tests/unit/closure_lib.c
	$(CL_LIB) $(CL)/X32/libdep.so.1 -m32 -nostdlib -DFN=which -DWHICH='"X32"' tests/unit/closure_lib.c
	$(CL_LIB) $(CL)/leaf/libleaf.so -DFN=leaf_which -DWHICH='"leaf"' tests/unit/closure_lib.c
	$(CL_LIB) $(CL)/mid/libmid.so -DFN=which -DCALL=leaf_which tests/unit/closure_lib.c -L$(CL)/leaf -lleaf
	$(CL_LIB) $(CL)/origin/sub/libsub.so -DFN=sub_which -DWHICH='"sub"' tests/unit/closure_lib.c
	$(CL_LIB) $(CL)/origin/libori.so -DFN=which -DCALL=sub_which tests/unit/closure_lib.c \
		-L$(CL)/origin/sub -lsub $(CL_RUNPATH)'$$ORIGIN/sub'
	$(CL_LIB) $(CL)/ver/libver.so.1.2.3 -DFN=which -DWHICH='"ver"' -Wl,-soname,libver.so.1 tests/unit/closure_lib.c
	ln -s libver.so.1.2.3 $(CL)/ver/libver.so.1 && ln -s libver.so.1 $(CL)/ver/libver.so
	$(CL_LIB) $(CL)/conf/libconf.so.1 -DFN=which -DWHICH='"conf"' -Wl,-soname,libconf.so.1 tests/unit/closure_lib.c
	$(CL_LIB) $(CL)/gone/libnothere.so.1 -DFN=which -DWHICH='"gone"' -Wl,-soname,libnothere.so.1 tests/unit/closure_lib.c
	$(CL_PROG) $(CL)/p-rpath tests/unit/closure_prog.c $(CL)/A/libdep.so.1 $(CL_RPATH)$(CL)/X32:$(CL)/A:$(CL)/B
	$(CL_PROG) $(CL)/p-runpath tests/unit/closure_prog.c $(CL)/A/libdep.so.1 $(CL_RUNPATH)$(CL)/B:$(CL)/A
	$(CL_PROG) $(CL)/p-inherit-rpath tests/unit/closure_prog.c -L$(CL)/mid -lmid $(CL_RPATH)$(CL)/mid:$(CL)/leaf
	$(CL_PROG) $(CL)/p-inherit-runpath tests/unit/closure_prog.c -L$(CL)/mid -lmid $(CL_RUNPATH)$(CL)/mid:$(CL)/leaf
	$(CL_PROG) $(CL)/p-origin tests/unit/closure_prog.c -L$(CL)/origin -lori \
		-Wl,-rpath-link,$(CL)/origin/sub $(CL_RUNPATH)'$$ORIGIN/origin'
	$(CL_PROG) $(CL)/p-ver tests/unit/closure_prog.c -L$(CL)/ver -lver $(CL_RUNPATH)$(CL)/ver
	$(CL_PROG) $(CL)/p-conf tests/unit/closure_prog.c $(CL)/conf/libconf.so.1
	$(CL_PROG) $(CL)/p-missing tests/unit/closure_prog.c $(CL)/gone/libnothere.so.1
	rm -rf $(CL)/gone
	mkdir -p $(CL)/musl
	musl-gcc -shared -fPIC -O2 -o $(CL)/musl/libdep.so.1 -DFN=which -DWHICH='"musl"' \
		-Wl,-soname,libdep.so.1 tests/unit/closure_lib.c
	musl-gcc -O2 -o $(CL)/p-musl tests/unit/closure_prog.c $(CL)/musl/libdep.so.1 $(CL_RPATH)$(CL)/musl
	touch $@

CLOSURE_SRCS := closure.c elf.c util.c image.c cpio.c sha256.c ldcache.c profile.c
$(BUILD)/unit/closure: tests/unit/closure_test.c tests/unit/check.h $(MONOS_HDRS) \
		$(addprefix tools/monos/,$(CLOSURE_SRCS)) $(CL)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(MONOS_CFLAGS) -iquote tools/monos -DFIXTURE_DIR='"$(CL)"' -o $@ \
		tests/unit/closure_test.c $(addprefix tools/monos/,$(CLOSURE_SRCS))
