# make bench: monos vs Linux on the same QEMU, as ratios (see bench/README.md).
# The Linux side does not need monos, so a failing `make all` does not stop the bench: boot.sh
# then reports the monos side as failed and exits non-zero after printing the Linux figures.
BENCH_PROG := $(BUILD)/bench/tsc_hello

.PHONY: bench bench-deps
bench-deps:
	@bash bench/deps.sh

$(BENCH_PROG): bench/tsc_hello.c | bench-deps
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -o $@ $<

bench: $(BENCH_PROG)
	@$(MAKE) --no-print-directory all || echo "bench: 'make all' failed; the monos side will be reported as failed" >&2
	@bash bench/boot.sh $(BENCH_PROG)
