/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF objects, embedded whole (.incbin, searched in .output/ through
 * -Wa,-I), and a table of them for src/record/objects.c: {name, start, end} triples.
 */
	.macro	blob name, file
	.section .rodata.bpfobj,"a"
	.balign	8
\name\()_start:
	.incbin	"\file"
\name\()_end:
	.section .rodata.bpfstr,"aMS",@progbits,1
\name\()_str:
	.asciz	"\file"
	.endm

	blob	rw, "bpf/rw.bpf.o"
	blob	task, "bpf/task.bpf.o"
	blob	hist, "asm/hist.o"
	blob	seq, "asm/seq.o"
	blob	filter, "asm/filter.o"

	.section .data.rel.ro,"aw"
	.balign	8
	.globl	embedded_objs
embedded_objs:
	.quad	rw_str, rw_start, rw_end
	.quad	task_str, task_start, task_end
	.quad	hist_str, hist_start, hist_end
	.quad	seq_str, seq_start, seq_end
	.quad	filter_str, filter_start, filter_end
	.globl	embedded_objs_cnt
embedded_objs_cnt:
	.quad	5

	.section .note.GNU-stack,"",@progbits
