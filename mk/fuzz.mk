# SPDX-License-Identifier: GPL-2.0
# Fuzzing (libFuzzer, clang 14 + libclang-rt-14-dev).
# make fuzz [FUZZ_SECONDS=60]: each target for FUZZ_SECONDS, one after the other:
#   fuzz-report  the result reader (tests/fuzz/report_fuzz.c)
#   fuzz-elf     the BPF loader without a kernel: obj__open_mem + obj__relocate (link, CO-RE
#                against a small BTF and /sys/kernel/btf/vmlinux), and BTF inputs as the vmlinux
# Seeds from tests/fuzz/corpus (report) and tests/fuzz/elf-corpus (elf), new inputs into
# .output/fuzz-corpus[-elf], a crash into .output/fuzz-crash-<target>-*; rerun one with
# .output/fuzz-<target> FILE.

.PHONY: fuzz fuzz-report fuzz-elf
FUZZ_SECONDS ?= 60
FUZZ_SRCS    := tests/fuzz/report_fuzz.c $(wildcard src/report/*.c) $(wildcard src/format/*.c) \
		src/cli/log.c src/cli/opt.c
FUZZ_CFLAGS  := -g -O1 -std=gnu17 -Iinclude -Isrc -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# FUZZ_FLAGS='-fork=1 -ignore_crashes=1' keeps going after a crash, collecting every one
FUZZ_FLAGS   ?=
FUZZ_RUN      = -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_FLAGS)

$(OUT)/fuzz-report: $(FUZZ_SRCS) $(HDRS) | $(OUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRCS)

$(OUT)/fuzz-elf: tests/fuzz/elf_fuzz.c $(LOADER_SRCS) $(HDRS) | $(OUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -Iloader -DOUT_DIR='"$(abspath $(OUT))"' -o $@ \
		tests/fuzz/elf_fuzz.c $(LOADER_SRCS) $(LDLIBS)

fuzz-report: $(OUT)/fuzz-report ## fuzz the result reader for FUZZ_SECONDS (60)
	$(Q)mkdir -p $(OUT)/fuzz-corpus
	$(Q)$(OUT)/fuzz-report $(FUZZ_RUN) -dict=tests/fuzz/report.dict \
		-artifact_prefix=$(OUT)/fuzz-crash-report- $(OUT)/fuzz-corpus tests/fuzz/corpus

# the production objects seed the corpus and are what BTF inputs are relocated
fuzz-elf: $(OUT)/fuzz-elf $(BPF_OBJS) $(ASM_OBJS) ## fuzz the BPF loader (no kernel) for FUZZ_SECONDS
	$(Q)mkdir -p $(OUT)/fuzz-corpus-elf
	$(Q)$(OUT)/fuzz-elf $(FUZZ_RUN) -dict=tests/fuzz/elf.dict -max_len=400000 \
		-artifact_prefix=$(OUT)/fuzz-crash-elf- $(OUT)/fuzz-corpus-elf tests/fuzz/elf-corpus

fuzz: ## fuzz-report, then fuzz-elf
	$(Q)$(MAKE) --no-print-directory fuzz-report
	$(Q)$(MAKE) --no-print-directory fuzz-elf
