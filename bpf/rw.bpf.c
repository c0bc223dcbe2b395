// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall entry/exit handlers for file I/O.  One generic pair, on_enter() and
 * on_exit(), specialised per syscall at compile time from syscalls.def: a new
 * syscall is a line of data there plus one HOOK() line here.  Entry filters
 * the task (asm filter_task), resolves fd -> struct file -> inode, keeps the
 * starting offset and request size per thread; exit counts the call.
 */
#include "helpers.bpf.h"
#include "kernel.bpf.h"
#include "maps.bpf.h"

#define O_APPEND 02000

/* asm/: see the register contracts there */
extern __u32 hist_bucket(__u64 v);
extern __u32 seq_classify(struct seq_state *st, __u64 start, __u64 done);
extern __u32 seq_rewrite(struct seq_state *st, __u64 start);
extern __u32 filter_task(__u32 tgid, const char *comm, __u32 self_tgid, __u32 mode);
extern __u32 filter_file(__u32 mode, __u64 sb_flags);

/* include/trace/events/syscalls.h: 8 bytes of common fields, then the nr */
struct sys_enter_ctx {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__u64 args[6];
};

struct sys_exit_ctx {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__s64 ret;
};

static __always_inline struct file *fd_to_file(__u64 fd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct files_struct *files;
	struct fdtable *fdt;
	struct file **fds, *file;
	unsigned int max_fds;

	KREAD(files, task->files);
	if (!files)
		return 0;
	KREAD(fdt, files->fdt);
	if (!fdt)
		return 0;
	KREAD(max_fds, fdt->max_fds);
	if (fd >= max_fds)
		return 0;
	KREAD(fds, fdt->fd);
	if (!fds)
		return 0;
	KREAD(file, fds[fd]);
	return file;
}

/* Starting offset of a call that uses the file position (O_APPEND: the size). */
static __always_inline __u64 file_pos(struct file *file, struct inode *inode)
{
	unsigned int flags;
	long long pos;

	KREAD(flags, file->f_flags);
	if (flags & O_APPEND)
		KREAD(pos, inode->i_size);
	else
		KREAD(pos, file->f_pos);
	return pos;
}

#define ARG_COUNT(n) (ctx->args[n])
#define OFF_POS (file_pos(file, inode))
#define OFF_ARG(n) (ctx->args[n])
#define OFF_ARG_OR_POS(n) ((__s64)ctx->args[n] == -1 ? file_pos(file, inode) : ctx->args[n])

static __always_inline int on_enter(struct sys_enter_ctx *ctx, __u32 sc, __u64 req,
				    struct file *file, struct inode *inode, __u64 start);

static __always_inline int on_enter_filtered(struct sys_enter_ctx *ctx, __u32 sc,
					     struct file **filep, struct inode **inodep)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	char comm[COMM_LEN] = {};
	struct super_block *sb;
	unsigned long sb_flags;
	struct inode *inode;
	struct file *file;
	__u16 mode;

	if (iot_cfg.filter_mode & FILTER_COMMS)
		bpf_get_current_comm(comm, sizeof(comm));
	if (!filter_task(pid_tgid >> 32, comm, iot_cfg.self_tgid, iot_cfg.filter_mode))
		return 0;
	file = fd_to_file((__u32)ctx->args[0]);
	if (!file)
		return 0;
	KREAD(inode, file->f_inode);
	if (!inode)
		return 0;
	KREAD(mode, inode->i_mode);
	KREAD(sb, inode->i_sb);
	if (!sb)
		return 0;
	KREAD(sb_flags, sb->s_flags);
	if (!filter_file(mode, sb_flags))
		return 0;
	*filep = file;
	*inodep = inode;
	return 1;
}

static __always_inline int on_enter(struct sys_enter_ctx *ctx, __u32 sc, __u64 req,
				    struct file *file, struct inode *inode, __u64 start)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct super_block *sb;
	struct inflight inf = {};
	unsigned long ino;
	__u32 dev;

	KREAD(sb, inode->i_sb);
	KREAD(dev, sb->s_dev);
	KREAD(ino, inode->i_ino);
	KREAD(inf.nlink, inode->i_nlink);
	inf.fk.dev = dev;
	inf.fk.ino = ino;
	if (iot_cfg.per_process)
		inf.fk.tgid = bpf_get_current_pid_tgid() >> 32;
	inf.file = (__u64)file;
	inf.ts = bpf_ktime_get_ns();
	inf.start = start;
	inf.req = req;
	inf.sc = sc;
	if (bpf_map_update_elem(&inflight, &tid, &inf, BPF_ANY))
		drop(DROP_INFLIGHT_FULL);
	return 0;
}

/* ---- exit side -------------------------------------------------------- */

/*
 * Walk dentries up to the namespace root, leaf first, crossing mounts.
 * The write offset lives in ev->path_sz (map memory), not in a register:
 * reloaded each iteration it is an unknown scalar bounded by one check, so
 * every iteration starts from the same verifier state.  Kept in a register,
 * its range grows per iteration and per mount crossing, and the verifier
 * gave up after 1M insns (6.18).
 */
static __always_inline void walk_path(struct ev_file *ev, struct file *file)
{
	struct dentry *dentry, *parent, *root;
	struct vfsmount *vfsmnt;
	struct mount *mnt, *mnt_parent;
	const unsigned char *name;
	__u32 off;
	long n;
	int i;

	KREAD(dentry, file->f_path.dentry);
	KREAD(vfsmnt, file->f_path.mnt);
	mnt = (void *)((char *)vfsmnt - __builtin_preserve_field_info(((struct mount *)0)->mnt, 0));
	ev->truncated = 1;
	ev->path_sz = 0;
#pragma clang loop unroll(disable)
	for (i = 0; i < PATH_MAX_DEPTH; i++) {
		KREAD(root, mnt->mnt.mnt_root);
		if (dentry == root) {
			KREAD(mnt_parent, mnt->mnt_parent);
			if (!mnt_parent || mnt_parent == mnt) {
				ev->truncated = 0;
				break;
			}
			KREAD(dentry, mnt->mnt_mountpoint);
			mnt = mnt_parent;
			continue;
		}
		KREAD(parent, dentry->d_parent);
		if (!parent || parent == dentry) {
			ev->truncated = 0;
			break;
		}
		off = ev->path_sz;
		if (off >= PATH_BUF_SZ)
			break;
		KREAD(name, dentry->d_name.name);
		n = bpf_probe_read_kernel_str(&ev->path[off], 256, name);
		if (n <= 0)
			break;
		ev->path_sz = off + n;
		dentry = parent;
	}
}

static __noinline void emit_file(struct inflight *inf, const char *comm)
{
	struct file *file = (void *)inf->file;
	struct file_system_type *type;
	struct inode *inode;
	struct super_block *sb;
	const char *fsname;
	struct ev_file *ev;
	__u32 zero = 0, sz;
	__u16 mode;

	ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return;
	ev->hdr.type = EV_FILE;
	ev->hdr.fk = inf->fk;
	__builtin_memcpy(ev->comm, comm, COMM_LEN);
	KREAD(inode, file->f_inode);
	KREAD(mode, inode->i_mode);
	ev->mode = mode;
	ev->nlink = inf->nlink;
	KREAD(sb, inode->i_sb);
	KREAD(type, sb->s_type);
	KREAD(fsname, type->name);
	if (bpf_probe_read_kernel_str(ev->fstype, sizeof(ev->fstype), fsname) < 0)
		ev->fstype[0] = 0;
	walk_path(ev, file);
	if (ev->truncated)
		drop(DROP_PATH_TRUNC);
	sz = ev->path_sz;
	if (sz > PATH_BUF_SZ + 256)
		sz = PATH_BUF_SZ + 256;
	sz += __builtin_offsetof(struct ev_file, path);
	ev->hdr.len = sz;
	if (bpf_ringbuf_output(&events, ev, sz, 0))
		drop(DROP_EVENTS_FULL);
}

static __always_inline void emit_comm(struct file_key *fk, const char *comm)
{
	struct ev_comm ev = { .hdr = { .type = EV_COMM, .len = sizeof(ev), .fk = *fk } };

	__builtin_memcpy(ev.comm, comm, COMM_LEN);
	if (bpf_ringbuf_output(&events, &ev, sizeof(ev), 0))
		drop(DROP_EVENTS_FULL);
}

/* Find a hash entry or create it zeroed; *created tells which happened. */
static __always_inline void *lookup_or_init(void *map, const void *key, int *created)
{
	__u32 zero = 0;
	void *val, *init;
	long err;

	*created = 0;
	val = bpf_map_lookup_elem(map, key);
	if (val)
		return val;
	init = bpf_map_lookup_elem(&zeroes, &zero);
	if (!init)
		return 0;
	err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	if (err == 0)
		*created = 1;
	else if (err != -17 /* EEXIST: another CPU was first */)
		return 0;
	return bpf_map_lookup_elem(map, key);
}

static __always_inline void count_side(struct rw_side *side, struct inflight *inf, __s64 ret,
				       __u32 kind)
{
	__sync_fetch_and_add(&side->calls, 1);
	if (!side->first_entry_ns || inf->ts < side->first_entry_ns)
		side->first_entry_ns = inf->ts;
	if (kind == SC_KIND_WRITE && seq_rewrite(&side->seq, inf->start))
		__sync_fetch_and_add(&side->rewrites, 1);
	if (ret < 0) {
		__sync_fetch_and_add(&side->errors, 1);
		return;
	}
	__sync_fetch_and_add(&side->bytes, ret);
	side->last_return_ns = bpf_ktime_get_ns();
	if (seq_classify(&side->seq, inf->start, ret)) {
		__sync_fetch_and_add(&side->seq_calls, 1);
		__sync_fetch_and_add(&side->seq_hist[hist_bucket(ret)], 1);
	}
}

static __always_inline void count_syscall(struct inflight *inf, __s64 ret)
{
	struct sc_key key = { .fk = inf->fk, .sc = inf->sc };
	struct sc_stats *st;
	int created;

	st = lookup_or_init(&scstats, &key, &created);
	if (!st) {
		drop(DROP_SCSTATS_FULL);
		return;
	}
	__sync_fetch_and_add(&st->calls, 1);
	__sync_fetch_and_add(&st->req_hist[hist_bucket(inf->req)], 1);
	if (ret < 0) {
		__sync_fetch_and_add(&st->errors, 1);
		return;
	}
	__sync_fetch_and_add(&st->bytes, ret);
	__sync_fetch_and_add(&st->done_hist[hist_bucket(ret)], 1);
}

static __always_inline int on_exit(struct sys_exit_ctx *ctx, __u32 kind)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 comm[2] = {};
	struct inflight inf, *p;
	struct file_rec *rec;
	int created;

	p = bpf_map_lookup_elem(&inflight, &tid);
	if (!p)
		return 0;
	inf = *p;
	bpf_map_delete_elem(&inflight, &tid);
	bpf_get_current_comm(comm, sizeof(comm));
	rec = lookup_or_init(&files, &inf.fk, &created);
	if (!rec) {
		drop(DROP_FILES_FULL);
		return 0;
	}
	if (created)
		emit_file(&inf, (const char *)comm);
	if (rec->last_comm[0] != comm[0] || rec->last_comm[1] != comm[1]) {
		rec->last_comm[0] = comm[0];
		rec->last_comm[1] = comm[1];
		if (!created)
			emit_comm(&inf.fk, (const char *)comm);
	}
	rec->nlink = inf.nlink;
	if (kind <= SC_KIND_WRITE)
		count_side(&rec->side[kind], &inf, ctx->ret, kind);
	count_syscall(&inf, ctx->ret);
	return 0;
}

/*
 * HOOK(name, req, off): the enter/exit program pair of one syscall.  req and
 * off are the ARG_/OFF_ expressions of syscalls.def, evaluated at entry.
 */
#define HOOK(name, kind, req, off)                                                                 \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                                \
	int sys_enter_##name(struct sys_enter_ctx *ctx)                                            \
	{                                                                                          \
		struct inode *inode;                                                               \
		struct file *file;                                                                 \
                                                                                                   \
		if (!on_enter_filtered(ctx, SC_##name, &file, &inode))                             \
			return 0;                                                                  \
		return on_enter(ctx, SC_##name, req, file, inode, off);                            \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int sys_exit_##name(struct sys_exit_ctx *ctx)                                              \
	{                                                                                          \
		return on_exit(ctx, kind);                                                         \
	}

HOOK(read, SC_KIND_READ, ARG_COUNT(2), OFF_POS)
HOOK(write, SC_KIND_WRITE, ARG_COUNT(2), OFF_POS)
HOOK(pread64, SC_KIND_READ, ARG_COUNT(2), OFF_ARG(3))
HOOK(pwrite64, SC_KIND_WRITE, ARG_COUNT(2), OFF_ARG(3))

char LICENSE[] SEC("license") = "GPL";
