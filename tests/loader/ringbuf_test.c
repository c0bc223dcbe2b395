// SPDX-License-Identifier: GPL-2.0
/*
 * The ring buffer consumer (loader/ringbuf.c): a raw_tracepoint program
 * built here writes its first argument into a BPF_MAP_TYPE_RINGBUF map
 * with bpf_ringbuf_output; test runs put records in, the consumer must hand
 * them out in order, in place, and stop where the callback says.  A second
 * program writes its first two arguments (16 bytes), so that a record
 * wraps around the ring's end: it must arrive whole.  The map checks need
 * no kernel.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "bpf_test.h"
#include "internal.h"
#include "ltest.h"

#define RB_SZ 4096

enum { RB_PROG = 1, RB_REL, RB_MAPS, RB_SYMTAB, RB_STRTAB };

/*
 *   r6 = *(u64 *)(r1 + 0)        the first argument
 *   *(u64 *)(r10 - 8) = r6
 *   r1 = events ll               (R_BPF_64_64 at byte 16)
 *   r2 = r10; r2 += -8; r3 = 8; r4 = 0
 *   call bpf_ringbuf_output      (130)
 *   r0 = 0; exit
 */
static const uint64_t rb_insns[] = {
	0x0000000000001679ull, 0x00000000fff86a7bull, 0x0000000000000118ull, 0,
	0x000000000000a2bfull, 0xfffffff800000207ull, 0x00000008000003b7ull, 0x00000000000004b7ull,
	0x0000008200000085ull, 0x00000000000000b7ull, 0x0000000000000095ull,
};

/*
 *   *(u64 *)(r10 - 16) = the first argument; *(u64 *)(r10 - 8) = the second
 *   r1 = events ll               (R_BPF_64_64 at byte 32)
 *   r2 = r10; r2 += -16; r3 = 16; r4 = 0
 *   call bpf_ringbuf_output
 *   r0 = 0; exit
 */
static const uint64_t rb2_insns[] = {
	0x0000000000001679ull, 0x00000000fff06a7bull, 0x0000000000081679ull,
	0x00000000fff86a7bull, 0x0000000000000118ull, 0,
	0x000000000000a2bfull, 0xfffffff000000207ull, 0x00000010000003b7ull,
	0x00000000000004b7ull, 0x0000008200000085ull, 0x00000000000000b7ull,
	0x0000000000000095ull,
};

/* the program insns (sz bytes, events loaded at byte rel_off) with its map */
static struct obj *open_rb_prog(uint32_t map_type, const uint64_t *insns, size_t sz,
				uint64_t rel_off)
{
	static Elf64_Rel rel[1];
	static uint32_t mapdef[5];
	static Elf64_Sym syms[3];
	static struct strtab str;
	static struct eb eb;
	struct obj_src src = { .name = "rb.o" };
	struct obj *o;

	memset(&str, 0, sizeof(str));
	memset(&eb, 0, sizeof(eb));
	rel[0] = (Elf64_Rel){ .r_offset = rel_off, .r_info = ELF64_R_INFO(2, R_BPF_64_64) };
	mapdef[0] = map_type;
	mapdef[1] = map_type == BPF_MAP_TYPE_RINGBUF ? 0 : 4;
	mapdef[2] = map_type == BPF_MAP_TYPE_RINGBUF ? 0 : 8;
	mapdef[3] = map_type == BPF_MAP_TYPE_RINGBUF ? RB_SZ : 1;
	syms[1] = (Elf64_Sym){ .st_name = str_add(&str, "rb_prog"),
			       .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
			       .st_shndx = RB_PROG,
			       .st_size = sz };
	syms[2] = (Elf64_Sym){ .st_name = str_add(&str, "events"),
			       .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
			       .st_shndx = RB_MAPS,
			       .st_size = sizeof(mapdef) };
	eb_add(&eb, &(struct eb_sec){ "raw_tracepoint/rb", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
				      insns, sz, 0, 0, 0 });
	eb_add(&eb, &(struct eb_sec){ ".relraw_tracepoint/rb", SHT_REL, 0, rel, sizeof(rel),
				      RB_SYMTAB, RB_PROG, sizeof(Elf64_Rel) });
	eb_add(&eb, &(struct eb_sec){ "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, mapdef,
				      sizeof(mapdef), 0, 0, 0 });
	eb_add(&eb, &(struct eb_sec){ ".symtab", SHT_SYMTAB, 0, syms, sizeof(syms), RB_STRTAB, 1,
				      sizeof(Elf64_Sym) });
	eb_add(&eb, &(struct eb_sec){ ".strtab", SHT_STRTAB, 0, str.buf, str.len, 0, 0, 0 });
	src.data = eb_build(&eb, &src.size);
	cap_reset();
	cr_assert_eq(obj__open_mem(&o, &src, 1, cap_opts()), 0, "%s", cap_text());
	return o;
}

static struct obj *open_rb(uint32_t map_type)
{
	return open_rb_prog(map_type, rb_insns, sizeof(rb_insns), 16);
}

struct seen {
	uint64_t v[8];
	size_t cnt;
	size_t stop_at; /* return -EINTR from this record on (0: never) */
};

static int on_record(const void *data, size_t size, void *ctx)
{
	struct seen *s = ctx;

	cr_assert_eq(size, sizeof(uint64_t));
	if (s->stop_at && s->cnt + 1 == s->stop_at) {
		s->stop_at = 0;
		return -EINTR;
	}
	memcpy(&s->v[s->cnt++], data, sizeof(uint64_t));
	return 0;
}

static void put(struct obj *o, uint64_t v)
{
	uint32_t ret = 1;

	cr_assert_eq(prog__test_run(obj__find_prog(o, "rb_prog"), &v, sizeof(v), &ret), 0, "%s",
		     cap_text());
	cr_assert_eq(ret, 0);
}

Test(ringbuf, records_arrive_in_order_in_place)
{
	struct seen s = { 0 };
	struct ringbuf *rb;
	struct obj *o;
	struct pollfd pfd;

	require_bpf();
	o = open_rb(BPF_MAP_TYPE_RINGBUF);
	cr_assert_eq(obj__load(o, NULL), 0, "%s", cap_text());
	cr_assert_eq(ringbuf__open(&rb, obj__find_map(o, "events"), on_record, &s), 0, "%s",
		     cap_text());
	pfd = (struct pollfd){ .fd = ringbuf__fd(rb), .events = POLLIN };
	cr_assert_eq(poll(&pfd, 1, 0), 0, "readable before any record");
	put(o, 11);
	put(o, 22);
	put(o, 33);
	cr_assert_eq(poll(&pfd, 1, 1000), 1, "not readable with records waiting");
	cr_assert_eq(ringbuf__consume(rb), 0);
	cr_assert_eq(s.cnt, 3);
	cr_assert_eq(s.v[0], 11);
	cr_assert_eq(s.v[1], 22);
	cr_assert_eq(s.v[2], 33);
	cr_assert_eq(ringbuf__consume(rb), 0, "nothing new");
	cr_assert_eq(s.cnt, 3);
	ringbuf__close(rb);
	obj__close(o);
}

/* the 16-byte records: every one must be (i, i + 1000), i counting from 0 */
struct seen2 {
	uint64_t next;
	size_t bad;
};

static int on_record2(const void *data, size_t size, void *ctx)
{
	struct seen2 *s = ctx;
	uint64_t v[2];

	cr_assert_eq(size, sizeof(v));
	memcpy(v, data, sizeof(v));
	s->bad += v[0] != s->next || v[1] != s->next + 1000;
	s->next++;
	return 0;
}

/*
 * 16-byte records take 24 bytes of the ring (the 8-byte header): record k's
 * header is at 24k modulo the ring's 4096 bytes, so record 170's is at 4080
 * and its body wraps, 8 bytes at the end and 8 at the start.  Consumed
 * every 64 records, so the ring never fills.
 */
Test(ringbuf, a_record_that_wraps_arrives_whole)
{
	struct seen2 s = { 0 };
	struct ringbuf *rb;
	struct obj *o;
	const struct prog *p;

	require_bpf();
	o = open_rb_prog(BPF_MAP_TYPE_RINGBUF, rb2_insns, sizeof(rb2_insns), 32);
	cr_assert_eq(obj__load(o, NULL), 0, "%s", cap_text());
	p = obj__find_prog(o, "rb_prog");
	cr_assert_eq(ringbuf__open(&rb, obj__find_map(o, "events"), on_record2, &s), 0);
	for (uint64_t i = 0; i < 200; i++) {
		uint64_t args[2] = { i, i + 1000 };
		uint32_t ret = 1;

		cr_assert_eq(prog__test_run(p, args, sizeof(args), &ret), 0, "%s", cap_text());
		cr_assert_eq(ret, 0);
		if (i % 64 == 63)
			cr_assert_eq(ringbuf__consume(rb), 0);
	}
	cr_assert_eq(ringbuf__consume(rb), 0);
	cr_assert_eq(s.next, 200, "records handed out: %llu", (unsigned long long)s.next);
	cr_assert_eq(s.bad, 0, "%zu records arrived with other values", s.bad);
	ringbuf__close(rb);
	obj__close(o);
}

Test(ringbuf, callback_error_stops_and_the_rest_waits)
{
	struct seen s = { .stop_at = 2 };
	struct ringbuf *rb;
	struct obj *o;

	require_bpf();
	o = open_rb(BPF_MAP_TYPE_RINGBUF);
	cr_assert_eq(obj__load(o, NULL), 0, "%s", cap_text());
	cr_assert_eq(ringbuf__open(&rb, obj__find_map(o, "events"), on_record, &s), 0);
	put(o, 1);
	put(o, 2);
	put(o, 3);
	cr_assert_eq(ringbuf__consume(rb), -EINTR);
	cr_assert_eq(s.cnt, 1, "the record after the refused one was handed out");
	cr_assert_eq(ringbuf__consume(rb), 0);
	cr_assert_eq(s.cnt, 2, "the refused record counts as consumed");
	cr_assert_eq(s.v[1], 3);
	ringbuf__close(rb);
	obj__close(o);
}

Test(ringbuf, other_maps_are_refused)
{
	struct seen s = { 0 };
	struct ringbuf *rb = (void *)1;
	struct obj *o = open_rb(BPF_MAP_TYPE_ARRAY);

	cr_assert_eq(ringbuf__open(&rb, obj__find_map(o, "events"), on_record, &s), -EINVAL);
	cr_assert_null(rb);
	cr_assert_str_eq(cap_text(), "map 'events': not a ring buffer (type 2)\n");
	obj__close(o);
}

Test(ringbuf, map_must_be_created_first)
{
	struct seen s = { 0 };
	struct ringbuf *rb;
	struct obj *o = open_rb(BPF_MAP_TYPE_RINGBUF);

	cr_assert_eq(ringbuf__open(&rb, obj__find_map(o, "events"), on_record, &s), -EBADF);
	cr_assert(strstr(cap_text(), "map 'events': ring buffer is not created"), "%s", cap_text());
	obj__close(o);
}
