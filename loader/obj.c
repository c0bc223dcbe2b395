// SPDX-License-Identifier: GPL-2.0
/*
 * The object set: the pipeline a caller drives, and its accessors.
 *   obj__open_mem:  elf__open each source, read BTF, collect maps and global
 *                   variables, classify relocations, find programs and the license
 *   obj__load:      create maps, then per program link, CO-RE and load
 *   obj__close (attach.c attaches)
 * Everything is owned by struct obj; there is no global loader state.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include "internal.h"

#define DEFAULT_VMLINUX "/sys/kernel/btf/vmlinux"

/*
 * "tail/tracepoint/NAME" programs are loaded but never attached: they are
 * reached by bpf_tail_call from programs of the same type, through a
 * BPF_MAP_TYPE_PROG_ARRAY that the object's user fills.
 */
static const struct {
	const char *prefix;
	enum bpf_prog_type type;
	bool attach;
} sec_types[] = {
	{ "tracepoint/", BPF_PROG_TYPE_TRACEPOINT, true },
	{ "tp/", BPF_PROG_TYPE_TRACEPOINT, true },
	{ "raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT, true },
	{ "raw_tp/", BPF_PROG_TYPE_RAW_TRACEPOINT, true },
	{ "tail/tracepoint/", BPF_PROG_TYPE_TRACEPOINT, false },
	{ "tail/raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT, false },
};

static int sec_prog_type(const struct elf_obj *e, const struct sec *s, enum bpf_prog_type *type,
			 size_t *name_off, bool *attach)
{
	const char *rest;
	size_t i, n;

	for (i = 0; i < sizeof(sec_types) / sizeof(sec_types[0]); i++) {
		n = strlen(sec_types[i].prefix);
		if (strncmp(s->name, sec_types[i].prefix, n))
			continue;
		rest = s->name + n;
		if (!*rest || (sec_types[i].type == BPF_PROG_TYPE_TRACEPOINT && !strchr(rest, '/')))
			break;
		*type = sec_types[i].type;
		*name_off = n;
		*attach = sec_types[i].attach;
		return 0;
	}
	pr_warn(e->pr,
		"%s: section '%s': unknown program type (expected [tail/]tracepoint/CAT/NAME or [tail/]raw_tracepoint/NAME)",
		e->name, s->name);
	return -EINVAL;
}

static int add_prog(struct obj *o, size_t *cap, size_t elf_idx, size_t sec_idx, const char *name,
		    size_t off, size_t sz)
{
	const struct sec *s = &o->elfs[elf_idx].secs[sec_idx];
	struct prog *p;
	size_t name_off = 0;
	int err;

	if (obj__find_prog(o, name)) {
		pr_warn(o->pr, "%s: prog '%s': a program of that name already exists",
			o->elfs[elf_idx].name, name);
		return -EEXIST;
	}
	if (grow(&o->progs, cap, o->prog_cnt + 1, sizeof(*o->progs)))
		return -ENOMEM;
	p = &o->progs[o->prog_cnt++];
	memset(p, 0, sizeof(*p));
	p->obj = o;
	p->pr = o->pr;
	p->fd = -1;
	p->name = strdup(name);
	p->sec_name = strdup(s->name);
	if (!p->name || !p->sec_name)
		return -ENOMEM;
	err = sec_prog_type(&o->elfs[elf_idx], s, &p->type, &name_off, &p->attach);
	p->tp_name = p->sec_name + name_off;
	p->elf_idx = elf_idx;
	p->sec_idx = sec_idx;
	p->off = off;
	p->sz = sz;
	return err;
}

static int collect_sec_progs(struct obj *o, size_t *cap, size_t elf_idx, size_t sec_idx)
{
	const struct elf_obj *e = &o->elfs[elf_idx];
	const struct sec *s = &e->secs[sec_idx];
	const char *base;
	size_t i, found = 0;
	GElf_Sym sym;
	int err;

	for (i = 1; i < e->sym_cnt; i++) {
		if (elf__sym(e, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx != sec_idx || !sym.st_size)
			continue;
		err = add_prog(o, cap, elf_idx, sec_idx, elf__sym_name(e, &sym), sym.st_value,
			       sym.st_size);
		if (err)
			return err;
		found++;
	}
	if (found || !s->sh.sh_size)
		return 0;
	base = strrchr(s->name, '/');
	return add_prog(o, cap, elf_idx, sec_idx, base ? base + 1 : s->name, 0, s->sh.sh_size);
}

static int collect_progs(struct obj *o)
{
	size_t cap = 0, i, j;
	int err;

	for (i = 0; i < o->elf_cnt; i++) {
		for (j = 1; j < o->elfs[i].sec_cnt; j++) {
			const struct sec *s = &o->elfs[i].secs[j];

			if (!sec_is_exec(s) || !strcmp(s->name, ".text"))
				continue;
			err = collect_sec_progs(o, &cap, i, j);
			if (err)
				return err;
		}
	}
	return 0;
}

static void read_license(struct obj *o)
{
	const struct sec *s;
	size_t i, j, n;

	strcpy(o->license, "GPL");
	for (i = 0; i < o->elf_cnt; i++) {
		for (j = 1; j < o->elfs[i].sec_cnt; j++) {
			s = &o->elfs[i].secs[j];
			if (strcmp(s->name, "license") || !sec_bytes(s) || !s->sh.sh_size)
				continue;
			n = s->sh.sh_size < sizeof(o->license) - 1 ? s->sh.sh_size
								   : sizeof(o->license) - 1;
			memcpy(o->license, sec_bytes(s), n);
			o->license[n] = '\0';
			return;
		}
	}
}

static int open_elfs(struct obj *o, const struct obj_src *srcs, size_t src_cnt)
{
	size_t i;
	int err;

	o->elfs = calloc(src_cnt, sizeof(*o->elfs));
	if (!o->elfs)
		return -ENOMEM;
	for (i = 0; i < src_cnt; i++) {
		err = elf__open(&o->elfs[i], &srcs[i], o->pr);
		o->elf_cnt = i + 1;
		err = err ?: elf__read_btf(&o->elfs[i]);
		if (err)
			return err;
	}
	return 0;
}

/* the object's own copy of what it keeps of the options */
static int take_opts(struct obj *o, const struct obj_open_opts *opts)
{
	const size_t print_end = offsetof(struct obj_open_opts, print_ctx) + sizeof(void *);
	struct obj_open_opts oo;
	int err = opts_copy(&oo, sizeof(oo), opts);

	/* refused options still say where messages go, when they hold that */
	if (err && opts->sz >= print_end) {
		oo.print = opts->print;
		oo.print_ctx = opts->print_ctx;
	}
	o->pr = malloc(sizeof(*o->pr));
	if (!o->pr)
		return -ENOMEM;
	printer_init(o->pr, oo.print, oo.print_ctx);
	if (err) {
		pr_warn(o->pr, "obj: open options of %zu bytes %s", opts->sz, opts_refusal(opts));
		return err;
	}
	if (oo.tracefs && *oo.tracefs && !(o->tracefs = strdup(oo.tracefs)))
		return -ENOMEM;
	return 0;
}

int obj__open_mem(struct obj **out, const struct obj_src *srcs, size_t src_cnt,
		  const struct obj_open_opts *opts)
{
	struct timespec t0;
	struct obj *o;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->atomics = -1;
	err = take_opts(o, opts);
	if (!err && elf_version(EV_CURRENT) == EV_NONE) {
		pr_warn(o->pr, "libelf: %s", elf_errmsg(-1));
		err = -EINVAL;
	}
	err = err ?: open_elfs(o, srcs, src_cnt);
	err = err ?: obj__collect_maps(o);
	err = err ?: obj__collect_globals(o);
	err = err ?: obj__classify_relos(o);
	err = err ?: collect_progs(o);
	if (err) {
		obj__close(o);
		return err;
	}
	read_license(o);
	*out = o;
	pr_debug(o->pr, "obj: %zu objects parsed in %.1f ms: %zu programs, %zu maps", src_cnt,
		 lap_ms(&t0), o->prog_cnt, o->map_cnt);
	return 0;
}

int obj__link_core(struct obj *o, const struct btf_data *vmlinux)
{
	size_t i;
	int err;

	for (i = 0; i < o->prog_cnt; i++) {
		if (o->progs[i].noload)
			continue;
		err = prog__link(o, &o->progs[i]);
		err = err ?: vmlinux ? prog__core(o, &o->progs[i], vmlinux) : 0;
		err = err ?: prog__poison_atomics(o, &o->progs[i]);
		if (err)
			return err;
	}
	return 0;
}

/* the fd of each map load's map, found again by its relocation */
void obj__patch_map_fds(struct obj *o)
{
	for (size_t i = 0; i < o->prog_cnt; i++) {
		struct prog *p = &o->progs[i];

		for (size_t j = 0; j + 1 < p->insn_cnt; j++) {
			struct bpf_insn *in = &p->insns[j];
			const struct relo *r;

			if (!is_ldimm64(in))
				continue;
			r = in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE
				    ? obj__relo_at(o, &p->orig[j])
				    : NULL;
			if (r && (r->kind == RELO_MAP || r->kind == RELO_DATA))
				in->imm = o->maps[r->map_idx].fd;
			j++; /* the second half of the ld_imm64 */
		}
	}
}

int obj__relocate(struct obj *o, const struct btf_data *vmlinux)
{
	int err = obj__link_core(o, vmlinux);

	if (!err)
		obj__patch_map_fds(o);
	return err;
}

/*
 * Before 5.11 the kernel charges map and program memory to RLIMIT_MEMLOCK
 * (64 KiB by default before 5.16), so 5.10 refuses our maps with EPERM.
 * From 5.11 on memory is charged to the memory cgroup and the limit does
 * not matter.  Raise it for the loads only, so a traced command inherits
 * the caller's limit; raising may fail without harm where it is not needed
 * (a container without CAP_SYS_RESOURCE), so the failure is only kept for
 * map creation to name if the kernel then refuses a map (maps.c).
 */
static void memlock_raise(struct obj *o, struct rlimit *saved)
{
	const struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY };

	o->memlock_err = 0;
	if (getrlimit(RLIMIT_MEMLOCK, saved)) {
		o->memlock_err = -errno;
		return;
	}
	if (saved->rlim_cur == RLIM_INFINITY)
		return;
	if (setrlimit(RLIMIT_MEMLOCK, &inf))
		o->memlock_err = -errno;
	else
		o->memlock_raised = true;
}

/* Lowering never fails; what was charged while the limit was high stays charged. */
static void memlock_restore(struct obj *o, const struct rlimit *saved)
{
	if (o->memlock_raised && setrlimit(RLIMIT_MEMLOCK, saved))
		pr_debug(o->pr, "obj: cannot restore RLIMIT_MEMLOCK: %s", strerror(errno));
	o->memlock_raised = false;
}

/*
 * The kernel verifies programs of one process in parallel, one per CPU:
 * a loader per online CPU (more only time-slice the same cores) takes
 * programs in turn from an atomic cursor over load_order, and the first
 * error in program order is returned, reported by prog__load as always.
 */
#define LOAD_THREADS_MAX 8

struct load_job {
	struct obj *o;
	const struct obj_load_opts *opts;
	size_t *order; /* program indices, longest first */
	size_t next;   /* atomic cursor into order */
	int *errs;     /* per program */
	size_t cnt;    /* entries of order: the programs that are nobody's twin */
};

static void *load_worker(void *arg)
{
	struct load_job *job = arg;
	size_t i, idx;

	while ((i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED)) < job->cnt) {
		idx = job->order[i];
		job->errs[idx] = prog__load(job->o, &job->o->progs[idx], job->opts);
	}
	return NULL;
}

/*
 * Verification time is not known before the load, and no static measure
 * tells it exactly (programs with loops take longest for their size), but
 * the longest programs are the slow ones more often than not: they go
 * first, so that the last to finish is a short one and the loaders end
 * together (longest first).  Measured on 6.18, 2 CPUs, iotrace's 26
 * programs, four alternating runs of 30 launches: ready at the median
 * 52.3-53.8 ms with the tail-called programs first, then object order;
 * 50.3-51.3 ms longest first.
 */
static int cmp_weight(const void *a, const void *b, void *arg)
{
	const struct obj *o = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t nx = o->progs[x].insn_cnt, ny = o->progs[y].insn_cnt;

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return x < y ? -1 : x > y;
}

static size_t loader_cnt(size_t prog_cnt)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus > 0 ? (size_t)cpus : 1;

	n = n < LOAD_THREADS_MAX ? n : LOAD_THREADS_MAX;
	return n < prog_cnt ? n : (prog_cnt ? prog_cnt : 1);
}

/*
 * Programs whose final instructions are the same (handlers of several
 * hooks that share one body) are loaded once: the later ones are twins of
 * the first and get a duplicate of its fd (and a copy of its log).  Each
 * still attaches to its own tracepoint.
 */
static void find_twins(struct obj *o)
{
	struct prog *p, *q;
	size_t i, j;

	for (i = 0; i < o->prog_cnt; i++) {
		p = &o->progs[i];
		p->twin = NULL;
		for (j = 0; j < i && !p->twin && !p->noload && !p->deferred; j++) {
			q = &o->progs[j];
			if (!q->twin && !q->noload && !q->deferred && q->type == p->type &&
			    q->insn_cnt == p->insn_cnt &&
			    !memcmp(q->insns, p->insns, p->insn_cnt * sizeof(*p->insns)))
				p->twin = q;
		}
	}
}

static int share_twin(struct prog *p)
{
	p->fd = fcntl(p->twin->fd, F_DUPFD_CLOEXEC, 0);
	if (p->fd < 0) {
		pr_warn(p->pr, "prog '%s': cannot share the program of '%s': %s", p->name,
			p->twin->name, strerror(errno));
		return -errno;
	}
	free(p->log);
	p->log = p->twin->log ? strdup(p->twin->log) : NULL;
	pr_debug(p->pr, "prog '%s': the same instructions as '%s': shares its program, fd %d",
		 p->name, p->twin->name, p->fd);
	return 0;
}

static int load_progs(struct obj *o, const struct obj_load_opts *opts)
{
	size_t n = o->prog_cnt ? o->prog_cnt : 1, started = 0, i;
	struct load_job job = { o, opts, calloc(n, sizeof(size_t)), 0, calloc(n, sizeof(int)), 0 };
	pthread_t tids[LOAD_THREADS_MAX];
	int err = -ENOMEM;

	if (!job.order || !job.errs)
		goto out;
	find_twins(o);
	for (i = 0; i < o->prog_cnt; i++)
		if (!o->progs[i].twin && !o->progs[i].noload && !o->progs[i].deferred)
			job.order[job.cnt++] = i;
	qsort_r(job.order, job.cnt, sizeof(size_t), cmp_weight, o);
	for (i = 1; i < loader_cnt(job.cnt); i++)
		if (!pthread_create(&tids[started], NULL, load_worker, &job))
			started++;
	load_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pr_debug(o->pr, "obj: %zu of %zu programs loaded by %zu threads, '%s' first", job.cnt,
		 o->prog_cnt, started + 1, job.cnt ? o->progs[job.order[0]].name : "-");
	for (i = 0, err = 0; i < o->prog_cnt && !err; i++)
		err = job.errs[i];
	for (i = 0; i < o->prog_cnt && !err; i++)
		if (o->progs[i].twin)
			err = share_twin(&o->progs[i]);
	/* the insn origins serve relocation only: 24 B per insn, freed once loaded */
	for (i = 0; i < o->prog_cnt && !err; i++) {
		free(o->progs[i].orig);
		o->progs[i].orig = NULL;
		o->progs[i].orig_cap = 0;
	}
out:
	free(job.order);
	free(job.errs);
	return err;
}

static void *create_maps_worker(void *arg)
{
	struct obj *o = arg;

	return (void *)(intptr_t)obj__create_maps(o);
}

/*
 * Maps are created (kernel work: 5-7 ms on 6.18, mostly the hash tables'
 * bucket arrays) by a thread while this one maps and indexes vmlinux BTF
 * (3-5 ms) and links and relocates the programs (3-4 ms), which need the
 * maps' indexes only; their fds go in after the join.  A map error comes
 * first, as it would one after the other.
 */
static int maps_and_relocation(struct obj *o, const char *path, struct btf_data **vmlinux)
{
	pthread_t tid;
	void *ret = NULL;
	int err;

	if (pthread_create(&tid, NULL, create_maps_worker, o)) {
		err = obj__create_maps(o);
		err = err ?: obj__needs_core(o) ? btf_data__load_file(vmlinux, path, o->pr) : 0;
		return err ?: obj__relocate(o, *vmlinux);
	}
	err = obj__needs_core(o) ? btf_data__load_file(vmlinux, path, o->pr) : 0;
	err = err ?: obj__link_core(o, *vmlinux);
	pthread_join(tid, &ret);
	err = (int)(intptr_t)ret ?: err;
	if (!err)
		obj__patch_map_fds(o);
	return err;
}

int obj__load(struct obj *o, const struct obj_load_opts *opts)
{
	struct btf_data *vmlinux = NULL;
	struct obj_load_opts lo;
	struct timespec t0;
	struct rlimit saved;
	const char *path;
	int err;

	if (opts_copy(&lo, sizeof(lo), opts)) {
		pr_warn(o->pr, "obj: load options of %zu bytes %s", opts->sz, opts_refusal(opts));
		return -EINVAL;
	}
	path = lo.btf_path ? lo.btf_path : DEFAULT_VMLINUX;
	if (o->loaded) {
		pr_warn(o->pr, "obj: already loaded");
		return -EBUSY;
	}
	o->loaded = true;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memlock_raise(o, &saved);
	err = maps_and_relocation(o, path, &vmlinux);
	pr_debug(o->pr,
		 "obj: maps created while vmlinux BTF was indexed and programs relocated: %.1f ms",
		 lap_ms(&t0));
	err = err ?: load_progs(o, &lo);
	pr_debug(o->pr, "obj: programs loaded in %.1f ms", lap_ms(&t0));
	memlock_restore(o, &saved);
	btf_data__free(vmlinux);
	return err;
}

int obj__load_deferred(struct obj *o, const struct obj_load_opts *opts)
{
	struct obj_load_opts lo;
	struct rlimit saved;
	int err = 0;

	if (opts_copy(&lo, sizeof(lo), opts)) {
		pr_warn(o->pr, "obj: load options of %zu bytes %s", opts->sz, opts_refusal(opts));
		return -EINVAL;
	}
	if (!o->loaded) {
		pr_warn(o->pr, "obj: deferred programs are loaded after obj__load");
		return -EINVAL;
	}
	memlock_raise(o, &saved);
	for (size_t i = 0; i < o->prog_cnt && !err; i++)
		if (o->progs[i].deferred && !o->progs[i].noload && o->progs[i].fd < 0)
			err = prog__load(o, &o->progs[i], &lo);
	memlock_restore(o, &saved);
	return err;
}

static void prog__free(struct prog *p)
{
	size_t i;

	if (p->fd >= 0)
		close(p->fd);
	for (i = 0; i < p->poison_cnt; i++)
		free(p->poisons[i].what);
	free(p->poisons);
	free(p->insns);
	free(p->orig);
	free(p->log);
	free(p->name);
	free(p->sec_name);
}

void obj__close(struct obj *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->prog_cnt; i++)
		prog__free(&o->progs[i]);
	for (i = 0; i < o->map_cnt; i++) {
		if (o->maps[i].fd >= 0)
			close(o->maps[i].fd);
		free(o->maps[i].name);
		free(o->maps[i].init);
	}
	for (i = 0; i < o->elf_cnt; i++)
		elf__close(&o->elfs[i]);
	free(o->progs);
	free(o->maps);
	for (size_t i = 0; i < o->global_cnt; i++)
		free(o->globals[i].key);
	free(o->globals);
	free(o->elfs);
	free(o->ksym_ids);
	free(o->tracefs);
	if (o->pr)
		printer_destroy(o->pr);
	free(o->pr);
	free(o);
}
