/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the loader's unit tests: capture of loader messages, fixture
 * files, and tiny BTF and ELF writers so types and malformed objects are
 * built in memory (no clang at test time).  The BPF gate is require_bpf() of tests/lib.
 */
#ifndef LOADER_TESTS_LTEST_H
#define LOADER_TESTS_LTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <elf.h>

#include "loader.h"

struct printer;

/*
 * Loader messages since the last cap_reset, joined by '\n', of the objects
 * opened with cap_opts() and of the stages given cap_printer().
 */
void cap_reset(void);
const char *cap_text(void);
const struct obj_open_opts *cap_opts(void);
struct printer *cap_printer(void);

/* SRC_DIR/tests/fixtures/<name>; the data is leaked on purpose (test process) */
struct obj_src fixture(const char *name);

/*
 * Reference answer for CO-RE tests, computed by a walk over raw BTF that
 * shares no code with the loader: byte offset and size of "a.b.c" in the
 * STRUCT named root, looking inside anonymous members.  0 or -ENOENT.
 */
int ref_field(const void *btf, size_t btf_sz, const char *root, const char *path, uint32_t *off,
	      uint32_t *sz);
/* the bytes of a file, malloc'ed; NULL when unreadable */
void *read_all(const char *path, size_t *size);

/* ---- ELF writer ---------------------------------------------------------- */
#define EB_MAX_SECS 16

struct eb_sec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	const void *data;
	size_t size;
	uint32_t link, info;
	uint64_t entsize;
};

struct eb {
	struct eb_sec secs[EB_MAX_SECS]; /* [0] is the NULL section */
	size_t cnt;
};

struct strtab {
	char buf[1024];
	size_t len;
};

uint32_t str_add(struct strtab *t, const char *s);

/* ---- BTF writer: types in order, their ids from 1 ----------------------- */
struct bb {
	uint32_t words[512];
	size_t cnt;
	uint32_t type_cnt;
	struct strtab str;
};

struct btf_data;
void bb_init(struct bb *b);
void bb_word(struct bb *b, uint32_t v);
/* a type record (struct btf_type); its id */
uint32_t bb_type(struct bb *b, const char *name, uint32_t kind, uint32_t vlen, uint32_t kflag,
		 uint32_t size_or_type);
/* a member of the STRUCT/UNION just added (bit_off as BTF encodes it, kflag or not) */
void bb_member(struct bb *b, const char *name, uint32_t type_id, uint32_t bit_off);
/* an INT of sz bytes; an ARRAY of nelems elem indexed by index: their ids */
uint32_t bb_int(struct bb *b, const char *name, uint32_t sz);
uint32_t bb_array(struct bb *b, uint32_t elem, uint32_t index, uint32_t nelems);
/* the BTF (btf_data__parse must accept it) */
struct btf_data *bb_parse(struct bb *b);
size_t eb_add(struct eb *b, const struct eb_sec *s);
/* a malloc'ed ELF64 EM_BPF ET_REL image; .shstrtab is added last */
void *eb_build(struct eb *b, size_t *size);

Elf64_Ehdr *img_ehdr(void *img);
Elf64_Shdr *img_shdr(void *img, size_t idx);

/*
 * A valid minimal object: SEC("raw_tracepoint/t") prog 'mini' doing
 *   r1 = map m1 ll; r0 = 0; exit     (one R_BPF_64_64 reloc at 0)
 * with a 20-byte map definition m1 (array, key 4, value 8, max max_entries).
 */
enum { MINI_PROG = 1, MINI_REL, MINI_MAPS, MINI_SYMTAB, MINI_STRTAB };
enum { MINI_SYM_PROG = 1, MINI_SYM_MAP };
struct mini {
	uint64_t insns[4];
	Elf64_Rel rel[1];
	uint32_t mapdef[5];
	Elf64_Sym syms[3];
	struct strtab str;
	struct eb eb;
};
void mini_init(struct mini *m, uint32_t max_entries);
struct obj_src mini_build(struct mini *m, const char *name);

#endif
