/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequential-access detection on a struct seq_state (iotrace_abi.h), one per
 * (record, direction).  Both routines are branch-free: one verifier path,
 * r0 a [0, 1] range.  Offset arithmetic is plain u64: start + size past
 * UINT64_MAX stores the wrapped value, and a next call starting at that
 * wrapped value counts as sequential.  No saturation, no special case.
 */
#include "iotrace_abi.h"

	.text
	.globl	seq_classify
	.type	seq_classify, @function
/*
 * __u64 seq_classify(struct seq_state *st, __u64 start, __u64 size)
 *   in:       r1 = st, a pointer to SEQ_STATE_SZ readable and writable
 *             bytes (map value or stack), checked at the call site
 *             r2 = start offset of this call
 *             r3 = bytes this call completed
 *   out:      r0 = 1 if start == st->next_off (a fresh zeroed state makes a
 *             first call at offset 0 sequential), else 0
 *   effect:   st->next_off = start + size (mod 2^64), always
 *   bound:    r0 in [0, 1]
 *   clobbers: r2, r3, r4 (r1 still = st; r5 untouched; r6-r9 preserved)
 *   stack:    none
 */
seq_classify:
	/* r4 = next_off ^ start: zero exactly when sequential */
	ldxdw	%r4, [%r1+SEQ_NEXT_OFF]		; st must allow 8 bytes at 0
	xor	%r4, %r2

	/* r0 = (r4 != 0) ^ 1 via (x | -x) >> 63; verifier: [0, 1] */
	mov	%r0, %r4
	neg	%r0
	or	%r0, %r4
	rsh	%r0, 63
	xor	%r0, 1

	/* next_off = start + size, wrapping like u64 */
	add	%r2, %r3
	stxdw	[%r1+SEQ_NEXT_OFF], %r2
	exit
	.size	seq_classify, .-seq_classify

	.globl	seq_rewrite
	.type	seq_rewrite, @function
/*
 * __u64 seq_rewrite(struct seq_state *st, __u64 start)
 *   in:       r1 = st (as for seq_classify), r2 = start offset of this call
 *   out:      r0 = 1 if (st->flags & SEQ_F_HAVE_LAST) and
 *             st->last_start == start, else 0
 *   effect:   st->last_start = start; st->flags |= SEQ_F_HAVE_LAST
 *             (other flag bits kept)
 *   bound:    r0 in [0, 1]
 *   clobbers: r3, r4, r5 (r1 = st, r2 = start kept; r6-r9 preserved)
 *   stack:    none
 */
seq_rewrite:
	ldxdw	%r3, [%r1+SEQ_LAST_START]	; st must allow 8 bytes at 8
	ldxdw	%r5, [%r1+SEQ_FLAGS]		; and at 16

	/* r0 = (last_start == start): (x | -x) >> 63 then ^ 1; [0, 1] */
	xor	%r3, %r2
	mov	%r0, %r3
	neg	%r0
	or	%r0, %r3
	rsh	%r0, 63
	xor	%r0, 1

	/* r4 = (flags & SEQ_F_HAVE_LAST) != 0, [0, 1] for any flag value */
	mov	%r4, %r5
	and	%r4, SEQ_F_HAVE_LAST
	mov	%r3, %r4
	neg	%r3
	or	%r4, %r3
	rsh	%r4, 63
	and	%r0, %r4			; verifier: [0, 1] AND [0, 1]

	/* remember this call */
	stxdw	[%r1+SEQ_LAST_START], %r2
	or	%r5, SEQ_F_HAVE_LAST
	stxdw	[%r1+SEQ_FLAGS], %r5
	exit
	.size	seq_rewrite, .-seq_rewrite
