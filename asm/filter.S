/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tasks and files get traced.  Both routines are leaves: pure
 * arithmetic and loads through their arguments, no call, no stack, one
 * exit, so the loader inlines them at their calls (loader/link.c).  The
 * map lookups filter_task needs (the pids bitmap word, the comms hash) are
 * the caller's, in bpf/filter.bpf.h.
 */
#include "iotrace_abi.h"
	.text
	.globl	filter_task
	.type	filter_task, @function
/*
 * __u64 filter_task(__u64 ids, __u64 word, const char comm[COMM_LEN],
 *                   __u32 mode, const struct comm_list *list)
 *   in:       r1 = self tgid << 32 | tgid
 *             r2 = word tgid / 64 of the pids bitmap, or 0 when the caller
 *                  read none (tgid at or past PID_LIMIT, or no FILTER_PIDS)
 *             r3 = pointer to COMM_LEN initialized bytes, the comm; read
 *                  only with FILTER_COMMS and a list cnt in 1..COMM_LIST_MAX
 *             r4 = mode, FILTER_* bits
 *             r5 = struct comm_list: cnt (u32 at COMM_LIST_CNT), NUL-padded
 *                  names of COMM_LEN bytes from COMM_LIST_NAMES; read only
 *                  with FILTER_COMMS
 *   out:      r0, in order: tgid == self -> FILTER_TASK_NO; FILTER_ALL ->
 *             FILTER_TASK_YES; FILTER_PIDS and bit tgid % 64 of word set ->
 *             YES; FILTER_COMMS: list cnt 0 -> FILTER_TASK_ASK (the caller
 *             looks the comm up in the comms hash), cnt past COMM_LIST_MAX
 *             -> NO, the comm one of the first cnt names -> YES; else NO
 *   bound:    r0 in [0, 2] (constants on every path)
 *   clobbers: r1-r5
 *   stack:    none
 *   cost:     a few instructions, the list two loads and compares per name;
 *             inlined, and with mode a .rodata constant the verifier drops
 *             the branches of the modes not in use.  As a call with its
 *             own pids lookup it cost 10-13 ns more per rejected entry
 *             (bpf_stats, 3 interleaved runs, 6.18)
 */
filter_task:
	mov	%r0, %r1
	rsh	%r0, 32				; self
	mov32	%r1, %r1			; tgid
	jeq	%r1, %r0, .Lfilter_task_no	; our own process
	jset	%r4, FILTER_ALL, .Lfilter_task_yes
	/* pids: bit tgid % 64 of the word the caller read */
	mov	%r0, %r4
	and	%r0, FILTER_PIDS
	jeq	%r0, 0, .Lfilter_task_comms
	and	%r1, 63
	rsh	%r2, %r1
	and	%r2, 1
	jne	%r2, 0, .Lfilter_task_yes
	/* comms: the list, compared in place, when it holds the targets */
.Lfilter_task_comms:
	mov	%r0, %r4
	and	%r0, FILTER_COMMS
	jeq	%r0, 0, .Lfilter_task_no
	ldxw	%r0, [%r5+COMM_LIST_CNT]
	jeq	%r0, 0, .Lfilter_task_ask
	jgt	%r0, COMM_LIST_MAX, .Lfilter_task_no	; bounds the walk below
	ldxdw	%r1, [%r3+0]			; the comm, as two words
	ldxdw	%r2, [%r3+8]
	add	%r5, COMM_LIST_NAMES		; r5 = names[0]
.Lfilter_task_name:
	ldxdw	%r4, [%r5+0]
	jne	%r4, %r1, .Lfilter_task_next
	ldxdw	%r4, [%r5+8]
	jeq	%r4, %r2, .Lfilter_task_yes
.Lfilter_task_next:
	add	%r5, COMM_LEN
	sub	%r0, 1
	jne	%r0, 0, .Lfilter_task_name
.Lfilter_task_no:
	mov	%r0, FILTER_TASK_NO
	ja	.Lfilter_task_out
.Lfilter_task_ask:
	mov	%r0, FILTER_TASK_ASK
	ja	.Lfilter_task_out
.Lfilter_task_yes:
	mov	%r0, FILTER_TASK_YES
.Lfilter_task_out:
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
