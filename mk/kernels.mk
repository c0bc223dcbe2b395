# SPDX-License-Identifier: GPL-2.0
# The kernel matrix: the static binary on stock Debian kernels under qemu,
# booted by the repository's own runner (tests/kernels/vm/, see
# tests/kernels/README.md).  Kernels are downloaded once into KM_CACHE
# (default /var/cache/kernel-matrix); missing host tools (qemu, cpio) are
# installed with apt-get.  Each kernel runs tests/kernels/scenario.sh: iotrace
# on a known workload, every field of the result checked.  The no-qemu checks
# of matrix.sh and of the runner's parts run first.

.PHONY: test-kernels
KERNELS  ?= host 5.10 6.1 6.12 sid
KM_OUT   ?= $(OUT)/kernels
SMOKE_SRCS := tests/kernels/smoke.c tests/kernels/check.c tests/lib/model.c src/format/jsonr.c

# static and plain even in the sanitizer build (make test-san runs it from test-e2e too)
SMOKE_CFLAGS = -O2 -g -Wall -Wextra -Werror -std=gnu17 -Iinclude -Isrc -D_GNU_SOURCE

$(OUT)/tests/kernels:
	$(Q)mkdir -p $@

$(OUT)/tests/kernels/smoke: $(SMOKE_SRCS) $(wildcard tests/kernels/*.h) tests/lib/model.h src/format/jsonr.h | $(OUT)/tests/kernels
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SMOKE_CFLAGS) -static -Itests/kernels -Itests/lib -o $@ $(SMOKE_SRCS)

# deps first, as for make test: the build needs it, and the result validator
# needs python3-jsonschema
test-kernels: deps ## the static binary on Debian 5.10, 6.1, 6.12, sid under qemu (KERNELS=...)
	$(Q)$(MAKE) --no-print-directory iotrace $(OUT)/tests/kernels/smoke
	$(Q)tests/kernels/matrix_test.sh
	$(Q)tests/kernels/vm/deps.sh
	$(Q)tests/kernels/vm_test.sh
	$(Q)tests/kernels/matrix.sh $(abspath iotrace) $(abspath $(OUT)/tests/kernels/smoke) \
		$(abspath $(KM_OUT)) "$(KERNELS)"
