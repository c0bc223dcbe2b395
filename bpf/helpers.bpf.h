/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF helper prototypes by id (include/uapi/linux/bpf.h numbering, stable
 * across kernels) and the few macros the handlers share.  No libbpf headers.
 */
#ifndef IOTRACE_HELPERS_BPF_H
#define IOTRACE_HELPERS_BPF_H

#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))
#define __noinline	__attribute__((noinline))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define BPF_ANY	    0
#define BPF_NOEXIST 1

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value,
				   __u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_tail_call)(void *ctx, void *prog_array, __u32 index) = (void *)12;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static long (*bpf_get_current_comm)(void *buf, __u32 size) = (void *)16;
static __u64 (*bpf_get_current_task)(void) = (void *)35;
static long (*bpf_probe_read_user)(void *dst, __u32 size, const void *src) = (void *)112;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size, const void *src) = (void *)113;
static long (*bpf_probe_read_kernel_str)(void *dst, __u32 size, const void *src) = (void *)115;
static long (*bpf_ringbuf_output)(void *rb, void *data, __u64 size, __u64 flags) = (void *)130;
/* 5.11+: the current task as a BTF pointer, its fields read by plain loads */
static void *(*bpf_get_current_task_btf)(void) = (void *)158;
/* 5.17+: the task's mapping holding addr, handed to cb (a static function) */
static long (*bpf_find_vma)(void *task, __u64 addr, void *cb, void *cb_ctx,
			    __u64 flags) = (void *)180;
#define BPF_FUNC_find_vma 180
/* 5.17+: cb(i, ctx) for i in 0..nr-1 (at most 1 << 23), until it returns 1 */
static long (*bpf_loop)(__u32 nr, void *cb, void *ctx, __u64 flags) = (void *)181;

/*
 * Kernel functions (kfuncs), declared weak: the loader turns a call into a
 * kfunc call by its vmlinux BTF id, and `if (!f)` into a constant, so code
 * guarded by it is never verified on a kernel without f (r0 = 0 there).
 * bpf_rdonly_cast (6.2+): a kernel address as a read-only BTF pointer.
 */
#define __ksym_weak __attribute__((weak))
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym_weak;
#define core_type_id_kernel(type) __builtin_btf_type_id(*(type *)0, 1)

/* Accesses the compiler may neither drop, merge nor move across each other. */
#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()	 __asm__ __volatile__("" ::: "memory")

/*
 * CO-RE constants: a field's offset in this kernel's struct, and whether the
 * field exists there (0 or 1, a constant once relocated, so the verifier
 * walks only the branch this kernel takes).
 */
#define FIELD_OFF(type, field)	  __builtin_preserve_field_info(((type *)0)->field, 0)
#define FIELD_EXISTS(type, field) __builtin_preserve_field_info(((type *)0)->field, 2)

/* Read one kernel field (a CO-RE relocated address) into a local, 0 on failure. */
#define KREAD(dst, src)                                                                            \
	do {                                                                                       \
		if (bpf_probe_read_kernel(&(dst), sizeof(dst), &(src)))                            \
			(dst) = 0;                                                                 \
	} while (0)

#endif
