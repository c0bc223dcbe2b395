# SPDX-License-Identifier: GPL-2.0
# Benchmarks (not tests): what each tracer adds per call, side by side in
# one interleaved run (make bench, which rewrites the generated part of
# docs/performance.md), and the attachment kinds (make bench-attach).
# bpftrace is the benchmark's own dependency: installed with apt-get when missing.

.PHONY: bench bench-attach
$(OUT)/tests/bench:
	$(Q)mkdir -p $@

$(OUT)/tests/bench/attach_tp.bpf.o: tests/bench/attach.bpf.c $(HDRS) | $(OUT)/tests/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DVARIANT_TP -c $< -o $@ && $(LLVM_STRIP) -g $@

$(OUT)/tests/bench/attach_raw.bpf.o: tests/bench/attach.bpf.c $(HDRS) | $(OUT)/tests/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DVARIANT_RAW -c $< -o $@ && $(LLVM_STRIP) -g $@

$(OUT)/attach-bench: tests/bench/attach_bench.c $(OUT)/libloader.a | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(OUT)/libloader.a $(LDLIBS)

bench-attach: $(OUT)/attach-bench $(OUT)/tests/bench/attach_tp.bpf.o $(OUT)/tests/bench/attach_raw.bpf.o ## per-syscall tracepoints against raw sys_enter/sys_exit
	$(Q)$(OUT)/attach-bench

BENCH_SRCS := $(filter-out tests/bench/attach_bench.c,$(wildcard tests/bench/*.c))
BENCH_SRCS := $(filter-out %.bpf.c,$(BENCH_SRCS))
BENCH_BPF  := $(OUT)/tests/bench/nop.bpf.o $(OUT)/tests/bench/pair.bpf.o

$(OUT)/tests/bench/%.bpf.o: tests/bench/%.bpf.c $(HDRS) | $(OUT)/tests/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@ && $(LLVM_STRIP) -g $@

$(OUT)/overhead-bench: $(BENCH_SRCS) tests/bench/bench.h $(OUT)/libloader.a | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(BENCH_SRCS) $(OUT)/libloader.a $(LDLIBS) -lpthread

bench: iotrace $(OUT)/overhead-bench $(BENCH_BPF) ## iotrace against the floor, a hash pairing and bpftrace (root, ~10 min)
	$(Q)note=; if ! command -v bpftrace >/dev/null 2>&1; then \
		echo 'bench: bpftrace is missing: installing it (apt-get install bpftrace), a dependency of the benchmark only'; \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null 2>&1 || \
		  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null; }; } && \
		note=' (installed by make bench)' || echo 'bench: bpftrace could not be installed: running without it'; \
	fi; \
	BENCH_BPFTRACE_NOTE="$$note" BENCH_DOC=docs/performance.md $(OUT)/overhead-bench ./iotrace
