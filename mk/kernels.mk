# SPDX-License-Identifier: GPL-2.0
# The kernel matrix: the static binary on stock Debian kernels under qemu,
# booted by the repository's own runner (tests/kernels/vm/, see
# tests/kernels/README.md), for x86_64 (./iotrace) and arm64 (./iotrace-arm64,
# cross-built).  Kernels are downloaded once into KM_CACHE (default
# /var/cache/kernel-matrix); missing host tools (qemu, cpio) are installed
# with apt-get.  Each kernel runs tests/kernels/scenario.sh: iotrace on a
# known workload, every field of the result checked, and the verifier's work
# against the committed logs.  The no-qemu checks of matrix.sh and of the
# runner's parts run first.  The matrix runs on an x86_64 host.

.PHONY: test-kernels
KERNELS       ?= host 5.10 6.1 6.12 sid
KERNELS_ARM64 ?= 5.10 6.1 6.12 sid
KM_OUT        ?= $(OUT)/kernels
SMOKE_SRCS := tests/kernels/smoke.c tests/kernels/check.c tests/lib/model.c src/format/jsonr.c
ARM64_OUT  := .output-arm64

# static and plain even in the sanitizer build (make test-san runs it from test-e2e too)
SMOKE_CFLAGS = -O2 -g -Wall -Wextra -Werror -std=gnu17 -Iinclude -Isrc -D_GNU_SOURCE
# matrix ARCH IOTRACE SMOKE KERNELS: one architecture's table, under $(KM_OUT)/ARCH
km_matrix = KM_ARCH=$(1) tests/kernels/matrix.sh $(abspath $(2)) $(abspath $(3)) \
	$(abspath $(KM_OUT))/$(1) "$(4)"

$(OUT)/tests/kernels:
	$(Q)mkdir -p $@

$(OUT)/tests/kernels/smoke: $(SMOKE_SRCS) $(wildcard tests/kernels/*.h) tests/lib/model.h src/format/jsonr.h | $(OUT)/tests/kernels
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SMOKE_CFLAGS) -static -Itests/kernels -Itests/lib -o $@ $(SMOKE_SRCS)

# deps first, as for make test: the build needs it, and the result validator
# needs python3-jsonschema.  Both architectures' tables are printed; the
# verdict is the worse of the two (1 a failure, 3 a kernel not run).
test-kernels: deps ## the static binaries on Debian 5.10, 6.1, 6.12, sid, x86_64 and arm64, under qemu
	$(Q)[ "$(HOST_ARCH)" = x86_64 ] || { echo "test-kernels: runs on an x86_64 host" >&2; exit 2; }
	$(Q)$(MAKE) --no-print-directory iotrace $(OUT)/tests/kernels/smoke
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 all $(ARM64_OUT)/tests/kernels/smoke
	$(Q)tests/kernels/matrix_test.sh
	$(Q)tests/kernels/vm/deps.sh && KM_ARCH=arm64 tests/kernels/vm/deps.sh
	$(Q)tests/kernels/vm_test.sh
	$(Q)rc=0; \
	$(call km_matrix,amd64,iotrace,$(OUT)/tests/kernels/smoke,$(KERNELS)) || rc=$$?; \
	$(call km_matrix,arm64,iotrace-arm64,$(ARM64_OUT)/tests/kernels/smoke,$(KERNELS_ARM64)) || \
		{ r=$$?; [ $$rc = 1 ] || rc=$$r; }; \
	exit $$rc

# The verifier's view of every program on the host's kernel and on every
# kernel of the matrix (logged in the guests by scenario.sh), committed under
# verifier-logs/<arch>/<release>/, and the table across them all
# (verifier-logs/kernels.md).  The matrix's own verdict does not stop it: a
# program whose verification grew is what the new logs are for.
.PHONY: verifier-logs
verifier-logs: deps ## verifier-logs/<arch>/<release>/ on the host and every matrix kernel, and kernels.md
	$(Q)$(MAKE) --no-print-directory iotrace
	$(Q)./tests/lib/verifier-logs.sh generate
	$(Q)$(MAKE) --no-print-directory test-kernels KERNELS="$(filter-out host,$(KERNELS))" \
		KM_OUT=$(OUT)/kernels-vlogs || true
	$(Q)./tests/lib/verifier-logs.sh import-matrix $(OUT)/kernels-vlogs
	$(Q)./tests/lib/verifier-logs.sh table
