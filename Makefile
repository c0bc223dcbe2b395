# SPDX-License-Identifier: GPL-2.0
# bpf-iotrace: one static binary with its BPF objects embedded.
#   make            build ./iotrace
#   make test       install build and test dependencies, then every test suite
#   make help       every target
#   make install    the binary, man pages and completions (PREFIX, DESTDIR)
#   make ARCH=arm64  cross-build ./iotrace-arm64 (make deps installs the cross tools)
# The rules live in mk/, one fragment per concern: arch.mk (the target
# architecture), build.mk (the binary and its BPF objects), test.mk,
# bench.mk, fuzz.mk, kernels.mk, install.mk.

.DELETE_ON_ERROR:
.SUFFIXES:
.DEFAULT_GOAL := all

OUT        := .output
CLANG      ?= clang
LLVM_STRIP ?= llvm-strip
BPF_AS     ?= bpf-as
include mk/arch.mk

CFLAGS     ?= -O2 -g -Wall -Wextra -Werror
override CFLAGS += -std=gnu17 -Iinclude -Iloader -Isrc -I$(OUT) -D_GNU_SOURCE
BPF_CFLAGS ?= -O2 -g -Wall -Werror
BPF_CFLAGS += -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) -Iinclude -Ibpf -I/usr/include/$(TRIPLET)
ASFLAGS_BPF = -Iinclude
LDLIBS     := -lelf -lz

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif

include mk/build.mk
include mk/test.mk
include mk/bench.mk
include mk/fuzz.mk
include mk/kernels.mk
include mk/install.mk

# Every target that has a "## text" after its prerequisites is listed here.
.PHONY: help
help: ## this list
	@echo 'targets (V=1 shows the commands):'
	@grep -h -E '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | \
		sed -E 's/^([^:]+):.*## (.*)$$/\1|\2/' | awk -F'|' '{ printf "  %-20s %s\n", $$1, $$2 }'
