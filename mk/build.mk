# SPDX-License-Identifier: GPL-2.0
# The binary: BPF C and hand-written asm objects, the loader library, the
# user-space commands, linked static with the BPF objects embedded.

LOADER_SRCS := $(wildcard loader/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(OUT)/loader/%.o,$(LOADER_SRCS))
SRC_DIRS    := cli format report record
APP_SRCS    := src/main.c $(foreach d,$(SRC_DIRS),$(wildcard src/$(d)/*.c))
APP_OBJS    := $(patsubst src/%.c,$(OUT)/src/%.o,$(APP_SRCS))
BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
ASM_SRCS    := $(wildcard asm/*.S)
ASM_OBJS    := $(patsubst asm/%.S,$(OUT)/asm/%.o,$(ASM_SRCS))
HDRS        := $(wildcard include/*.h include/*.def loader/*.h loader/gen/*.h src/*/*.h bpf/*.h \
		 tests/asm/*.h)
# the objects of src/ that tests may link: everything but the command line,
# the embedded objects and the stages that load them
APP_LIB_OBJS = $(filter-out $(addprefix $(OUT)/src/,main.o record/embed.o record/objects.o \
		 record/record.o record/verify.o),$(APP_OBJS))

.PHONY: all bpf
all: iotrace ## build ./iotrace (static, BPF objects embedded)

OUT_DIRS := $(OUT) $(OUT)/src $(OUT)/loader $(OUT)/bpf $(OUT)/asm $(addprefix $(OUT)/src/,$(SRC_DIRS)) \
	    $(OUT)/tests $(OUT)/tests/asm $(OUT)/tests/e2e $(OUT)/host/gen
$(OUT_DIRS):
	$(Q)mkdir -p $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(HDRS) | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUT)/asm/%.o: asm/%.S $(HDRS) | $(OUT)/asm
	$(call msg,AS,$@)
	$(Q)$(CC) -E -P -x assembler-with-cpp -D__ASSEMBLER__ $(ASFLAGS_BPF) $< -o $(OUT)/asm/$*.s
	$(Q)$(BPF_AS) -o $@ $(OUT)/asm/$*.s

bpf: $(BPF_OBJS) $(ASM_OBJS) ## build the BPF C and asm objects only

# The library's only global symbols are its API (what loader.h declares, with
# default visibility): its objects are compiled with hidden visibility, joined
# into one (ld -r) whose hidden symbols become local, so that no internal
# function can clash with a program's own or another library's (libbpf too
# has a sys_bpf_prog_load).  Tests of single stages link LOADER_OBJS instead.
$(OUT)/loader/%.o: loader/%.c $(HDRS) | $(OUT)/loader
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -fvisibility=hidden -c $< -o $@

$(OUT)/src/main.o: src/main.c $(HDRS) | $(OUT)/src
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

define src_dir_rule
$(OUT)/src/$(1)/%.o: src/$(1)/%.c $$(HDRS) | $(OUT)/src/$(1)
	$$(call msg,CC,$$@)
	$$(Q)$$(CC) $$(CFLAGS) -c $$< -o $$@
endef
$(foreach d,$(SRC_DIRS),$(eval $(call src_dir_rule,$(d))))

# the list of embedded objects: a blob line per object this build makes
# (bpf/rw.bpf.o is blob rw), made again when a file is added to or removed
# from bpf/ or asm/ (their directories' times change)
$(OUT)/embedded.inc: bpf/. asm/. mk/build.mk | $(OUT)
	$(Q)for o in $(patsubst $(OUT)/%,%,$(BPF_OBJS) $(ASM_OBJS)); do \
		n=$${o##*/}; printf '\tblob\t%s, "%s"\n' "$${n%%.*}" "$$o"; \
	done > $@.tmp && mv $@.tmp $@

$(OUT)/src/record/embed.o: src/record/embed.S $(OUT)/embedded.inc $(BPF_OBJS) $(ASM_OBJS) | $(OUT)/src/record
	$(call msg,EMBED,$@)
	$(Q)$(CC) -c -Wa,-I$(OUT) $< -o $@


# The skeleton generator (loader/gen/), which writes the typed handles of a
# set of BPF objects as a C header.  It runs on the build host: it is built
# with the host compiler, plainly (never static or sanitized, whatever CFLAGS
# say), on its own build of the loader.
HOSTCC      ?= cc
HOST_CFLAGS ?= -O2 -g -Wall -Wextra -Werror
SKEL_SRCS   := $(wildcard loader/gen/*.c)
HOST_OBJS   := $(patsubst loader/%.c,$(OUT)/host/%.o,$(LOADER_SRCS) $(SKEL_SRCS))
SKEL        := $(OUT)/host/skel

$(OUT)/host/%.o: loader/%.c $(HDRS) | $(OUT)/host/gen
	$(call msg,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -std=gnu17 -Iloader -D_GNU_SOURCE -c $< -o $@

$(SKEL): $(HOST_OBJS)
	$(call msg,HOSTLD,$@)
	$(Q)$(HOSTCC) -o $@ $(HOST_OBJS) $(LDLIBS) -lpthread

$(OUT)/libloader.a: $(LOADER_OBJS)
	$(call msg,AR,$@)
	$(Q)$(LD) -r -o $(OUT)/loader.o $^ && $(OBJCOPY) --localize-hidden $(OUT)/loader.o
	$(Q)rm -f $@ && ar rcs $@ $(OUT)/loader.o

# BIN and STATIC change only for the sanitizer build (make test-san)
BIN    ?= iotrace
STATIC ?= -static
$(BIN): $(APP_OBJS) $(OUT)/src/record/embed.o $(OUT)/libloader.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(STATIC) $(SAN_FLAGS) -o $@ $(APP_OBJS) $(OUT)/src/record/embed.o $(OUT)/libloader.a $(LDLIBS)

.PHONY: clean demo
clean: ## remove .output, .output-san and ./iotrace
	$(Q)rm -rf $(OUT) $(SAN_OUT) iotrace

# the README's first command
demo: deps ## install the build dependencies, build, trace a dd of 16 MiB and report it
	$(Q)$(MAKE) --no-print-directory all
	$(Q)d=$$(mktemp -d) && \
	dd if=/dev/urandom of=$$d/input bs=64k count=256 status=none && \
	./iotrace -o $$d/dd.json -- dd if=$$d/input of=$$d/copy bs=64k count=256 status=none && \
	echo && ./iotrace report -n 5 $$d/dd.json && \
	echo && echo "result: $$d/dd.json (iotrace report --file $$d/copy $$d/dd.json for one file)"
