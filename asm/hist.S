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

/*
 * The body of hist_bucket, also expanded inside lat_bucket (which must not
 * call it: a routine that calls is no leaf, and the loader inlines only
 * leaves):
 *   in:       r1 = v
 *   out:      r0 = min(bit length of v, HIST_LAST), verifier umax 63
 *   clobbers: r1, r2, r3 (r4, r5 untouched)
 */
	.macro	hist_bucket_body
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
	 * Relies on HIST_BUCKETS == 64 (pinned in src/record/abi_check.c).
	 */
	mov	%r2, %r0
	rsh	%r2, 6			; 1 only for 64
	sub	%r0, %r2
	and	%r0, HIST_LAST		; verifier: r0 in [0, 63]
	.endm

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
	hist_bucket_body
	exit
	.size	hist_bucket, .-hist_bucket

	.globl	lat_bucket
	.type	lat_bucket, @function
/*
 * __u32 lat_bucket(__u64 v)
 *   in:       r1 = v (any 64-bit value, a latency in ns)
 *   out:      r0 = the latency bucket of v, as defined next to LAT_BUCKETS
 *             in include/iotrace_abi.h:
 *               v < 4: v
 *               else, k = bit length(v) - 1, sub = (v >> (k - 2)) & 3:
 *               min(4 * (k - 1) + sub, LAT_LAST)
 *             0..7 -> 0..7, 8..9 -> 8, 1000 -> 35, 1024 -> 36,
 *             (7 << 38) - 1 -> 158, >= 7 << 38 -> 159
 *   bucket:   idx < 4: [idx, idx]; else k = idx / 4 + 1, sub = idx % 4:
 *             [(4 + sub) << (k - 2), ((5 + sub) << (k - 2)) - 1], except
 *             LAT_LAST: [7 << 38, UINT64_MAX]
 *   bound:    r0 <= LAT_LAST (159), i.e. r0 < LAT_BUCKETS, visible to the
 *             verifier on both paths to the exit: path 1 umax 159,
 *             var_off=(0x0; 0xff); path 2 (the clamp) the constant 159
 *   clobbers: r1-r4 (r5 untouched; r6-r9 preserved)
 *   stack:    none
 *   calls:    none: hist_bucket's body is expanded here (hist_bucket_body),
 *             so lat_bucket is a leaf the loader inlines at its calls.  A
 *             program left with no BPF-to-BPF call may also tail-call on
 *             every JIT: arm64 before 6.0 refuses the mix.
 *   loops:    none; 9 insns + hist_bucket's body (60) on either path
 *
 * With s = max(bit length(v) - 3, 0) = bit length(v >> 3):
 *   idx = 4 * s + (v >> s)
 * v < 8: s = 0, idx = v.  v >= 8 with k = bit length(v) - 1: s = k - 2,
 * v >> s = 4 + sub in [4, 7], idx = 4 * (k - 2) + 4 + sub = 4 * (k - 1) + sub.
 * v >> s < 8 always, so masking it with 7 changes nothing.  The 3, 7 and
 * 2 below are LAT_SUB_BITS + 1, (2 << LAT_SUB_BITS) - 1 and LAT_SUB_BITS,
 * pinned in src/record/abi_check.c.
 */
lat_bucket:
	mov	%r4, %r1		; v, which hist_bucket_body leaves alone in r4

	/* s = bit length(v >> 3): v >> 3 < 2^61, so no clamp; s <= 61 */
	rsh	%r1, 3
	hist_bucket_body		; r0 = s, verifier: var_off=(0x0; 0x3f)

	/* idx = 4 * s + ((v >> s) & 7); verifier: [0, 252] + [0, 7] */
	rsh	%r4, %r0		; variable shift: r4 unknown to the verifier
	and	%r4, 7			; a no-op on the value, verifier: [0, 7]
	lsh	%r0, 2			; verifier: var_off=(0x0; 0xfc), umax 252
	add	%r0, %r4		; verifier: r0 in [0, 259]

	/*
	 * Clamp to LAT_LAST: s >= 39 (v >= 7 << 38) gives idx in [160, 251].
	 * No AND can express 159, and no branch-free min keeps the bound (the
	 * verifier ranges the terms independently), so one jgt.  The verifier
	 * pushes the taken side and walks the fall-through first: the caller
	 * goes on with r0 in [0, 159] and records its states; the clamp path
	 * (r0 = 159, inside that range) comes next and is pruned at the first
	 * caller checkpoint whose recorded state covers it.  One exit, the
	 * last insn (a leaf's shape): the fall-through jumps to it.
	 */
	jgt	%r0, LAT_LAST, .Llat_bucket_clamp
	ja	.Llat_bucket_done	; path 1, walked first: r0 in [0, 159]
.Llat_bucket_clamp:
	mov	%r0, LAT_LAST		; path 2: r0 = 159 (const)
.Llat_bucket_done:
	exit
	.size	lat_bucket, .-lat_bucket
