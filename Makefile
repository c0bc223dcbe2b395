# SPDX-License-Identifier: GPL-2.0
# bpf-iotrace: one static binary with its BPF objects embedded.
#   make            build ./iotrace
#   make test       install build/test dependencies, then unit, asm, verifier and e2e tests
#   make help       every target

.DELETE_ON_ERROR:
.SUFFIXES:

OUT        := .output
CC         ?= gcc
CLANG      ?= clang
LLVM_STRIP ?= llvm-strip
BPF_AS     ?= bpf-as
MULTIARCH  := $(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)

CFLAGS     ?= -O2 -g -Wall -Wextra -Werror
override CFLAGS += -std=gnu17 -Iinclude -Iloader -Isrc -D_GNU_SOURCE
BPF_CFLAGS ?= -O2 -g -Wall -Werror
BPF_CFLAGS += -target bpf -mcpu=v3 -Iinclude -Ibpf -I/usr/include/$(MULTIARCH)
ASFLAGS_BPF = -Iinclude
LDLIBS     := -lelf -lz

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif

LOADER_SRCS := $(wildcard loader/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(OUT)/loader/%.o,$(LOADER_SRCS))
APP_SRCS    := $(wildcard src/*.c)
APP_OBJS    := $(patsubst src/%.c,$(OUT)/src/%.o,$(APP_SRCS))
BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
ASM_SRCS    := $(wildcard asm/*.S)
ASM_OBJS    := $(patsubst asm/%.S,$(OUT)/asm/%.o,$(ASM_SRCS))
HDRS        := $(wildcard include/*.h include/*.def loader/*.h src/*.h bpf/*.h tests/asm/*.h)

# tests
UNIT_SRCS   := $(wildcard tests/unit/*.c) $(wildcard tests/lib/*.c)
ASMT_SRCS   := $(filter-out %.bpf.c,$(wildcard tests/asm/*.c)) $(wildcard tests/lib/*.c)
ASMT_BPF    := $(patsubst tests/asm/%.bpf.c,$(OUT)/tests/asm/%.bpf.o,$(wildcard tests/asm/*.bpf.c))
VERT_SRCS   := $(filter-out %.bpf.c,$(wildcard tests/verifier/*.c)) $(wildcard tests/lib/*.c)
E2E_SRCS    := $(wildcard tests/e2e/*_test.c) $(wildcard tests/lib/*.c)
E2E_TOOLS   := $(patsubst tests/e2e/tools/%.c,$(OUT)/tests/e2e/%,$(wildcard tests/e2e/tools/*.c))
TEST_CFLAGS  = $(CFLAGS) -Itests/lib -DOUT_DIR='"$(abspath $(OUT))"' -DSRC_DIR='"$(abspath .)"'
# objects of src/ that tests may link (everything but main)
APP_LIB_OBJS = $(filter-out $(addprefix $(OUT)/src/,main.o embed.o objects.o record.o verify.o),$(APP_OBJS))

.PHONY: all bpf test test-unit test-asm test-verifier test-bpf test-e2e deps \
	verifier-logs check-verifier-logs fmt fmt-check clean help
all: iotrace

help:
	@echo 'targets:'
	@echo '  all                 build ./iotrace (static, BPF objects embedded)'
	@echo '  bpf                 build the BPF C and asm objects only'
	@echo '  deps                install build and test dependencies (apt)'
	@echo '  test                deps, fmt-check, then test-unit, test-bpf (asm + verifier), test-e2e, test-san, builds the fuzz targets'
	@echo '  test-san            test-unit and test-e2e again under ASan + UBSan (dynamic iotrace)'
	@echo '  test-unit           tests that need no kernel'
	@echo '  test-bpf            in-kernel asm tests and verifier tests (root, BTF)'
	@echo '  test-e2e            run ./iotrace on workloads with known ground truth'
	@echo '  verifier-logs       regenerate verifier-logs/<uname -r>/ through our loader'
	@echo '  check-verifier-logs fail if processed insns grew >10% against the committed logs'
	@echo '  test-kernels        the static binary on Debian 5.10, 6.1, 6.12, sid under qemu (KERNELS=...)'
	@echo '  fmt / fmt-check     clang-format the tree / check it'
	@echo '  fuzz                fuzz the report reader, then the BPF loader, FUZZ_SECONDS each (60)'
	@echo '  clean               remove .output and ./iotrace'
	@echo 'V=1 shows the commands'

$(OUT) $(OUT)/loader $(OUT)/src $(OUT)/bpf $(OUT)/asm $(OUT)/tests $(OUT)/tests/asm \
$(OUT)/tests/e2e:
	$(Q)mkdir -p $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(HDRS) | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUT)/tests/asm/%.bpf.o: tests/asm/%.bpf.c $(HDRS) | $(OUT)/tests/asm
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUT)/asm/%.o: asm/%.S $(HDRS) | $(OUT)/asm
	$(call msg,AS,$@)
	$(Q)$(CC) -E -P -x assembler-with-cpp -D__ASSEMBLER__ $(ASFLAGS_BPF) $< -o $(OUT)/asm/$*.s
	$(Q)$(BPF_AS) -o $@ $(OUT)/asm/$*.s

bpf: $(BPF_OBJS) $(ASM_OBJS)

$(OUT)/loader/%.o: loader/%.c $(HDRS) | $(OUT)/loader
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/src/%.o: src/%.c $(HDRS) | $(OUT)/src
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/src/embed.o: src/embed.S $(BPF_OBJS) $(ASM_OBJS) | $(OUT)/src
	$(call msg,EMBED,$@)
	$(Q)$(CC) -c -Wa,-I$(OUT) $< -o $@

$(OUT)/libloader.a: $(LOADER_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# BIN and STATIC change only for the sanitizer build (make test-san)
BIN    ?= iotrace
STATIC ?= -static
$(BIN): $(APP_OBJS) $(OUT)/src/embed.o $(OUT)/libloader.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(STATIC) $(SAN_FLAGS) -o $@ $(APP_OBJS) $(OUT)/src/embed.o $(OUT)/libloader.a $(LDLIBS)

# ---- tests -------------------------------------------------------------
$(OUT)/test-unit: $(UNIT_SRCS) $(OUT)/libloader.a $(APP_LIB_OBJS) | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(UNIT_SRCS) $(APP_LIB_OBJS) $(OUT)/libloader.a -lcriterion $(LDLIBS)

$(OUT)/test-asm: $(ASMT_SRCS) $(OUT)/libloader.a $(ASMT_BPF) $(ASM_OBJS) | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(ASMT_SRCS) $(OUT)/libloader.a -lcriterion $(LDLIBS)

$(OUT)/test-verifier: $(VERT_SRCS) $(OUT)/libloader.a $(BPF_OBJS) $(ASM_OBJS) | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(VERT_SRCS) $(OUT)/libloader.a -lcriterion $(LDLIBS)

# workloads are built plainly even in the sanitizer build: a sanitizer runtime
# in the traced program would do file I/O of its own (/proc/self/maps ...)
TOOL_CFLAGS = -O2 -g -Wall -Wextra -Werror -std=gnu17 -Iinclude -D_GNU_SOURCE
$(OUT)/tests/e2e/%: tests/e2e/tools/%.c | $(OUT)/tests/e2e
	$(call msg,CC,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) -Itests/lib -o $@ $< -lpthread

$(OUT)/test-e2e: $(E2E_SRCS) $(APP_LIB_OBJS) $(OUT)/libloader.a | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(E2E_SRCS) $(APP_LIB_OBJS) $(OUT)/libloader.a -lcriterion $(LDLIBS)

CRITERION_FLAGS ?= --jobs 2

deps:
	$(Q)./tests/lib/install-deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory fmt-check
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory test-unit test-bpf test-e2e
	$(Q)$(MAKE) --no-print-directory test-san
	@# the fuzz targets must keep building (make fuzz runs them)
	$(Q)$(MAKE) --no-print-directory $(OUT)/fuzz-report $(OUT)/fuzz-elf

test-unit: $(OUT)/test-unit
	$(Q)$(OUT)/test-unit $(CRITERION_FLAGS)

test-asm: $(OUT)/test-asm
	$(Q)$(OUT)/test-asm $(CRITERION_FLAGS)

test-verifier: $(OUT)/test-verifier
	$(Q)$(OUT)/test-verifier $(CRITERION_FLAGS)

test-bpf: test-asm test-verifier

test-e2e: $(BIN) $(OUT)/test-e2e $(E2E_TOOLS)
	$(Q)IOTRACE_BIN=$(abspath $(BIN)) $(OUT)/test-e2e $(CRITERION_FLAGS)

# The unit and end-to-end suites again with AddressSanitizer and UBSan, on a
# dynamically linked iotrace (sanitizers need the shared runtime).  A leak in
# iotrace fails the e2e run (LeakSanitizer's exit status); the unit tests'
# own fixtures are not freed, so leak checks are off for them.
SAN_OUT    := .output-san
SAN_FLAGS  ?=
SAN_CFLAGS  = -O1 -g -Wall -Wextra -Werror -Wno-format-truncation -fno-omit-frame-pointer \
	      -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_MAKE    = $(MAKE) --no-print-directory OUT=$(SAN_OUT) BIN=$(SAN_OUT)/iotrace STATIC= \
	      CFLAGS="$(SAN_CFLAGS)" SAN_FLAGS="-fsanitize=address,undefined"
.PHONY: test-san
test-san:
	$(Q)ASAN_OPTIONS=detect_leaks=0 $(SAN_MAKE) test-unit
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(SAN_MAKE) test-e2e

verifier-logs: iotrace
	$(Q)./tests/lib/verifier-logs.sh generate

check-verifier-logs: iotrace
	$(Q)./tests/lib/verifier-logs.sh check

FMT_FILES = $(wildcard include/*.h loader/*.[ch] src/*.[ch] bpf/*.[ch] tests/*/*.[ch])
fmt:
	$(Q)clang-format -i $(FMT_FILES)
fmt-check:
	$(Q)clang-format --dry-run -Werror $(FMT_FILES)

clean:
	$(Q)rm -rf $(OUT) $(SAN_OUT) iotrace

# ---- demo: the README's first command --------------------------------------
.PHONY: demo
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)d=$$(mktemp -d) && \
	dd if=/dev/urandom of=$$d/input bs=64k count=256 status=none && \
	./iotrace -o $$d/dd.json -- dd if=$$d/input of=$$d/copy bs=64k count=256 status=none && \
	echo "result: $$d/dd.json"

# ---- benchmarks (not tests) --------------------------------------------------
.PHONY: bench-attach
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

bench-attach: $(OUT)/attach-bench $(OUT)/tests/bench/attach_tp.bpf.o $(OUT)/tests/bench/attach_raw.bpf.o
	$(Q)$(OUT)/attach-bench

# ---- kernel matrix: the static binary on stock Debian kernels ----------------
# Boots each kernel under qemu (shared/tools/kernel-matrix; kernels are
# downloaded once into /var/cache/kernel-matrix) and runs tests/kernels/
# scenario.sh there: iotrace on a known workload, every result field checked.
.PHONY: test-kernels
KERNELS  ?= host 5.10 6.1 6.12 sid
KM_OUT   ?= $(OUT)/kernels
SMOKE_SRCS := tests/kernels/smoke.c tests/kernels/check.c src/jsonr.c

$(OUT)/tests/kernels:
	$(Q)mkdir -p $@

$(OUT)/tests/kernels/smoke: $(SMOKE_SRCS) $(wildcard tests/kernels/*.h) src/jsonr.h | $(OUT)/tests/kernels
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -static -Itests/kernels -o $@ $(SMOKE_SRCS)

test-kernels: iotrace $(OUT)/tests/kernels/smoke
	$(Q)tests/kernels/matrix_test.sh
	$(Q)tests/kernels/matrix.sh $(abspath iotrace) $(abspath $(OUT)/tests/kernels/smoke) \
		$(abspath $(KM_OUT)) "$(KERNELS)"

# ---- fuzzing (libFuzzer, clang 14 + libclang-rt-14-dev) -----------------------------------
# make fuzz [FUZZ_SECONDS=60]: each target for FUZZ_SECONDS, one after the other:
#   fuzz-report  the report reader (tests/fuzz/report_fuzz.c)
#   fuzz-elf     the BPF loader without a kernel: obj__open_mem + obj__relocate (link, CO-RE
#                against a small BTF and /sys/kernel/btf/vmlinux), and BTF inputs as the vmlinux
# Seeds from tests/fuzz/corpus (report) and tests/fuzz/elf-corpus (elf), new inputs into
# .output/fuzz-corpus[-elf], a crash into .output/fuzz-crash-<target>-*; rerun one with
# .output/fuzz-<target> FILE.
.PHONY: fuzz fuzz-report fuzz-elf
FUZZ_SECONDS ?= 60
FUZZ_SRCS    := tests/fuzz/report_fuzz.c $(wildcard src/report*.c) src/jsonr.c src/json.c \
		src/schema.c src/log.c src/outbuf.c src/opt.c
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

fuzz-report: $(OUT)/fuzz-report
	$(Q)mkdir -p $(OUT)/fuzz-corpus
	$(Q)$(OUT)/fuzz-report $(FUZZ_RUN) -dict=tests/fuzz/report.dict \
		-artifact_prefix=$(OUT)/fuzz-crash-report- $(OUT)/fuzz-corpus tests/fuzz/corpus

# the production objects seed the corpus and are what BTF inputs are relocated
fuzz-elf: $(OUT)/fuzz-elf $(BPF_OBJS) $(ASM_OBJS)
	$(Q)mkdir -p $(OUT)/fuzz-corpus-elf
	$(Q)$(OUT)/fuzz-elf $(FUZZ_RUN) -dict=tests/fuzz/elf.dict -max_len=400000 \
		-artifact_prefix=$(OUT)/fuzz-crash-elf- $(OUT)/fuzz-corpus-elf tests/fuzz/elf-corpus

fuzz:
	$(Q)$(MAKE) --no-print-directory fuzz-report
	$(Q)$(MAKE) --no-print-directory fuzz-elf

# ---- make bench: iotrace against the floor, a hash-paired program and bpftrace ----
# Not a test: prints tables and issue 5's targets from one interleaved run (root, ~10 min).
# bpftrace is the benchmark's own dependency: installed with apt-get when missing.
.PHONY: bench
BENCH_SRCS := $(filter-out tests/bench/attach_bench.c,$(wildcard tests/bench/*.c))
BENCH_SRCS := $(filter-out %.bpf.c,$(BENCH_SRCS))
BENCH_BPF  := $(OUT)/tests/bench/nop.bpf.o $(OUT)/tests/bench/pair.bpf.o

$(OUT)/tests/bench/%.bpf.o: tests/bench/%.bpf.c $(HDRS) | $(OUT)/tests/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@ && $(LLVM_STRIP) -g $@

$(OUT)/overhead-bench: $(BENCH_SRCS) tests/bench/bench.h $(OUT)/libloader.a | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(BENCH_SRCS) $(OUT)/libloader.a $(LDLIBS) -lpthread

bench: iotrace $(OUT)/overhead-bench $(BENCH_BPF)
	$(Q)note=; if ! command -v bpftrace >/dev/null 2>&1; then \
		echo 'bench: bpftrace is missing: installing it (apt-get install bpftrace), a dependency of the benchmark only'; \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null 2>&1 || \
		  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null; }; } && \
		note=' (installed by make bench)' || echo 'bench: bpftrace could not be installed: running without it'; \
	fi; \
	BENCH_BPFTRACE_NOTE="$$note" $(OUT)/overhead-bench ./iotrace
