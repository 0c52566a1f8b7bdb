# make bench: monos vs Linux on the same QEMU, as ratios (see bench/README.md).
# The Linux side does not need monos, so a failing `make all` does not stop the bench: boot.sh
# then reports the monos side as failed and exits non-zero after printing the Linux figures.
# programs.sh (dynamic hello, python3, boot cost vs image size) and threads.sh (thread
# operations) and events.sh (clock_gettime by vDSO and syscall, epoll_wait, signal round trip)
# and net.sh (redis and nginx served over a tap to host clients; Linux's /init is
# linux_init.c) run even when boot.sh failed, and the bench fails when any of them did.
BENCH_PROG  := $(BUILD)/bench/tsc_hello
BENCH_DYN   := $(BUILD)/bench/tsc_hello_dyn
BENCH_PROBE := $(BUILD)/bench/tsc_probe.so
BENCH_INIT  := $(BUILD)/bench/linux_init
BENCH_THR   := $(BUILD)/bench/tsc_threads
BENCH_EVT   := $(BUILD)/bench/tsc_events

.PHONY: bench bench-deps
bench-deps:
	@bash bench/deps.sh

$(BENCH_PROG): bench/tsc_hello.c | bench-deps
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -o $@ $<

# The same source, dynamic: what the loader and libc's relocation cost each kernel.
$(BENCH_DYN): bench/tsc_hello.c | bench-deps
	@mkdir -p $(dir $@)
	$(CC) -O2 -fPIE -pie -o $@ $<

$(BENCH_PROBE): bench/tsc_probe.c | bench-deps
	@mkdir -p $(dir $@)
	$(CC) -O2 -fPIC -shared -o $@ $<

# Static: it runs before anything from the image is known to work.
$(BENCH_INIT): bench/linux_init.c | bench-deps
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -o $@ $<

# Thread operations (bench/threads.sh): static, as it is also Linux's /init.
$(BENCH_THR): bench/tsc_threads.c bench/tsc_report.h | bench-deps
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -pthread -o $@ $<

# Time and event operations (bench/events.sh): static, as it is also Linux's /init.
$(BENCH_EVT): bench/tsc_events.c bench/tsc_report.h | bench-deps
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -o $@ $<

bench: $(BENCH_PROG) $(BENCH_DYN) $(BENCH_PROBE) $(BENCH_INIT) $(BENCH_THR) $(BENCH_EVT)
	@$(MAKE) --no-print-directory all || echo "bench: 'make all' failed; the monos side will be reported as failed" >&2
	@s=0; bash bench/boot.sh $(BENCH_PROG) || s=1; \
	bash bench/programs.sh $(BENCH_PROG) $(BENCH_DYN) $(BENCH_PROBE) $(BENCH_INIT) || s=1; \
	bash bench/threads.sh $(BENCH_THR) || s=1; \
	bash bench/events.sh $(BENCH_EVT) || s=1; \
	bash bench/net.sh $(BENCH_INIT) || s=1; \
	exit $$s

# The network rows alone: `make bench-net`.
.PHONY: bench-net
bench-net: $(BENCH_INIT)
	@$(MAKE) --no-print-directory all
	@bash bench/net.sh $(BENCH_INIT)
