/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Public interface of the BPF object loader, a library of its own: it opens
 * any set of BPF ELF objects that follow its conventions (legacy SEC("maps")
 * definitions, programs in "tracepoint/CAT/NAME" or "raw_tracepoint/NAME"
 * sections, subprograms in .text of any object; "tail/..." sections are
 * loaded but not attached, for tail calls), links them into programs,
 * applies CO-RE relocations from vmlinux BTF, loads them with raw bpf(2),
 * attaches them and reads their ring buffers (loader/README.md).
 *
 * Every function returns 0 or -errno; results go through out-parameters.
 * Failures are reported once, where the context is richest, through the
 * print callback of the object's open options; callers only pass the code
 * up.  The library keeps no process-wide state: two objects opened with
 * different options do not see each other's settings or messages.
 */
#ifndef LOADER_H
#define LOADER_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <stdbool.h>

/* the API is the library's only global symbols (mk/build.mk) */
#pragma GCC visibility push(default)

struct obj;
struct prog;
struct map;
struct bpf_insn;

enum loader_level {
	LOADER_WARN,
	LOADER_INFO,
	LOADER_DEBUG,
};

/*
 * Messages are lowercase, kind-prefixed, no trailing newline or period; ctx
 * is the print_ctx of the options.  The loader's threads print too: for one
 * object, fn is called under a lock, never concurrently.
 */
typedef void (*loader_print_fn)(enum loader_level level, const char *msg, void *ctx);

/* One ELF object in memory (for example embedded with .incbin). */
struct obj_src {
	const char *name; /* used in messages: "net.bpf.o" */
	const void *data;
	size_t size;
};

/*
 * Options are extensible structs, as libbpf's: sz is the caller's
 * sizeof(struct ...), so a program built against an older header passes
 * fewer fields (the rest count as zero), and one built against a newer
 * header is refused (-EINVAL) only when it sets a field this library lacks.
 * NULL options mean all defaults.
 */
struct obj_open_opts {
	size_t sz; /* sizeof(struct obj_open_opts) */
	/* messages of this object; NULL: warnings to stderr, one line each */
	loader_print_fn print;
	void *print_ctx;
	/*
	 * Read tracepoint ids from this tracefs mount only; NULL or "": the
	 * usual mount points, else a tracefs mounted privately for the lookup.
	 */
	const char *tracefs;
};

struct obj_load_opts {
	size_t sz; /* sizeof(struct obj_load_opts) */
	/* vmlinux BTF used for CO-RE; NULL means /sys/kernel/btf/vmlinux */
	const char *btf_path;
	/*
	 * 0: load without a log; on failure retry at level 1 and report the tail.
	 * 1 or 2: always load with this log level plus BPF_LOG_STATS (4) and keep
	 * the log for prog__log().
	 */
	unsigned int log_level;
	/*
	 * Largest log buffer tried (0: 16 MiB).  A level-2 log that does not fit
	 * is replaced by the program's level-1 log.
	 */
	size_t log_max_sz;
	/* when non-NULL, every program's full log is written to DIR/<prog>.log */
	const char *log_dir;
};

/*
 * Parse and validate the objects and link nothing yet.  Programs are the
 * functions in executable sections other than .text; subprograms are the
 * STT_FUNC symbols of .text in any object.  Maps with the same name in
 * several objects are one map (their definitions must agree).
 */
int obj__open_mem(struct obj **out, const struct obj_src *srcs, size_t src_cnt,
		  const struct obj_open_opts *opts);

/* Before load: change a map's max_entries (SEC("maps") maps only; -EINVAL otherwise). */
int map__set_max_entries(struct map *m, uint32_t max_entries);
/* The same, by map name: -ENOENT when there is no such map. */
int obj__set_max_entries(struct obj *o, const char *map_name, uint32_t max_entries);

/*
 * Set a global variable in .rodata, .data or .bss, by symbol name, in every
 * object that defines it.  Before load this sets the initial bytes; .rodata
 * maps are frozen after they are filled, so the verifier sees the values as
 * constants.  After load it updates .data/.bss in the kernel (-EPERM for
 * .rodata).  -ENOENT when no object defines the symbol, -EINVAL when the
 * size differs from the symbol's.
 */
int obj__set_global(struct obj *o, const char *sym_name, const void *val, size_t val_sz);

/*
 * Create maps, link, relocate (maps, calls, CO-RE) and load every program
 * but the deferred ones (prog__set_deferred).
 */
int obj__load(struct obj *o, const struct obj_load_opts *opts);
/*
 * After obj__load: load the deferred programs not loaded yet, reported as
 * obj__load reports (opts as there; NULL for the defaults).  0 when every
 * one is loaded; the first error otherwise.
 */
int obj__load_deferred(struct obj *o, const struct obj_load_opts *opts);

/*
 * Attaching gives link handles, each owning one attachment (a perf event
 * for a tracepoint program, a BPF link for a raw tracepoint one): closing
 * its fd detaches the program, and nothing else does, not even obj__close.
 * The caller chooses when, and from where (a thread, a child process that
 * inherited the fds).
 */
struct link;
struct links;

/* Attach one loaded program according to its section name; *out owns it. */
int prog__attach(struct prog *p, struct link **out);
/* the attachment's fd (perf event or BPF link), -1 once detached */
int link__fd(const struct link *l);
/* Detach now (close the fd); the handle stays valid.  Again: a no-op. */
void link__detach(struct link *l);
/* Detach and free a link of prog__attach.  NULL is a no-op. */
void link__destroy(struct link *l);

/*
 * Attach every loaded program but those of "tail/" sections, all or none:
 * on failure the ones attached are detached again.  *out owns the links.
 * An optional program whose tracepoint this kernel does not have is left
 * out (said at debug level), not an error: prog__attached tells.
 */
int obj__attach(struct obj *o, struct links **out);
size_t links__cnt(const struct links *ls);
/* link idx, owned by ls (link__detach it, never link__destroy); NULL past the end */
struct link *links__link(struct links *ls, size_t idx);
/*
 * Detach every link still attached and free ls.  NULL is a no-op.  The
 * last close of a tracepoint's perf event waits for RCU grace periods
 * (tens of ms each): the closes run on a thread per link, so that the
 * waits overlap.
 */
void links__destroy(struct links *ls);

/* Close every program and map fd and free everything; links live on.  NULL: a no-op. */
void obj__close(struct obj *o);

size_t obj__prog_cnt(const struct obj *o);
struct prog *obj__prog(struct obj *o, size_t idx);
/* NULL when no object defines it */
struct prog *obj__find_prog(struct obj *o, const char *name);
struct map *obj__find_map(struct obj *o, const char *name);
size_t obj__map_cnt(const struct obj *o);
struct map *obj__map(struct obj *o, size_t idx);
/*
 * For a caller that needs the program or map: 0 and *out, or -ENOENT,
 * reported ("map 'x': not in the BPF objects").  A skeleton's bind
 * (loader/gen/skel.c) is made of these.
 */
int obj__lookup_prog(struct obj *o, const char *name, struct prog **out);
int obj__lookup_map(struct obj *o, const char *name, struct map **out);

/*
 * The global variables obj__set_global can set: every object symbol in a
 * .rodata, .data or .bss section (or one of their ".x" variants), one entry
 * per object that defines it, in object and then symbol table order.
 */
struct obj_global {
	const char *name;
	const char *section; /* ".rodata", ".bss", ... */
	size_t src_idx;	     /* the object: its index in the srcs of obj__open_mem */
	size_t size;	     /* bytes */
	bool local;	     /* a static variable (STB_LOCAL) */
	/* the variable's type (its BTF VAR's) in that object's .BTF; 0: no BTF of it */
	uint32_t btf_id;
};

size_t obj__global_cnt(const struct obj *o);
/* entry idx into *out, whose strings live as long as o; -ENOENT past the end */
int obj__global(const struct obj *o, size_t idx, struct obj_global *out);

const char *prog__name(const struct prog *p);
const char *prog__section(const struct prog *p);
int prog__fd(const struct prog *p);
/* instructions of the final (linked, relocated) program */
size_t prog__insn_cnt(const struct prog *p);
/* those instructions (prog__insn_cnt of them); NULL before obj__load */
const struct bpf_insn *prog__insns(const struct prog *p);
/* the log captured at load (NULL when none was kept) */
const char *prog__log(const struct prog *p);
/*
 * Runs of a loaded program the kernel skipped because a BPF program or a
 * BPF syscall was already active on that CPU (bpf_prog_info's
 * recursion_misses), into *out.  -EOPNOTSUPP where the kernel's program
 * info has no such count (before 5.12); what the kernel counts there
 * depends on the attach type: tracepoint programs' skips count from 6.7.
 */
int prog__missed_runs(const struct prog *p, uint64_t *out);
/* The earlier program with the same instructions this one was loaded as, or NULL. */
const struct prog *prog__twin(const struct prog *p);
/*
 * Before attaching: a tracepoint program for an event some kernels lack
 * (a subsystem's newer tracepoints).  It is loaded like any other, so it
 * must verify on every kernel (CO-RE existence checks guard its body).
 */
void prog__set_optional(struct prog *p, bool optional);
/* obj__attach attached it (false before, and for an optional one left out) */
bool prog__attached(const struct prog *p);
/*
 * Before obj__load: false leaves the program out (not linked, loaded nor
 * attached; its fd stays -1), for a program this kernel cannot take, as
 * one calling a helper loader_has_helper() says it lacks.
 */
void prog__set_autoload(struct prog *p, bool autoload);
/*
 * Before obj__load: true has obj__load link and relocate the program with
 * the others but not load it; obj__load_deferred loads it when it is
 * needed.  For a program nothing attaches or tail-calls, one user space
 * runs with prog__test_run: its verification then leaves the time to
 * tracing live.
 */
void prog__set_deferred(struct prog *p, bool deferred);

/*
 * Does the kernel have BPF helper func_id for programs of prog_type?  1 or
 * 0, told apart by the verifier's log of a tiny program that calls it;
 * -errno when the kernel's answer says neither (no bpf(2) at all).
 */
int loader_has_helper(uint32_t prog_type, uint32_t func_id);

const char *map__name(const struct map *m);
int map__fd(const struct map *m);
uint32_t map__type(const struct map *m);
uint32_t map__key_size(const struct map *m);
uint32_t map__value_size(const struct map *m);
uint32_t map__max_entries(const struct map *m);

/*
 * Element access on a created map (raw BPF_MAP_* commands).  For per-CPU maps
 * the value buffer holds one 8-byte-aligned value per possible CPU.
 * Lookup/get_next_key return -ENOENT at a missing key / the last key.
 */
int map__lookup_elem(const struct map *m, const void *key, void *value);
int map__update_elem(const struct map *m, const void *key, const void *value, uint64_t flags);
int map__get_next_key(const struct map *m, const void *key, void *next_key);

/*
 * Call fn on every element of a (non-per-CPU) map, stopping at fn's first
 * non-zero return, which map__dump returns.  Reads in batches of
 * BPF_MAP_LOOKUP_BATCH (5.6+), else key by key.  An element deleted or added
 * meanwhile may be missed or seen, as with any walk of a live map.
 */
typedef int (*map_dump_fn)(const void *key, const void *value, void *ctx);
int map__dump(const struct map *m, map_dump_fn fn, void *ctx);
/* The same, a batch at a time: cnt keys and cnt values, each array packed. */
typedef int (*map_batch_fn)(const void *keys, const void *values, uint32_t cnt, void *ctx);
int map__dump_batch(const struct map *m, map_batch_fn fn, void *ctx);

/*
 * A consumer of a BPF_MAP_TYPE_RINGBUF map of a loaded object (mapped, not
 * copied).  fn gets each committed record, in order: data points into the
 * ring (or, for a record that wraps around the ring's end, into a copy of
 * it) and is valid during the call only.
 */
struct ringbuf;
typedef int (*ringbuf_sample_fn)(const void *data, size_t size, void *ctx);
int ringbuf__open(struct ringbuf **out, const struct map *m, ringbuf_sample_fn fn, void *ctx);
/* readable (poll, epoll) when records are waiting; owned by the ring buffer */
int ringbuf__fd(const struct ringbuf *rb);
/*
 * Hand every record committed so far to fn.  0, or fn's first non-zero
 * return: that record counts as consumed, the ones after it stay; -ENOMEM
 * when a wrapping record found no memory to be joined in (it stays).
 */
int ringbuf__consume(struct ringbuf *rb);
/* NULL is a no-op */
void ringbuf__close(struct ringbuf *rb);

/* Test-run a loaded program (BPF_PROG_TEST_RUN), e.g. a raw_tracepoint
 * harness with ctx = array of u64 arguments.  *retval gets the return value. */
int prog__test_run(const struct prog *p, const void *ctx, size_t ctx_sz, uint32_t *retval);

#pragma GCC visibility pop

#endif
