/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hist_bucket: the log2 bucket of a size or offset, as defined next to
 * HIST_BUCKETS in include/iotrace_abi.h.  A branch-free binary search over
 * the bit length, so the verifier walks one path and sees r0 as a range,
 * never as 64 separate constants (see asm/README.md, "Why branch-free").
 */
#include "iotrace_abi.h"

/*
 * Nonzero-to-one, used by every step below:
 *   (x | -x) >> 63 == (x != 0)  for every 64-bit x
 * x == 0 gives 0; 0 < x < 2^63 makes -x >= 2^63; x >= 2^63 has bit 63 set
 * already.  The logical shift by 63 lets the verifier see [0, 1].
 */

	.text
	.globl	hist_bucket
	.type	hist_bucket, @function
/*
 * __u32 hist_bucket(__u64 v)
 *   in:       r1 = v (any 64-bit value)
 *   out:      r0 = min(bit length of v, HIST_LAST); 0 -> 0, 1 -> 1,
 *             2..3 -> 2, 4096 -> 13, 65536 -> 17, >= 2^62 -> 63
 *   bound:    r0 <= HIST_LAST (63), i.e. r0 < HIST_BUCKETS, visible to the
 *             verifier as umax_value 63 on the single exit path
 *   clobbers: r1, r2, r3 (r4, r5 untouched; r6-r9 preserved)
 *   stack:    none
 *   loops:    none; 6 unrolled steps, 61 insns on one path
 *
 * Step k (k = 32, 16, 8, 4, 2, 1) with r1 holding the bits not yet counted:
 *   r3 = ((r1 >> k) != 0) * k;  r1 >>= r3;  r0 += r3
 * After the six steps r1 is 0 or 1 and r0 + r1 is the bit length (0..64).
 */
hist_bucket:
	mov	%r0, 0			; r0: bits counted so far, const 0

	/* k = 32: r3 in {0, 32}; r0 in [0, 32] */
	mov	%r2, %r1
	rsh	%r2, 32			; r2 = v >> 32
	mov	%r3, %r2
	neg	%r3
	or	%r3, %r2
	rsh	%r3, 63			; r3 = (r2 != 0), verifier: [0, 1]
	lsh	%r3, 5			; r3 in {0, 32}, verifier: umax 32
	rsh	%r1, %r3		; variable shift: r1 becomes unknown, r0 does not care
	add	%r0, %r3

	/* k = 16: r0 in [0, 48] */
	mov	%r2, %r1
	rsh	%r2, 16
	mov	%r3, %r2
	neg	%r3
	or	%r3, %r2
	rsh	%r3, 63			; [0, 1]
	lsh	%r3, 4			; umax 16
	rsh	%r1, %r3
	add	%r0, %r3

	/* k = 8: r0 in [0, 56] */
	mov	%r2, %r1
	rsh	%r2, 8
	mov	%r3, %r2
	neg	%r3
	or	%r3, %r2
	rsh	%r3, 63			; [0, 1]
	lsh	%r3, 3			; umax 8
	rsh	%r1, %r3
	add	%r0, %r3

	/* k = 4: r0 in [0, 60] */
	mov	%r2, %r1
	rsh	%r2, 4
	mov	%r3, %r2
	neg	%r3
	or	%r3, %r2
	rsh	%r3, 63			; [0, 1]
	lsh	%r3, 2			; umax 4
	rsh	%r1, %r3
	add	%r0, %r3

	/* k = 2: r0 in [0, 62] */
	mov	%r2, %r1
	rsh	%r2, 2
	mov	%r3, %r2
	neg	%r3
	or	%r3, %r2
	rsh	%r3, 63			; [0, 1]
	lsh	%r3, 1			; umax 2
	rsh	%r1, %r3
	add	%r0, %r3

	/* k = 1: r0 in [0, 63] */
	mov	%r2, %r1
	rsh	%r2, 1
	mov	%r3, %r2
	neg	%r3
	or	%r3, %r2
	rsh	%r3, 63			; [0, 1], the shift amount itself
	rsh	%r1, %r3
	add	%r0, %r3

	/*
	 * r1 is now 0 or 1 (the leading bit, if any); the verifier does not
	 * know that, so mask it: r0 = bit length in [0, 64].
	 */
	and	%r1, 1
	add	%r0, %r1

	/*
	 * Clamp 64 (v >= 2^63) to HIST_LAST without a branch:
	 *   r0 - (r0 >> 6) maps 64 -> 63 and leaves 0..63 alone;
	 * the final AND is a no-op on the value and is what gives the
	 * verifier r0 in [0, 63] (a SUB of ranges would lose the bound).
	 * Relies on HIST_BUCKETS == 64 (pinned in src/abi_check.c).
	 */
	mov	%r2, %r0
	rsh	%r2, 6			; 1 only for 64
	sub	%r0, %r2
	and	%r0, HIST_LAST		; verifier: r0 in [0, 63]
	exit
	.size	hist_bucket, .-hist_bucket
