/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tasks and files get traced.  filter_task looks the task up in the
 * `pids` bitmap (an array map) and the `comms` hash map, defined in C
 * (bpf/maps.bpf.h, and in the test harness) and bound by name:
 * `lddw %rN, pids` leaves an R_BPF_64_64 relocation against an undefined
 * symbol that the loader turns into the map fd.  filter_file is pure
 * arithmetic on two kernel fields.
 */
#include "iotrace_abi.h"

#define BPF_FUNC_map_lookup_elem	1

	.text
	.globl	filter_task
	.type	filter_task, @function
/*
 * __u64 filter_task(__u32 tgid, const char comm[COMM_LEN], __u32 self,
 *                   __u32 mode, const struct comm_list *list)
 *   in:       r1 = tgid (only the low 32 bits are used)
 *             r2 = pointer to COMM_LEN initialized bytes, the comms key;
 *                  read only when mode has FILTER_COMMS (the caller stack
 *                  is fine: the verifier checks it at the call site)
 *             r3 = self tgid, never traced (low 32 bits used)
 *             r4 = mode, FILTER_* bits
 *             r5 = struct comm_list: cnt (u32 at COMM_LIST_CNT) NUL-padded
 *                  names of COMM_LEN bytes from COMM_LIST_NAMES; read only
 *                  with FILTER_COMMS; cnt 0 means "look in the comms hash",
 *                  cnt > COMM_LIST_MAX matches nothing
 *   out:      r0 = 1 if the task is traced, else 0. In order:
 *             tgid == self -> 0; FILTER_ALL -> 1; FILTER_PIDS, tgid below
 *             PID_LIMIT and its bit set in pids -> 1; FILTER_COMMS and
 *             comm one of the list's first cnt names (cnt > 0) or, cnt 0,
 *             in comms -> 1; else 0
 *   bound:    r0 in [0, 1] (constants on every exit)
 *   clobbers: r1-r5 (helper calls); r6-r8 used and, being this frame's
 *             own, invisible to the caller (r6-r9 preserved)
 *   stack:    r10-4: u32 pids key (tgid / 64), r10-8: u32 tgid; 8 bytes
 *   maps:     pids  (array of PID_WORDS, key u32 word index, value u64)
 *             comms (hash, key char[COMM_LEN], value u32)
 *   helpers:  map_lookup_elem (1), at most twice
 *   cost:     the pids bit is an inlined array lookup (the hash it replaced
 *             cost about 20 ns per call, bpf_stats, 6.18); the list costs
 *             two loads and compares per name; a comms
 *             hash lookup (jhash of 16 bytes, a bucket walk) measured about
 *             60 ns more per rejected call (bpf_stats, 6.18)
 */
filter_task:
	/* u32 contract: drop whatever the caller left in the high halves */
	mov32	%r1, %r1
	mov32	%r3, %r3
	jeq	%r1, %r3, .Lfilter_task_no	; our own process
	jset	%r4, FILTER_ALL, .Lfilter_task_yes

	/* keep comm, mode and list across the helper call (r1-r5 die there) */
	mov	%r6, %r2
	mov	%r7, %r4
	mov	%r8, %r5

	/* pids: bit tgid % 64 of word tgid / 64 (an array lookup, inlined) */
	mov	%r5, %r7
	and	%r5, FILTER_PIDS
	jeq	%r5, 0, .Lfilter_task_comms
	jge	%r1, PID_LIMIT, .Lfilter_task_comms	; no such tgid on 64-bit
	stxw	[%r10+-8], %r1			; the tgid, for the bit after the call
	rsh	%r1, PID_WORD_SHIFT
	stxw	[%r10+-4], %r1
	lddw	%r1, pids
	mov	%r2, %r10
	add	%r2, -4				; r2 = fp-4, 4 initialized bytes
	call	BPF_FUNC_map_lookup_elem
	jeq	%r0, 0, .Lfilter_task_comms	; not reached: the word exists
	ldxdw	%r0, [%r0+0]
	ldxw	%r1, [%r10+-8]
	and	%r1, 63
	rsh	%r0, %r1
	and	%r0, 1
	jne	%r0, 0, .Lfilter_task_yes

	/* comms: the list, compared in place, when it holds the targets */
.Lfilter_task_comms:
	mov	%r5, %r7
	and	%r5, FILTER_COMMS
	jeq	%r5, 0, .Lfilter_task_no
	ldxw	%r0, [%r8+COMM_LIST_CNT]
	jeq	%r0, 0, .Lfilter_task_hash
	jgt	%r0, COMM_LIST_MAX, .Lfilter_task_no	; bounds the walk below
	ldxdw	%r1, [%r6+0]			; the comm, as two words
	ldxdw	%r2, [%r6+8]
	mov	%r3, %r8
	add	%r3, COMM_LIST_NAMES		; r3 = names[0]
.Lfilter_task_name:
	ldxdw	%r4, [%r3+0]
	jne	%r4, %r1, .Lfilter_task_next
	ldxdw	%r4, [%r3+8]
	jeq	%r4, %r2, .Lfilter_task_yes
.Lfilter_task_next:
	add	%r3, COMM_LEN
	sub	%r0, 1
	jne	%r0, 0, .Lfilter_task_name
	ja	.Lfilter_task_no

	/* comms lookup: r2 = caller comm buffer, COMM_LEN bytes checked here */
.Lfilter_task_hash:
	lddw	%r1, comms
	mov	%r2, %r6
	call	BPF_FUNC_map_lookup_elem
	jne	%r0, 0, .Lfilter_task_yes

.Lfilter_task_no:
	mov	%r0, 0
	exit
.Lfilter_task_yes:
	mov	%r0, 1
	exit
	.size	filter_task, .-filter_task

	.globl	filter_file
	.type	filter_file, @function
/*
 * __u64 filter_file(__u32 i_mode, __u64 s_flags)
 *   in:       r1 = inode->i_mode, r2 = inode->i_sb->s_flags
 *   out:      r0 = 1 for a regular file on a mount that is not internal:
 *             (i_mode & IOT_S_IFMT) == IOT_S_IFREG and
 *             !(s_flags & IOT_SB_KERNMOUNT); else 0
 *   bound:    r0 in [0, 1] (constants on every exit)
 *   clobbers: r1 (r2-r5 untouched; r6-r9 preserved)
 *   stack:    none
 */
filter_file:
	mov	%r0, 0
	and	%r1, IOT_S_IFMT			; also drops any high bits
	jne	%r1, IOT_S_IFREG, 1f
	jset	%r2, IOT_SB_KERNMOUNT, 1f	; memfd, pipe, socket: no record
	mov	%r0, 1
1:	exit
	.size	filter_file, .-filter_file
