# SPDX-License-Identifier: GPL-2.0
# The test suites (Criterion): unit (no kernel), asm and verifier (in the
# kernel), e2e (the static binary on workloads with known ground truth),
# the sanitizer build, formatting and the verifier logs.

# docval.c validates result documents and model.c is the ground truth they are
# compared with: only the suites that read documents link them
LIB_SRCS    := $(filter-out tests/lib/docval.c tests/lib/model.c,$(wildcard tests/lib/*.c))
UNIT_SRCS   := $(wildcard tests/unit/*.c) $(wildcard tests/lib/*.c)
# the loader's own tests link the library alone (and require_bpf), and the
# skeleton generator's header writer (skel_test.c)
LOADT_SRCS  := $(wildcard tests/loader/*.c) tests/lib/bpf_test.c loader/gen/emit.c
ASMT_SRCS   := $(filter-out %.bpf.c,$(wildcard tests/asm/*.c)) $(LIB_SRCS)
ASMT_BPF    := $(patsubst tests/asm/%.bpf.c,$(OUT)/tests/asm/%.bpf.o,$(wildcard tests/asm/*.bpf.c))
VERT_SRCS   := $(filter-out %.bpf.c,$(wildcard tests/verifier/*.c)) $(LIB_SRCS)
E2E_SRCS    := $(wildcard tests/e2e/*_test.c) $(wildcard tests/lib/*.c)
E2E_TOOLS   := $(patsubst tests/e2e/tools/%.c,$(OUT)/tests/e2e/%,$(wildcard tests/e2e/tools/*.c))
TEST_CFLAGS  = $(CFLAGS) -Itests/lib -DOUT_DIR='"$(abspath $(OUT))"' -DSRC_DIR='"$(abspath .)"'
CRITERION_FLAGS ?= --jobs 2

.PHONY: test-syscalls
# every syscall of include/syscalls.def has a number on each architecture
# (the arm64 UAPI headers come from linux-libc-dev-arm64-cross); then the
# check itself must fail on a table with a syscall no architecture has
SYSCALL_ARCHES := x86_64:/usr/include/x86_64-linux-gnu arm64:/usr/aarch64-linux-gnu/include
test-syscalls: ## every syscall of include/syscalls.def has a number on x86_64 and arm64
	$(Q)for a in $(SYSCALL_ARCHES); do \
		tests/lib/syscall-numbers.sh $${a%%:*} $${a#*:} || exit 1; \
	done
	$(Q)d=$$(mktemp -d) && cp include/syscalls.def $$d/ && \
		echo 'X(nosuch, nosuch, 1, SC_KIND_READ, 0, OUT_NONE, ARG_NONE, OFF_NONE)' >> $$d/syscalls.def && \
		if SYSCALLS_DIR=$$d tests/lib/syscall-numbers.sh arm64 /usr/aarch64-linux-gnu/include \
			> $$d/out 2>&1 || ! grep -q '^  nosuch$$' $$d/out; then \
			echo "test-syscalls: a syscall without a number went unnoticed" >&2; cat $$d/out >&2; \
			rm -rf $$d; exit 1; \
		fi; rm -rf $$d; echo "syscall-numbers: a syscall without a number is named: ok"

.PHONY: test test-unit test-loader test-validator test-asm test-verifier test-bpf test-e2e \
	test-san deps \
	verifier-logs check-verifier-logs fmt fmt-check

deps: ## install build and test dependencies (apt)
	$(Q)./tests/lib/install-deps.sh

test: deps ## deps, fmt-check, then every suite: unit, bpf, e2e, install, san; builds arm64 and the fuzz targets
	$(Q)$(MAKE) --no-print-directory fmt-check
	$(Q)$(MAKE) --no-print-directory test-syscalls
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 all
	$(Q)$(MAKE) --no-print-directory test-unit test-bpf test-e2e test-install
	$(Q)$(MAKE) --no-print-directory test-san
	@# the fuzz targets must keep building (make fuzz runs them)
	$(Q)$(MAKE) --no-print-directory $(OUT)/fuzz-report $(OUT)/fuzz-elf

$(OUT)/tests/asm/%.bpf.o: tests/asm/%.bpf.c $(HDRS) | $(OUT)/tests/asm
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUT)/test-unit: $(UNIT_SRCS) $(OUT)/libloader.a $(APP_LIB_OBJS) | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(UNIT_SRCS) $(APP_LIB_OBJS) $(OUT)/libloader.a -lcriterion $(LDLIBS)

# the skeleton of the link fixtures, which skel_test.c compiles
$(OUT)/tests/link.skel.h: $(SKEL) tests/fixtures/link_c.bpf.o tests/fixtures/link_asm.o | $(OUT)/tests
	$(call msg,SKEL,$@)
	$(Q)$(SKEL) link tests/fixtures/link_c.bpf.o tests/fixtures/link_asm.o > $@.tmp && mv $@.tmp $@

# the stages' own functions: the objects, not the archive (which keeps the API only)
$(OUT)/test-loader: $(LOADT_SRCS) $(wildcard tests/loader/*.h) $(LOADER_OBJS) $(OUT)/tests/link.skel.h \
		    | $(OUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(LOADT_SRCS) $(LOADER_OBJS) -lcriterion $(LDLIBS) -lpthread

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

test-unit: $(OUT)/test-unit $(OUT)/test-loader test-validator ## unit tests: the tool's (no kernel), test-loader, test-validator
	$(Q)$(OUT)/test-unit $(CRITERION_FLAGS)
	$(Q)$(OUT)/test-loader $(CRITERION_FLAGS)

test-loader: $(OUT)/test-loader ## the loader library alone: ELF checks, linking, CO-RE (its load and attach cases need root)
	$(Q)$(OUT)/test-loader $(CRITERION_FLAGS)

# The validator of result documents, which the unit and e2e suites run on
# every document they check, against its table of broken documents
test-validator: ## tests/lib/validate-result: broken documents rejected by name, valid ones accepted
	$(Q)python3 tests/unit/validate_result_test.py

test-asm: $(OUT)/test-asm ## the asm routines in the kernel against C references (root, BTF)
	$(Q)$(OUT)/test-asm $(CRITERION_FLAGS)

test-verifier: $(OUT)/test-verifier ## every production program loads; contract and growth checks
	$(Q)$(OUT)/test-verifier $(CRITERION_FLAGS)

test-bpf: test-asm test-verifier ## test-asm and test-verifier

test-e2e: $(BIN) $(OUT)/test-e2e $(E2E_TOOLS) $(OUT)/tests/kernels/smoke ## ./iotrace on workloads with known ground truth
	$(Q)IOTRACE_BIN=$(abspath $(BIN)) $(OUT)/test-e2e $(CRITERION_FLAGS)

# make install as a packager runs it (DESTDIR, and as nobody when run as root)
.PHONY: test-install
test-install: iotrace ## make install/uninstall into a staging directory; both man pages render
	$(Q)MAKE="$(MAKE)" ./tests/e2e/install_test.sh

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
test-san: ## test-unit and test-e2e again under ASan + UBSan (dynamic iotrace)
	$(Q)ASAN_OPTIONS=detect_leaks=0 $(SAN_MAKE) test-unit
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(SAN_MAKE) test-e2e

check-verifier-logs: iotrace ## fail if processed insns grew >10% against the committed logs
	$(Q)./tests/lib/verifier-logs.sh check

FMT_FILES = $(wildcard include/*.h loader/*.[ch] loader/gen/*.[ch] src/*.[ch] src/*/*.[ch] bpf/*.[ch] tests/*/*.[ch])
fmt: ## clang-format the tree
	$(Q)clang-format -i $(FMT_FILES)
fmt-check: ## check the formatting (clang-format --dry-run)
	$(Q)clang-format --dry-run -Werror $(FMT_FILES)
