# Builds build/kernel.elf: freestanding C, linked twice so the second image carries its own
# symbol table (for backtraces). Syscall numbers, errno values and struct layouts come from
# Linux's UAPI headers (linux-libc-dev), reached through build/uapi without the C library.

KERNEL_SRCS := $(shell find kernel -name '*.c' -not -path 'kernel/syscall/gen*')
KERNEL_ASM  := $(shell find kernel -name '*.S')
KOBJ := $(BUILD)/kernel-obj
KERNEL_OBJS := $(patsubst kernel/%.c,$(KOBJ)/%.o,$(KERNEL_SRCS)) \
               $(patsubst kernel/%.S,$(KOBJ)/%.o,$(KERNEL_ASM)) \
               $(KOBJ)/gen/syscall_table.o $(KOBJ)/gen/errno_names.o

UAPI_ASM_DIR := /usr/include/$(shell $(CC) -print-multiarch)
KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-isystem $(BUILD)/uapi -Ikernel -Ikernel/include -I$(BUILD)/kernel-gen \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-strict-aliasing -MMD -MP
# The boot segment is RWX (code and early page tables, 1 MiB physical); the final page tables
# do not map it at all, so the warning about it says nothing.
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack \
	-Wl,--no-warn-rwx-segments -Wl,--build-id=none \
	-T kernel/arch/x86_64/linker.ld

$(BUILD)/uapi/.stamp:
	@mkdir -p $(BUILD)/uapi
	@test -d /usr/include/linux || { echo "kernel: Linux UAPI headers missing: apt-get install linux-libc-dev"; exit 1; }
	ln -sfn /usr/include/linux $(BUILD)/uapi/linux
	ln -sfn /usr/include/asm-generic $(BUILD)/uapi/asm-generic
	ln -sfn $(UAPI_ASM_DIR)/asm $(BUILD)/uapi/asm
	@touch $@

$(BUILD)/kernel-gen/syscall_table.c: kernel/syscall/gen-table.awk kernel/syscall/syscalls.tbl $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	awk -v out=c -f kernel/syscall/gen-table.awk $(UAPI_ASM_DIR)/asm/unistd_64.h kernel/syscall/syscalls.tbl > $@.tmp && mv $@.tmp $@

$(BUILD)/kernel-gen/errno_names.c: kernel/syscall/gen-errno.awk $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	awk -f kernel/syscall/gen-errno.awk /usr/include/asm-generic/errno-base.h /usr/include/asm-generic/errno.h > $@.tmp && mv $@.tmp $@

# The vDSO (vdso/): a real shared object built for the app's ring 3 (position-independent, no
# libc, soname linux-vdso.so.1, version LINUX_2.6), embedded in the kernel by
# kernel/proc/vdso_image.S and mapped into the app at exec (proc/vdso.c). It must need no
# relocation, since nothing relocates it: the rule fails when the link leaves any.
VDSO_SRCS := $(wildcard vdso/*.c)
VDSO_OBJS := $(patsubst vdso/%.c,$(BUILD)/vdso/%.o,$(VDSO_SRCS))
VDSO_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -ffreestanding \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) -isystem $(BUILD)/uapi -Ikernel \
	-fPIC -fno-stack-protector -fno-omit-frame-pointer -fasynchronous-unwind-tables \
	-mgeneral-regs-only -fcf-protection=none -fno-strict-aliasing -MMD -MP
VDSO_LDFLAGS := -shared -nostdlib -Wl,-T,vdso/vdso.lds -Wl,-soname=linux-vdso.so.1 \
	-Wl,--hash-style=both -Wl,--eh-frame-hdr -Wl,--build-id=sha1 -Wl,--no-undefined \
	-Wl,-Bsymbolic -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack

$(BUILD)/vdso/%.o: vdso/%.c $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      $< (vdso)"
	@$(CC) $(VDSO_CFLAGS) -c -o $@ $<

$(BUILD)/vdso/vdso.dbg.so: $(VDSO_OBJS) vdso/vdso.lds
	$(CC) $(VDSO_LDFLAGS) -o $@ $(VDSO_OBJS)
	@if readelf -rW $@ | grep -q '^ *[0-9a-f]\{12,\} '; then \
		echo "vdso: $@ has relocations; the vDSO must need none" >&2; readelf -rW $@ >&2; \
		rm -f $@; exit 1; fi

$(BUILD)/vdso/vdso.so: $(BUILD)/vdso/vdso.dbg.so
	objcopy --strip-debug $< $@

$(KOBJ)/proc/vdso_image.o: $(BUILD)/vdso/vdso.so
$(KOBJ)/proc/vdso_image.o: KCFLAGS += -DVDSO_IMAGE_PATH='"$(BUILD)/vdso/vdso.so"'

-include $(VDSO_OBJS:.o=.d)

# lwIP (issue 6): Debian's source package, fetched once by tools/fetch-lwip.sh into cache/lwip
# (never committed), compiled freestanding with kernel/net/lwip/lwipopts.h and arch/cc.h; its
# <string.h> and <stdlib.h> are the kernel's (kernel/net/lwip/compat). lwIP's code is not ours
# to fix, so the warnings it trips are off for its objects only.
LWIP_DIR := cache/lwip/src
LWIP_CORE := init def mem memp pbuf netif ip inet_chksum timeouts tcp tcp_in tcp_out udp \
	ipv4/ip4 ipv4/ip4_addr ipv4/ip4_frag ipv4/icmp \
	ipv6/ip6 ipv6/ip6_addr ipv6/ip6_frag ipv6/icmp6 ipv6/nd6 ipv6/inet6 ipv6/mld6 \
	ipv4/etharp ipv4/dhcp ipv6/ethip6
# Outside core/: Ethernet framing (the virtio-net interface, net/netif_virtio.c).
LWIP_NETIF := ethernet
LWIP_OBJS := $(patsubst %,$(KOBJ)/lwip/core/%.o,$(LWIP_CORE)) \
	$(patsubst %,$(KOBJ)/lwip/netif/%.o,$(LWIP_NETIF))
LWIP_INC := -Ikernel/net/lwip -Ikernel/net/lwip/compat -I$(LWIP_DIR)/src/include
KERNEL_OBJS += $(LWIP_OBJS)

$(LWIP_DIR)/.ok:
	@tools/fetch-lwip.sh cache/lwip

# The sources exist only once fetched, so they are not prerequisites (pinned, they never change;
# the .d files track the headers).
$(KOBJ)/lwip/core/%.o: $(BUILD)/uapi/.stamp | $(LWIP_DIR)/.ok
	@mkdir -p $(dir $@)
	@echo "  CC      $(LWIP_DIR)/src/core/$*.c (lwip)"
	@$(CC) $(KCFLAGS) $(LWIP_INC) -Wno-address -Wno-type-limits -Wno-sign-compare \
		-c -o $@ $(LWIP_DIR)/src/core/$*.c

$(KOBJ)/lwip/netif/%.o: $(BUILD)/uapi/.stamp | $(LWIP_DIR)/.ok
	@mkdir -p $(dir $@)
	@echo "  CC      $(LWIP_DIR)/src/netif/$*.c (lwip)"
	@$(CC) $(KCFLAGS) $(LWIP_INC) -Wno-address -Wno-type-limits -Wno-sign-compare \
		-c -o $@ $(LWIP_DIR)/src/netif/$*.c

# Our files that include lwIP's headers.
LWIP_USERS := $(patsubst kernel/%.c,$(KOBJ)/%.o,$(wildcard kernel/net/lwip_port.c kernel/net/inet*.c \
	kernel/net/netif_virtio.c kernel/net/netlink.c kernel/net/ifioctl.c kernel/fs/procfs_net.c))
$(LWIP_USERS): KCFLAGS += $(LWIP_INC)
$(LWIP_USERS): | $(LWIP_DIR)/.ok

# Nothing makes a .d file but the compile (make would otherwise try its built-in %: %.o).
$(LWIP_OBJS:.o=.d): ;
-include $(LWIP_OBJS:.o=.d)

$(KOBJ)/gen/%.o: $(BUILD)/kernel-gen/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -Wno-strict-prototypes -c -o $@ $<

$(KOBJ)/%.o: kernel/%.c $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c -o $@ $<

$(KOBJ)/%.o: kernel/%.S $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

# Pass 1 links without symbols; its function symbols become ksyms.S; pass 2 links that in. The
# table adds only .rodata, placed after all text, so every function keeps its pass-1 address.
$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) kernel/arch/x86_64/linker.ld
	$(CC) $(KLDFLAGS) -o $@ $(KERNEL_OBJS)

$(BUILD)/kernel-gen/ksyms.S: $(BUILD)/kernel.pass1.elf
	nm -n $< | awk 'BEGIN { print "\t.section .rodata"; print "\t.globl ksyms, ksyms_count"; n = 0 } \
		$$2 ~ /^[tT]$$/ { addr[n] = $$1; name[n] = $$3; n++ } \
		END { print "\t.p2align 3"; print "ksyms:"; \
		for (i = 0; i < n; i++) printf "\t.quad 0x%s, .Lname%d\n", addr[i], i; \
		print "ksyms_count:"; printf "\t.quad %d\n", n; \
		for (i = 0; i < n; i++) printf ".Lname%d: .asciz \"%s\"\n", i, name[i] }' > $@

$(KOBJ)/ksyms.o: $(BUILD)/kernel-gen/ksyms.S
	$(CC) -c -o $@ $<

# kernel.debug.elf keeps the DWARF for gdb; kernel.elf, what boots, carries none (backtraces use
# the embedded ksyms table, which is part of .rodata and survives stripping).
$(BUILD)/kernel.debug.elf: $(KERNEL_OBJS) $(KOBJ)/ksyms.o kernel/arch/x86_64/linker.ld
	$(CC) $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(KOBJ)/ksyms.o

$(BUILD)/kernel.elf: $(BUILD)/kernel.debug.elf
	objcopy --strip-all $< $@
	@size=$$(stat -c %s $@); echo "kernel.elf: $$size bytes"

# docs/syscalls.md is generated from the same table; `make test` checks it is current.
docs: docs/syscalls.md
docs/syscalls.md: kernel/syscall/gen-table.awk kernel/syscall/syscalls.tbl
	awk -v out=md -f kernel/syscall/gen-table.awk $(UAPI_ASM_DIR)/asm/unistd_64.h kernel/syscall/syscalls.tbl > $@.tmp && mv $@.tmp $@

-include $(KERNEL_OBJS:.o=.d)

# Host unit tests of kernel code: the library and the initramfs parser, built for the host and
# linked as one relocatable object whose symbols all carry a "k_" prefix.
KLIB_HOST_SRCS := kernel/lib/format.c kernel/lib/string.c kernel/fs/initramfs.c
$(BUILD)/unit/klib.o: $(KLIB_HOST_SRCS) $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	@set -e; for f in $(KLIB_HOST_SRCS); do \
		$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -ffreestanding -fno-builtin \
			-fno-stack-protector -fPIE -Ikernel -Ikernel/include -isystem $(BUILD)/uapi \
			-c -o $(BUILD)/unit/klib-$$(basename $$f .c).o $$f; done
	ld -r -o $@.tmp $(patsubst %.c,$(BUILD)/unit/klib-%.o,$(notdir $(KLIB_HOST_SRCS)))
	objcopy --prefix-symbols=k_ $@.tmp $@ && rm -f $@.tmp

$(BUILD)/unit/klib: tests/unit/klib_test.c tests/unit/check.h tools/monos/cpio.c tools/monos/util.c $(BUILD)/unit/klib.o
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -iquote tools/monos -o $@ \
		tests/unit/klib_test.c tools/monos/cpio.c tools/monos/util.c $(BUILD)/unit/klib.o

UNIT_TESTS += $(BUILD)/unit/klib

# docs/syscalls.md must be what the table generates: a unit test that regenerates and compares.
UNIT_TESTS += kernel/syscall/check-docs.sh
