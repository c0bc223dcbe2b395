/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal types of the loader, shared by its stages:
 * elf.c (open + sanity), btf.c + btf_ext.c (types, CO-RE records)
 * -> maps.c (map definitions, global variables) -> relo.c (classify)
 * -> link.c (copy + append subprograms + apply)
 * -> core.c (CO-RE: relo_core.c calculates, core.c patches; extern.c kfuncs)
 * -> load.c (bpf(2) load, log retry) -> attach.c (link handles);
 * ringbuf.c reads ring buffer maps, sys_bpf.c wraps bpf(2), util.c prints.
 * Unit tests include this header to drive single stages.
 */
#ifndef LOADER_INTERNAL_H
#define LOADER_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gelf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "loader.h"

#define INSN_SZ	       8
#define LD_IMM64       (BPF_LD | BPF_IMM | BPF_DW) /* 0x18 */
#define CALL_INSN      (BPF_JMP | BPF_CALL)	   /* 0x85 */
#define MAP_DEF_SZ     20			   /* legacy struct of five u32 */
#define OBJ_NAME_LEN   16			   /* BPF_OBJ_NAME_LEN, with the NUL */
/* helper id of a poisoned CO-RE insn: the verifier names it "unknown#195896080" */
#define CORE_POISON_ID 0xbad2310

/* ELF relocation types of the BPF target */
#define R_BPF_64_64 1
#define R_BPF_64_32 10

/*
 * Where an object's messages go (util.c): the callback of its open options,
 * called under lock.  Every stage reaches it through the object, program,
 * map or ELF file it works on; a NULL printer prints warnings to stderr.
 */
struct printer {
	loader_print_fn fn;
	void *ctx;
	pthread_mutex_t lock;
};

void printer_init(struct printer *p, loader_print_fn fn, void *ctx);
void printer_destroy(struct printer *p);
__attribute__((format(printf, 3, 4))) void pr_log(struct printer *p, enum loader_level level,
						  const char *fmt, ...);
#define pr_warn(p, ...)	 pr_log(p, LOADER_WARN, __VA_ARGS__)
#define pr_info(p, ...)	 pr_log(p, LOADER_INFO, __VA_ARGS__)
#define pr_debug(p, ...) pr_log(p, LOADER_DEBUG, __VA_ARGS__)

/* name as the kernel accepts it: [A-Za-z0-9_.], truncated to 15 chars */
void kernel_name(char *dst, const char *name);
/* grow *arr (of elem_sz) so it holds at least need elements; 0 or -ENOMEM */
int grow(void *arr, size_t *cap, size_t need, size_t elem_sz);
/*
 * Copy extensible options (a struct whose first field is size_t sz) into
 * out (out_sz bytes, zeroed first): -EINVAL when sz is too small to hold
 * sz, or when the caller's struct is larger than ours and sets a field
 * past ours.  NULL opts: all zero.
 */
int opts_copy(void *out, size_t out_sz, const void *opts);
/* why opts_copy refused opts: "set fields this loader lacks", ... */
const char *opts_refusal(const void *opts);
struct timespec;
/* for -vv timings: ms since *t0 (CLOCK_MONOTONIC), which moves on to now */
double lap_ms(struct timespec *t0);

/* ---- btf.c ---------------------------------------------------------- */
/*
 * A parsed BTF blob.  Named btf_data, not btf, and its methods btf_data__*,
 * so that a program may link this loader and libbpf side by side.
 */
struct btf_data {
	void *data; /* owned copy of the blob */
	size_t size;
	bool mapped; /* data is an mmap of the file (size bytes), not malloc'ed */
	const char *strs;
	uint32_t str_sz;
	const struct btf_type **types; /* types[0] is NULL (void) */
	uint32_t type_cnt;	       /* including void */
	uint32_t *composites;	       /* named STRUCT/UNION ids sorted by name */
	uint32_t composite_cnt;
};

int btf_data__parse(struct btf_data **out, const void *data, size_t size, const char *what,
		    struct printer *pr);
int btf_data__load_file(struct btf_data **out, const char *path, struct printer *pr);
void btf_data__free(struct btf_data *btf);
/*
 * The named STRUCT/UNION types whose name, up to any "___flavor" suffix,
 * is name[0..len): *first indexes btf->composites, *cnt entries follow.
 */
void btf_data__composites_named(const struct btf_data *btf, const char *name, size_t len,
				uint32_t *first, uint32_t *cnt);
size_t essential_len(const char *name);
const struct btf_type *btf_data__type(const struct btf_data *btf, uint32_t id);
const char *btf_data__str(const struct btf_data *btf, uint32_t off);
/* follow const/volatile/restrict/typedef/type_tag; 0 when it ends in void or is broken */
uint32_t btf_data__skip_mods(const struct btf_data *btf, uint32_t id);
/* byte size of a type; 0 or -EINVAL */
int btf_data__type_size(const struct btf_data *btf, uint32_t id, uint32_t *sz);
/* the type of VAR name in DATASEC sec_name (clang's BTF of a global); 0 when there is none */
uint32_t btf_data__var_type(const struct btf_data *btf, const char *sec_name, const char *name);

/* the parts of one type record */
static inline uint32_t type_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static inline uint32_t type_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static inline const struct btf_member *type_members(const struct btf_type *t)
{
	return (const struct btf_member *)(t + 1);
}

static inline const struct btf_array *type_array(const struct btf_type *t)
{
	return (const struct btf_array *)(t + 1);
}

/* bit offset and bitfield size of member idx of a struct/union */
static inline void type_member_bits(const struct btf_type *t, uint32_t idx, uint32_t *bit_off,
				    uint32_t *bit_sz)
{
	uint32_t off = type_members(t)[idx].offset;

	*bit_off = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(off) : off;
	*bit_sz = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BITFIELD_SIZE(off) : 0;
}

/* ---- elf.c ---------------------------------------------------------- */
enum relo_kind {
	RELO_MAP,  /* ld_imm64 of a SEC("maps") map: src_reg = PSEUDO_MAP_FD */
	RELO_DATA, /* ld_imm64 into .rodata/.data/.bss: src_reg = PSEUDO_MAP_VALUE */
	RELO_CALL, /* bpf-to-bpf call */
	RELO_FUNC, /* ld_imm64 of a function address: src_reg = PSEUDO_FUNC */
	RELO_KSYM, /* weak kernel symbol: kfunc call, or ld_imm64 = does it exist */
};

struct relo {
	enum relo_kind kind;
	size_t insn_off;   /* byte offset of the insn in its section */
	size_t relo_no;	   /* index in the ELF relocation section, for messages */
	size_t map_idx;	   /* RELO_MAP, RELO_DATA */
	uint32_t data_off; /* RELO_DATA: byte offset inside the map value */
	size_t tgt_elf;	   /* RELO_CALL, RELO_FUNC: target function */
	size_t tgt_sec;
	size_t tgt_off;	  /* byte offset of the target insn in tgt_sec */
	const char *ksym; /* RELO_KSYM: name, in the object's string table */
};

struct sec {
	const char *name;
	GElf_Shdr sh;
	Elf_Data *data;	    /* NULL for SHT_NOBITS */
	size_t rel_idx;	    /* its SHT_REL section, 0 if none */
	struct relo *relos; /* classified, sorted by insn_off */
	size_t relo_cnt;
	size_t map_idx; /* global data map of this section */
	bool has_map;
};

/* one CO-RE record of .BTF.ext, bound to an ELF section */
struct core_rec {
	size_t sec_idx;
	uint32_t insn_off;   /* bytes, section-relative */
	uint32_t type_id;    /* local root type */
	uint32_t access_off; /* "0:1:2" in local .BTF strings */
	uint32_t kind;
};

struct elf_obj {
	const char *name;
	struct printer *pr; /* the object's */
	char *prefix;	    /* "net" for "net.bpf.o": names global data maps */
	Elf *elf;
	struct sec *secs;
	size_t sec_cnt;
	size_t symtab_idx;
	size_t maps_idx; /* SEC("maps"), 0 if none */
	size_t sym_cnt;
	const Elf64_Sym *syms; /* the symbol table, sym_cnt entries */
	const char *strs;      /* its string table, NUL-terminated */
	/* symbol indexes into syms, built once (elf__index_syms) */
	uint32_t *by_name; /* defined global and weak symbols, by name then bind */
	size_t by_name_cnt;
	uint32_t *by_func; /* defined functions, by section then value */
	size_t by_func_cnt;
	uint32_t *by_map; /* map definitions in SEC("maps"), by value */
	size_t by_map_cnt;
	struct btf_data *btf;  /* local .BTF, NULL for asm objects */
	struct core_rec *core; /* sorted by (sec_idx, insn_off) */
	size_t core_cnt;
};

int elf__open(struct elf_obj *e, const struct obj_src *src, struct printer *pr);
void elf__close(struct elf_obj *e);
int elf__sym(const struct elf_obj *e, size_t idx, GElf_Sym *sym);
int elf__find_defined(const struct elf_obj *e, const char *name, int bind, GElf_Sym *sym);
int elf__func_at(const struct elf_obj *e, size_t sec_idx, uint64_t off, GElf_Sym *sym);
int elf__map_at(const struct elf_obj *e, uint64_t off, GElf_Sym *sym);
const char *elf__sym_name(const struct elf_obj *e, const GElf_Sym *sym);
bool sec_is_exec(const struct sec *s);
const uint8_t *sec_bytes(const struct sec *s);

/* ---- maps.c --------------------------------------------------------- */
enum map_kind { MAP_USER, MAP_RODATA, MAP_DATA, MAP_BSS };

struct map {
	struct obj *obj;
	struct printer *pr;	  /* the object's */
	char *name;		  /* full name */
	char kname[OBJ_NAME_LEN]; /* truncated name given to the kernel */
	enum map_kind kind;
	uint32_t type, key_sz, value_sz, max_entries, flags;
	uint8_t *init;		 /* global data: initial value (value_sz bytes) */
	size_t elf_idx, sec_idx; /* global data: where it comes from */
	int fd;
};

/*
 * A global variable: an STT_OBJECT symbol in a section with a global data
 * map, as obj__set_global finds it; one per object that defines it.
 */
/*
 * A global variable, its symbol's facts copied at open: setting one after
 * load reads no ELF data, which a caller may have dropped from memory by
 * then (iotrace releases its embedded objects' pages once they are loaded).
 */
struct global_var {
	size_t elf_idx;
	size_t sym_idx;
	const char *name;     /* in the symbol table, read before load only by obj__global */
	char *key;	      /* the name, copied: the look-ups by name after load use it */
	size_t shndx;	      /* its section */
	uint64_t value, size; /* offset in the section, bytes */
	bool local;
	uint32_t btf_id; /* the VAR's type in the object's .BTF; 0: none */
};

/* ---- the whole object ------------------------------------------------ */
struct insn_origin {
	uint32_t elf_idx;
	uint32_t sec_idx;
	uint32_t off; /* bytes in the section */
};

/*
 * A poisoned insn (a CO-RE field this kernel lacks, an instruction it does
 * not know), named when the kernel rejects the program.
 */
struct poison {
	size_t insn_idx;
	char *what;	 /* "CO-RE field 'file.f_path'", "atomic cmpxchg" */
	const char *why; /* "not found in kernel BTF", ... (a literal) */
};

struct prog {
	struct obj *obj;
	struct printer *pr; /* the object's */
	char *name;
	char *sec_name;
	enum bpf_prog_type type;
	const char *tp_name; /* section name after "tracepoint/" or "raw_tp/" */
	bool attach;	     /* false for tail/ programs, reached by tail calls only */
	bool optional;	     /* a tracepoint the kernel may lack: then not attached */
	bool noload;	     /* left out: not linked, loaded nor attached (prog__set_autoload) */
	bool deferred;	     /* linked and relocated, loaded by obj__load_deferred only */
	bool attached;	     /* obj__attach attached it */
	size_t elf_idx, sec_idx;
	size_t off, sz;		/* the entry function, bytes in its section */
	struct bpf_insn *insns; /* final program, built by prog__link */
	struct insn_origin *orig;
	size_t insn_cnt, insn_cap, orig_cap;
	struct poison *poisons;
	size_t poison_cnt;
	int fd;
	char *log;
	struct prog *twin; /* loaded as this earlier program (same instructions) */
};

struct obj {
	struct printer *pr; /* from the open options */
	char *tracefs;	    /* ditto; NULL: look for it */
	struct elf_obj *elfs;
	size_t elf_cnt;
	struct map *maps;
	size_t map_cnt;
	struct prog *progs;
	size_t prog_cnt;
	struct global_var *globals; /* in object, then symbol table order */
	size_t global_cnt;
	char license[128];
	bool loaded;
	bool no_inline;	     /* link without inlining leaf functions (the link tests) */
	bool memlock_raised; /* RLIMIT_MEMLOCK raised for obj__load, to restore */
	int memlock_err;     /* why raising it failed, 0 if it did not */
	int atomics;	     /* atomics beyond add (5.12+): 1, 0, -1 not asked yet (feature.c) */
	/* kernel functions looked up in vmlinux BTF, by name (core.c) */
	struct ksym_id {
		const char *name;
		uint32_t id; /* 0: this kernel lacks it */
	} * ksym_ids;
	size_t ksym_id_cnt;
};

/* maps.c: the maps, then the global variables of their data sections */
int obj__collect_maps(struct obj *o);
int obj__collect_globals(struct obj *o);
int obj__create_maps(struct obj *o);
int obj__find_map_idx(const struct obj *o, const char *name, size_t *idx);

/* relo.c */
int obj__classify_relos(struct obj *o);
/* a defined GLOBAL/WEAK symbol by name in any object */
int obj__resolve_sym(const struct obj *o, const char *name, size_t *elf_idx, GElf_Sym *sym);

/*
 * obj.c: link and CO-RE every program (vmlinux may be NULL: no CO-RE), map
 * loads holding map indexes; then the maps' fds in place of the indexes.
 * obj__relocate does both (the maps must exist).
 */
static inline bool is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == LD_IMM64;
}

int obj__link_core(struct obj *o, const struct btf_data *vmlinux);
void obj__patch_map_fds(struct obj *o);
int obj__relocate(struct obj *o, const struct btf_data *vmlinux);

/* link.c */
int prog__link(struct obj *o, struct prog *p);
/* the classified relocation of the insn at org, or NULL */
const struct relo *obj__relo_at(const struct obj *o, const struct insn_origin *org);

/* btf_ext.c: parse .BTF and the CO-RE records of .BTF.ext of one object, when present */
int elf__read_btf(struct elf_obj *e);
/* the CO-RE record of the insn that came from org, or NULL */
const struct core_rec *elf__core_rec_at(const struct elf_obj *e, const struct insn_origin *org);

/* relo_core.c: the calculation of one CO-RE relocation, from two BTFs alone */
enum core_kind {
	CORE_FIELD_BYTE_OFFSET = 0,
	CORE_FIELD_BYTE_SIZE = 1,
	CORE_FIELD_EXISTS = 2,
	CORE_TYPE_ID_TARGET = 7,
};

/* one record of .BTF.ext, without its insn */
struct core_relo {
	uint32_t kind;	    /* enum core_kind; others are refused */
	uint32_t type_id;   /* the local root type */
	const char *access; /* "0:1:2": array index on the root, then member indices */
};

struct core_res {
	uint32_t local_val; /* what the local type gives: the value clang compiled in */
	uint32_t targ_val;  /* the value for the target (meaningless when poison) */
	uint32_t local_sz;  /* field kinds: the field's size locally, */
	uint32_t targ_sz;   /* and in the target (0 when it lacks the field) */
	bool poison;	    /* the target lacks the field or type: the insn must not run */
	char name[256];	    /* "file.f_path.dentry", or the type's name */
	char reason[256];   /* why the calculation failed, for a message */
};

/*
 * 0 and res (possibly a poison), or -EINVAL (a malformed record, a local
 * type the access does not fit, targets that disagree or an ambiguous type)
 * or -EOPNOTSUPP (a bitfield, an unsupported kind), with res->reason.
 */
int relo_core_calc(const struct btf_data *local, const struct btf_data *targ,
		   const struct core_relo *r, struct core_res *res);
const char *relo_core_kind_name(uint32_t kind);

/* core.c: apply CO-RE and kernel symbols to a linked program's insns */
int prog__core(struct obj *o, struct prog *p, const struct btf_data *vmlinux);
bool obj__needs_core(const struct obj *o);
int prog__poison(struct prog *p, size_t i, const char *what, const char *why);

/* feature.c: what this kernel's BPF takes, asked once per object */
bool obj__kernel_atomics(struct obj *o);
int prog__poison_atomics(struct obj *o, struct prog *p);
int obj__feature_value(struct obj *o, const char *name, int *val);

/* extern.c: kernel functions (weak externs) resolved against vmlinux BTF */
int prog__resolve_ksym(struct obj *o, struct prog *p, size_t i, const char *name,
		       const struct btf_data *vmlinux);
bool obj__has_ksyms(const struct obj *o);

/* funcinfo.c: the BTF and func_info a program with callbacks must be loaded with */
struct prog_btf {
	int fd; /* -1: none */
	struct bpf_func_info *fi;
	uint32_t cnt;
};
bool prog__has_callbacks(const struct prog *p);
int prog__callback_btf(const struct prog *p, struct prog_btf *out);
void prog_btf__free(struct prog_btf *b);

/* load.c */
int prog__load(struct obj *o, struct prog *p, const struct obj_load_opts *opts);
/* the last max_lines lines of log, with a "... skipped N bytes ..." line; malloc'ed */
char *log_tail(const char *log, size_t max_lines);

/* attach.c: ids[k] for each tracepoint program progs[k]; 0 or -errno (reported) */
int tracepoint_ids(const struct obj *o, struct prog *const *progs, size_t cnt, uint64_t *ids);

/* sys_bpf.c: 1:1 wrappers of bpf(2) commands; 0/fd or -errno */
int sys_bpf_map_create(const char *name, uint32_t type, uint32_t key_sz, uint32_t value_sz,
		       uint32_t max_entries, uint32_t flags);
int sys_bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags);
int sys_bpf_map_freeze(int fd);
int sys_bpf_map_lookup_elem(int fd, const void *key, void *value);
int sys_bpf_map_get_next_key(int fd, const void *key, void *next_key);
int sys_bpf_map_lookup_batch(int fd, const void *in_batch, void *out_batch, void *keys,
			     void *values, uint32_t *count);
int sys_bpf_prog_load(union bpf_attr *attr);
int sys_bpf_btf_load(const void *data, uint32_t size);
int sys_bpf_prog_test_run(int fd, const void *ctx, size_t ctx_sz, uint32_t *retval);
int sys_bpf_raw_tracepoint_open(const char *name, int prog_fd);
int sys_bpf_obj_get_info(int fd, void *info, uint32_t *len);

#endif
