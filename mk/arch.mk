# SPDX-License-Identifier: GPL-2.0
# The target architecture.  ARCH is the build host's unless given: x86_64
# (amd64) or arm64 (aarch64).  Another architecture than the host's is a
# cross build: Debian's cross compiler (CROSS_COMPILE, aarch64-linux-gnu- for
# arm64) with the target's libelf and zlib from Debian's multiarch packages
# (make deps installs them), into its own output directory
# (.output-arm64) and binary (iotrace-arm64).
#
# The BPF objects are built from the same sources for each architecture:
# what differs (the syscall numbers of asm/unistd.h, open flags of
# asm/fcntl.h, memory ordering) comes from the target's UAPI headers, found
# in /usr/include/<triplet>, and from __TARGET_ARCH_<arch>.

HOST_ARCH := $(patsubst aarch64,arm64,$(shell uname -m))
ARCH      ?= $(HOST_ARCH)
override ARCH := $(patsubst aarch64,arm64,$(patsubst amd64,x86_64,$(ARCH)))

ifeq ($(ARCH),x86_64)
TRIPLET     := x86_64-linux-gnu
BPF_ARCH    := x86
else ifeq ($(ARCH),arm64)
TRIPLET     := aarch64-linux-gnu
BPF_ARCH    := arm64
else
$(error ARCH=$(ARCH): iotrace builds for x86_64 and arm64)
endif

ifneq ($(ARCH),$(HOST_ARCH))
CROSS_COMPILE ?= $(TRIPLET)-
OUT           := .output-$(ARCH)
BIN           ?= iotrace-$(ARCH)
endif
CROSS_COMPILE ?=
BIN           ?= iotrace
# make's own defaults (cc, ld, ar) give way to the cross tools; a CC given
# on the command line or in the environment is kept
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin LD),default)
LD := $(CROSS_COMPILE)ld
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
OBJCOPY ?= $(CROSS_COMPILE)objcopy

# A cross build's compiler must build for the target: a CC from the
# environment could be the host's (checked unless only deps, clean or help
# are asked for, which need no compiler)
ifneq ($(ARCH),$(HOST_ARCH))
ifneq ($(filter-out deps clean help,$(or $(MAKECMDGOALS),all)),)
CC_MACHINE := $(shell $(CC) -dumpmachine 2>/dev/null)
ifeq ($(CC_MACHINE),)
$(error ARCH=$(ARCH): no compiler '$(CC)' (make deps installs $(TRIPLET)-gcc))
endif
ifneq ($(firstword $(subst -, ,$(CC_MACHINE))),$(firstword $(subst -, ,$(TRIPLET))))
$(error ARCH=$(ARCH): CC=$(CC) builds for $(CC_MACHINE), not $(TRIPLET))
endif
endif
endif
