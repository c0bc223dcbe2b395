// SPDX-License-Identifier: GPL-2.0
/*
 * What this kernel's BPF takes, asked by loading a tiny program, once per
 * object and only when a program needs the answer.
 *
 * Atomics beyond add (fetch-and-add, and, or, xor, xchg, cmpxchg) came in
 * 5.12; an older kernel refuses a program holding one anywhere, reachable
 * or not, because it checks every insn's reserved fields before it walks
 * any path.  On such a kernel each of them is poisoned like a missing CO-RE
 * field, and a program that needs them tests a loader feature symbol:
 *
 *   extern const char loader_feature_atomics __attribute__((weak));
 *   if (&loader_feature_atomics) ... cmpxchg ... else ... plain store ...
 *
 * The address is relocated to the constant 1 or 0 (extern.c), so the
 * verifier walks one branch and the poisoned one is dead code.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define FEATURE_PREFIX "loader_feature_"

/*
 * Load a GPL program of prog_type, logging into log (when given), and close
 * it: 0 when the kernel took it, else -errno.
 */
static int probe_load(uint32_t prog_type, const struct bpf_insn *insns, uint32_t cnt, char *log,
		      uint32_t log_sz)
{
	static const char license[] = "GPL";
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = cnt;
	attr.license = (uintptr_t)license;
	if (log) {
		attr.log_level = 1;
		attr.log_buf = (uintptr_t)log;
		attr.log_size = log_sz;
	}
	fd = sys_bpf_prog_load(&attr);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* a socket filter doing a cmpxchg on its stack: loads on 5.12 and later */
static bool probe_atomics(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1 },
		{ .code = BPF_STX | BPF_DW | BPF_MEM, .dst_reg = 10, .src_reg = 1, .off = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 2, .imm = 1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_STX | BPF_DW | BPF_ATOMIC,
		  .dst_reg = 10,
		  .src_reg = 2,
		  .off = -8,
		  .imm = BPF_CMPXCHG },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return !probe_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, sizeof(insns) / sizeof(insns[0]),
			   NULL, 0);
}

bool obj__kernel_atomics(struct obj *o)
{
	if (o->atomics < 0) {
		o->atomics = probe_atomics();
		pr_debug(o->pr, "obj: kernel %s atomics beyond add",
			 o->atomics ? "takes" : "lacks");
	}
	return o->atomics;
}

/* BPF_ATOMIC with anything but a plain add: what kernels before 5.12 refuse */
static bool is_new_atomic(const struct bpf_insn *in)
{
	return BPF_CLASS(in->code) == BPF_STX && BPF_MODE(in->code) == BPF_ATOMIC &&
	       in->imm != BPF_ADD;
}

static const char *atomic_name(int32_t imm)
{
	switch (imm) {
	case BPF_CMPXCHG:
		return "atomic cmpxchg";
	case BPF_XCHG:
		return "atomic xchg";
	case BPF_ADD | BPF_FETCH:
		return "atomic fetch-and-add";
	default:
		return "atomic and/or/xor";
	}
}

int prog__poison_atomics(struct obj *o, struct prog *p)
{
	size_t i;
	int err;

	for (i = 0; i < p->insn_cnt; i++) {
		if (!is_new_atomic(&p->insns[i]) || obj__kernel_atomics(o))
			continue;
		err = prog__poison(p, i, atomic_name(p->insns[i].imm),
				   "is not supported by this kernel (5.12 and later)");
		if (err)
			return err;
	}
	return 0;
}

/*
 * The value of loader feature symbol name: 0 when it is not one
 * (*val untouched), 1 with *val 0 or 1, -EINVAL for an unknown feature.
 */
int obj__feature_value(struct obj *o, const char *name, int *val)
{
	if (strncmp(name, FEATURE_PREFIX, strlen(FEATURE_PREFIX)))
		return 0;
	if (!strcmp(name + strlen(FEATURE_PREFIX), "atomics")) {
		*val = obj__kernel_atomics(o);
		return 1;
	}
	pr_warn(o->pr, "obj: unknown loader feature '%s'", name);
	return -EINVAL;
}

/*
 * A program of prog_type that calls the helper with no arguments set: a
 * kernel without it refuses the call itself ("invalid func unknown#N";
 * for a helper of other program types "unknown func" or "program of this
 * type cannot use helper"), one with it refuses an argument, or loads it.
 */
int loader_has_helper(uint32_t prog_type, uint32_t func_id)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = (int32_t)func_id },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096] = "";
	int err = probe_load(prog_type, insns, sizeof(insns) / sizeof(insns[0]), log, sizeof(log));

	if (!err)
		return 1;
	if (strstr(log, "invalid func ") || strstr(log, "unknown func ") ||
	    strstr(log, "cannot use helper "))
		return 0;
	return log[0] ? 1 : err; /* refused for another reason: an argument */
}
