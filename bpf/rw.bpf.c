// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall entry/exit handlers for file I/O: a syscall is one line of
 * include/syscalls.def (its fd, request-size and offset expressions), which
 * gives it a sys_enter_ and a sys_exit_ program at the end of this file.
 * The programs share two bodies, on_enter() (one per argument count) and
 * on_exit(), so the loader loads each body once.  Entry filters the task
 * (asm filter_task), resolves fd -> struct file -> inode in BPF and keeps
 * what exit needs per thread; exit counts the call into the file's record.
 * The path of a new record is walked in emit_files, a tail call.
 */
#include "helpers.bpf.h"
#include "kernel.bpf.h"
#include "maps.bpf.h"
#include "filter.bpf.h"
/* the target architecture's syscall numbers and open flags (mk/arch.mk) */
#include <asm/fcntl.h>
#include <asm/unistd.h>
#include <linux/io_uring.h>

#define IOV_MAX 1024
#define EEXIST	17
#define E2BIG	7

/* asm/: see the register contracts there */
extern __u32 hist_bucket(__u64 v);
extern __u32 lat_bucket(__u64 v);
extern __u32 seq_classify(struct seq_state *st, __u64 start, __u64 done);
extern __u32 seq_rewrite(struct seq_state *st, __u64 start);
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

struct iovec_user {
	__u64 base;
	__u64 len;
};

/* ---- entry side ------------------------------------------------------- */

/*
 * A field of a struct copied into a head buffer (struct heads): its offset
 * is a CO-RE relocated constant, so the verifier checks the bound once per
 * program.  A kernel whose field lies beyond HEAD_SZ reads 0, and the file
 * is then not recorded (never a wrong value).
 */
#define COPY_FIELD(buf, buf_sz, type, field, dst)                                                  \
	do {                                                                                       \
		__u32 off_ = FIELD_OFF(type, field);                                               \
                                                                                                   \
		(dst) = 0;                                                                         \
		if (off_ <= (buf_sz) - sizeof(dst))                                                \
			__builtin_memcpy(&(dst), (buf) + off_, sizeof(dst));                       \
	} while (0)
#define HEAD_FIELD(buf, type, field, dst) COPY_FIELD(buf, HEAD_SZ, type, field, dst)

static __always_inline struct file *fd_to_file(__u64 fd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct files_struct *files;
	struct fdtable *fdt;
	struct file **fds, *file;
	unsigned int max_fds;
	__u8 fdt_head[16];

	KREAD(files, task->files);
	if (!files)
		return 0;
	KREAD(fdt, files->fdt);
	/* max_fds and fd are the first fields of struct fdtable: one read */
	if (!fdt || bpf_probe_read_kernel(fdt_head, sizeof(fdt_head), fdt))
		return 0;
	COPY_FIELD(fdt_head, sizeof(fdt_head), struct fdtable, max_fds, max_fds);
	if (fd >= max_fds)
		return 0;
	COPY_FIELD(fdt_head, sizeof(fdt_head), struct fdtable, fd, fds);
	if (!fds)
		return 0;
	KREAD(file, fds[fd]);
	return file;
}

/* What entry learns of a file, by either path below. */
struct file_facts {
	__u64 file; /* struct file *, for emit_files */
	unsigned long ino;
	unsigned long sb_flags;
	long long pos;	/* f_pos */
	long long size; /* i_size */
	__u32 dev;
	__u32 gen; /* i_generation */
	__u32 nlink;
	__u32 flags; /* f_flags */
	__u16 mode;
};

/*
 * Starting offset of a call that uses the file position; a write on an
 * O_APPEND file starts at the size (a read there still reads at the position).
 */
static __always_inline __u64 file_pos(const struct file_facts *ff, int is_write)
{
	return is_write && (ff->flags & O_APPEND) ? ff->size : ff->pos;
}

/*
 * Add the next IOV_STEP iovec lengths into the slot's request size; 1 when
 * the array is done (cnt entries, IOV_MAX at most, or an unreadable entry).
 * iov_sum_prog tail-calls itself until then: the verifier walks 64 steps
 * once instead of 1024 (15.4k insns processed, 6.18).
 */
#define IOV_STEP 64
static __always_inline int iov_sum_step(struct inflight *slot, __u64 uiov, __u64 cnt)
{
	const struct iovec_user *iov = (const void *)uiov;
	__u32 base = slot->iov_done;
	__u64 sum = slot->req, len;
	int i, done = 0;

	if (cnt > IOV_MAX)
		cnt = IOV_MAX;
#pragma clang loop unroll(disable)
	for (i = 0; i < IOV_STEP; i++) {
		__u32 idx = base + i;

		if (idx >= cnt || bpf_probe_read_user(&len, sizeof(len), &iov[idx].len)) {
			done = 1;
			break;
		}
		sum += len;
	}
	slot->req = sum;
	slot->iov_done = base + IOV_STEP;
	return done || base + IOV_STEP >= cnt;
}

static __always_inline __u64 user_u64_or(__u64 uptr, __u64 fallback)
{
	__u64 v;

	if (!uptr || bpf_probe_read_user(&v, sizeof(v), (const void *)uptr))
		return fallback;
	return v;
}

/*
 * The current task as a read-only BTF pointer (6.2+ path).  The helper's
 * pointer is trusted, and the verifier looks up a "<struct>__safe_trusted"
 * type by name, a linear walk of all of vmlinux BTF, at every pointer field
 * loaded through a trusted or RCU pointer: about 20 ms of load time for the
 * enter bodies.  The cast (inlined to a register move) makes it untrusted,
 * so loads are plain exception-table loads and no lookups happen.
 */
static __always_inline struct task_struct *current_task_ro(void)
{
	return bpf_rdonly_cast(bpf_get_current_task_btf(), core_type_id_kernel(struct task_struct));
}

/*
 * The current thread's tgid << 32 | pid, as bpf_get_current_pid_tgid gives
 * them, and on 6.2+ its task (NULL before): there both come from one
 * helper call, and the comm and fd table are read through the same task.
 */
static __always_inline __u64 current_ids(struct task_struct **task)
{
	if (bpf_rdonly_cast) {
		*task = current_task_ro();
		return (__u64)(__u32)(*task)->tgid << 32 | (__u32)(*task)->pid;
	}
	*task = 0;
	return bpf_get_current_pid_tgid();
}

/*
 * The current comm as two words: two plain loads through the BTF task
 * pointer where the kernel has BTF pointer reads (the 6.2+ path, see
 * facts_btf), else the helper, which costs about 50 ns (strscpy_pad).
 */
static __always_inline void current_comm(struct task_struct *task, __u64 comm[2])
{
	if (bpf_rdonly_cast) {
		comm[0] = *(__u64 *)&task->comm[0];
		comm[1] = *(__u64 *)&task->comm[8];
	} else {
		bpf_get_current_comm(comm, COMM_LEN);
	}
}

/* Is the task traced?  (bpf/filter.bpf.h with this build's knobs) */
static __always_inline int task_traced(struct task_struct *task, __u64 pid_tgid)
{
	__u64 comm[2] = {};

	if (iot_cfg.filter_mode & FILTER_COMMS)
		current_comm(task, comm);
	return task_filter(pid_tgid >> 32, (const char *)comm, iot_cfg.self_tgid,
			   iot_cfg.filter_mode, (const struct comm_list *)&iot_cfg.comms);
}

/*
 * fd -> file facts on a kernel with bpf_rdonly_cast (6.2+): the task, its
 * fd table, the fd array slot and the file, inode and super block are BTF
 * pointers read by plain loads (the JIT's exception table turns a fault
 * into 0), no probe read.  The slot is a `struct file *` in an array the
 * verifier sees as a number: cast to an hlist_head, whose first member is
 * one pointer at offset 0 in every kernel, its load is the slot's value.
 */
static __always_inline int file_facts_btf(__u64 fp, struct file_facts *ff)
{
	struct file *file = bpf_rdonly_cast((void *)fp, core_type_id_kernel(struct file));
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode->i_sb;

	ff->file = fp;
	ff->flags = file->f_flags;
	ff->pos = file->f_pos;
	ff->mode = inode->i_mode;
	ff->ino = inode->i_ino;
	ff->gen = inode->i_generation;
	ff->nlink = inode->i_nlink;
	ff->size = inode->i_size;
	ff->sb_flags = sb->s_flags;
	ff->dev = sb->s_dev;
	return 1;
}

static __always_inline int facts_btf(struct task_struct *task, __u32 fd, struct file_facts *ff)
{
	struct fdtable *fdt = task->files->fdt;
	struct hlist_head *slot;
	__u64 fds, fp;

	if (fd >= fdt->max_fds)
		return 0;
	fds = (__u64)fdt->fd;
	slot = bpf_rdonly_cast((void *)(fds + fd * sizeof(fp)),
			       core_type_id_kernel(struct hlist_head));
	fp = (__u64)slot->first;
	if (!fp)
		return 0;
	return file_facts_btf(fp, ff);
}

/* The same by probe reads, on older kernels: one per struct head. */
static __always_inline int file_facts_heads(struct file *file, struct file_facts *ff)
{
	struct super_block *sb;
	struct inode *inode;
	struct heads *h;
	__u32 zero = 0;

	h = bpf_map_lookup_elem(&heads, &zero);
	if (!h || !file || bpf_probe_read_kernel(h->file, HEAD_SZ, file))
		return 0;
	HEAD_FIELD(h->file, struct file, f_inode, inode);
	if (!inode || bpf_probe_read_kernel(h->inode, HEAD_SZ, inode))
		return 0;
	HEAD_FIELD(h->inode, struct inode, i_sb, sb);
	if (!sb || bpf_probe_read_kernel(h->sb, HEAD_SZ, sb))
		return 0;
	ff->file = (__u64)file;
	HEAD_FIELD(h->file, struct file, f_flags, ff->flags);
	HEAD_FIELD(h->file, struct file, f_pos, ff->pos);
	HEAD_FIELD(h->inode, struct inode, i_mode, ff->mode);
	HEAD_FIELD(h->inode, struct inode, i_ino, ff->ino);
	/* i_generation lies past the head before 6.2 (the only kernels on this path) */
	if (FIELD_OFF(struct inode, i_generation) <= HEAD_SZ - sizeof(ff->gen))
		HEAD_FIELD(h->inode, struct inode, i_generation, ff->gen);
	else if (bpf_probe_read_kernel(&ff->gen, sizeof(ff->gen),
				       (char *)inode + FIELD_OFF(struct inode, i_generation)))
		return 0;
	HEAD_FIELD(h->inode, struct inode, i_nlink, ff->nlink);
	HEAD_FIELD(h->inode, struct inode, i_size, ff->size);
	HEAD_FIELD(h->sb, struct super_block, s_flags, ff->sb_flags);
	HEAD_FIELD(h->sb, struct super_block, s_dev, ff->dev);
	return 1;
}

static __always_inline int facts_heads(__u32 fd, struct file_facts *ff)
{
	return file_facts_heads(fd_to_file(fd), ff);
}

/*
 * A file's identity, if it is a named regular file (asm filter_file; an
 * O_TMPFILE file with no link has no name yet) that no trace-time filter
 * left out.  The starting offset is
 * filled in by the caller, which knows the call, from *ff.
 */
static __always_inline int identify(struct inflight_file *f, const struct file_facts *ff,
				    __u32 tgid)
{
	if (!filter_file(ff->mode, ff->sb_flags))
		return 0;
	if (!ff->nlink && (ff->flags & __O_TMPFILE))
		return 0;
	f->fk.dev = ff->dev;
	f->fk.ino = ff->ino;
	f->fk.gen = ff->gen;
	if (iot_cfg.per_process)
		f->fk.tgid = tgid;
	if (iot_cfg.file_filters && bpf_map_lookup_elem(&excluded, &f->fk))
		return 0;
	f->nlink = ff->nlink;
	f->file = ff->file;
	f->flags = ff->flags;
	f->valid = 1;
	return 1;
}

/* fd -> the file's identity (identify) */
static __always_inline int resolve_fd(struct task_struct *task, __u64 fd, struct inflight_file *f,
				      struct file_facts *ff, __u64 pid_tgid)
{
	if (bpf_rdonly_cast) {
		if (!facts_btf(task, (__u32)fd, ff))
			return 0;
	} else if (!facts_heads((__u32)fd, ff)) {
		return 0;
	}
	return identify(f, ff, pid_tgid >> 32);
}

/*
 * Does closing this descriptor drop the last reference to the open file?
 * Not when a dup, another thread's table or a forked child still holds it:
 * its stream goes on.  Read at close only.  A kernel with neither counter
 * layout ends the stream at every close.
 */
static __always_inline __u64 file_last_ref(__u64 fp)
{
	struct file___ref *fr = (void *)fp;
	struct file *file = (void *)fp;
	long cnt;

	if (FIELD_EXISTS(struct file, f_count)) {
		KREAD(cnt, file->f_count.counter);
		return cnt <= 1;
	}
	if (FIELD_EXISTS(struct file___ref, f_ref)) {
		KREAD(cnt, fr->f_ref.refcnt.counter);
		return cnt <= 0;
	}
	return 1;
}

/*
 * Enter/exit pairing without a hash update and delete per call: a thread
 * owns array slot tid % INFLIGHT_SLOTS from its sys_enter to its sys_exit.
 * Lookups in an array are inlined by the verifier, so a call costs a few
 * stores instead of two hash operations.  Two threads in traced syscalls at
 * once with the same slot collide: the second entry takes the slot and
 * counts the first call as dropped (DROP_INFLIGHT_FULL), never silently.
 *
 * A writer marks the slot INFLIGHT_BUSY, fills it, then stores its tid; the
 * reader copies it and keeps the copy only if the tid was its own before
 * and after the copy.  That needs the writer's stores seen in order, and the
 * reader's loads done in order: x86-64 keeps both orders, so plain accesses
 * do there.  arm64 keeps neither: there the tid is swapped and read with BPF
 * atomics that fetch, which its JIT emits fully ordered (acquire and
 * release).  Where the kernel takes them (the verifier from 5.12, arm64's
 * JIT from 6.0: loader_feature_atomics asks), else arm64 has plain
 * accesses and no order (docs/kernels.md).
 */
extern const char loader_feature_atomics __attribute__((weak));
#ifdef __TARGET_ARCH_arm64
#define ORDERED_TID 1
#else
#define ORDERED_TID 0
#endif
/* the slot's tid before it is set to v: swapped, or read then written when unordered */
static __always_inline __u32 tid_swap(__u32 *p, __u32 v)
{
	if (ORDERED_TID && &loader_feature_atomics)
		return __sync_lock_test_and_set(p, v);
	return READ_ONCE(*p);
}

/* the second half of an unordered tid_swap: the store */
static __always_inline void tid_swapped(__u32 *p, __u32 v)
{
	if (!(ORDERED_TID && &loader_feature_atomics))
		WRITE_ONCE(*p, v);
}

/* store v, after every store before it */
static __always_inline void tid_publish(__u32 *p, __u32 v)
{
	if (ORDERED_TID && &loader_feature_atomics)
		__sync_lock_test_and_set(p, v);
	else
		WRITE_ONCE(*p, v);
}

/* load the tid, before every load after it, and after every load before it */
static __always_inline __u32 tid_load(__u32 *p)
{
	if (ORDERED_TID && &loader_feature_atomics)
		return __sync_fetch_and_add(p, 0);
	return READ_ONCE(*p);
}

static __always_inline struct inflight *slot_of(__u32 tid)
{
	__u32 idx = tid & (INFLIGHT_SLOTS - 1);

	return bpf_map_lookup_elem(&inflight, &idx);
}

static __always_inline int same_file(const struct file_key *a, const struct file_key *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->gen == b->gen && a->tgid == b->tgid;
}

/* Every call but close is timed: its latency, and a side's first entry time. */
static __always_inline void stash(struct inflight *inf, __u32 tid, __u32 sc, __u64 req, __u32 kind)
{
	__u32 owner;
	struct inflight *slot = slot_of(tid);
	__u64 ts;

	if (!slot)
		return;
	ts = kind == SC_KIND_CLOSE ? 0 : bpf_ktime_get_ns();
	owner = tid_swap(&slot->tid, INFLIGHT_BUSY);
	if (owner && owner != tid)
		drop(DROP_INFLIGHT_FULL); /* another thread's call in flight loses its slot */
	tid_swapped(&slot->tid, INFLIGHT_BUSY);
	barrier();
	__builtin_memcpy(slot->f, inf->f, sizeof(inf->f));
	slot->ts = ts;
	slot->req = req;
	slot->sc = sc;
	slot->iov_done = 0;
	barrier();
	tid_publish(&slot->tid, tid);
}

/* Take thread tid's call out of its slot; the slot, or NULL when it held none. */
static __always_inline struct inflight *unstash(struct inflight *inf, __u32 tid)
{
	struct inflight *slot = slot_of(tid);

	if (!slot || tid_load(&slot->tid) != tid)
		return 0;
	barrier();
	__builtin_memcpy(inf, slot, INFLIGHT_CALL_SZ);
	barrier();
	if (tid_load(&slot->tid) != tid)
		return 0;
	WRITE_ONCE(slot->tid, 0);
	return slot;
}

/* The expressions of syscalls.def, evaluated in HOOK's entry program. */
/*
 * A request-size expression is a pair: the value known at entry, and
 * whether the iov_sum tail call still has to add up an iovec array.
 * Every vectored syscall has its iovec in args[1] and its count in args[2]
 * (checked by syscalls.def's ARG_IOV(1, 2) lines).
 */
#define ARG_COUNT(n)	   args[n], 0
#define ARG_IOV(iov, cnt)  0, ((iov) == 1 && (cnt) == 2 ? 1 : -1)
#define ARG_NONE	   0, 0
#define REQ_VALUE_(v, iov) (v)
#define REQ_IOV_(v, iov)   (iov)
#define REQ_VALUE(...)	   REQ_VALUE_(__VA_ARGS__)
#define REQ_IOV(...)	   REQ_IOV_(__VA_ARGS__)
/* An offset expression is a pair too: how to find the offset, and an argument. */
enum off_how { OFF_HOW_NONE, OFF_HOW_POS, OFF_HOW_ARG, OFF_HOW_ARG_OR_POS, OFF_HOW_PTR };
#define OFF_POS		    OFF_HOW_POS, 0
#define OFF_ARG(n)	    OFF_HOW_ARG, args[n]
#define OFF_ARG_OR_POS(n)   OFF_HOW_ARG_OR_POS, args[n]
#define OFF_PTR(n)	    OFF_HOW_PTR, args[n]
#define OFF_NONE	    OFF_HOW_NONE, 0
#define OFF_HOW_(how, arg)  (how)
#define OFF_ARGV_(how, arg) (arg)
#define OFF_HOW(...)	    OFF_HOW_(__VA_ARGS__)
#define OFF_ARGV(...)	    OFF_ARGV_(__VA_ARGS__)

/*
 * The starting offset: an argument, the file position (for a write on an
 * O_APPEND file, its size) when the argument is -1 or the call has none,
 * or the loff_t an argument points to (sendfile).
 */
static __always_inline __u64 start_offset(__u32 how, __u64 arg, const struct file_facts *ff,
					  int is_write)
{
	switch (how) {
	case OFF_HOW_ARG:
		return arg;
	case OFF_HOW_ARG_OR_POS:
		return (__s64)arg == -1 ? file_pos(ff, is_write) : arg;
	case OFF_HOW_PTR:
		return user_u64_or(arg, file_pos(ff, is_write));
	case OFF_HOW_POS:
		return file_pos(ff, is_write);
	}
	return 0;
}

/* ---- exit side -------------------------------------------------------- */

/*
 * Walk dentries up to the namespace root, leaf first, crossing mounts, at
 * most WALK_STEP steps per run from where the last run stopped (w->dentry,
 * w->mnt); emit_files tail-calls itself for the next WALK_STEP, up to
 * PATH_MAX_DEPTH in all.  The verifier walks every step, so the step count
 * sets emit_files' verification: on 6.18 about 2,200 insns processed with
 * 8 steps, 4,500 with 16 and 36.5k with all 96 (then most of the time to
 * tracing live).
 * Returns 1 when the walk is over: root reached (ev->truncated = NAME_WHOLE),
 * a read failed, the buffer or PATH_MAX_DEPTH ran out (it stays NAME_CUT).
 *
 * The write offset lives in ev->path_sz (map memory), not in a register:
 * reloaded each iteration it is an unknown scalar bounded by one check, so
 * every iteration starts from the same verifier state.  Kept in a register,
 * its range grows per iteration and per mount crossing, and the verifier
 * gave up after 1M insns (6.18).
 */
#define WALK_STEP 8
static __always_inline int walk_steps(struct walk_state *w)
{
	struct dentry *dentry = (void *)w->dentry, *parent, *root;
	struct mount *mnt = (void *)w->mnt, *mnt_parent;
	struct ev_file *ev = &w->ev;
	const unsigned char *name;
	__u32 off;
	long n;
	int i;

#pragma clang loop unroll(disable)
	for (i = 0; i < WALK_STEP; i++) {
		KREAD(root, mnt->mnt.mnt_root);
		if (dentry == root) {
			KREAD(mnt_parent, mnt->mnt_parent);
			if (!mnt_parent || mnt_parent == mnt) {
				ev->truncated = NAME_WHOLE;
				return 1;
			}
			KREAD(dentry, mnt->mnt_mountpoint);
			mnt = mnt_parent;
			continue;
		}
		KREAD(parent, dentry->d_parent);
		if (!parent || parent == dentry) {
			ev->truncated = NAME_WHOLE;
			return 1;
		}
		off = ev->path_sz;
		if (off >= PATH_BUF_SZ)
			return 1;
		KREAD(name, dentry->d_name.name);
		n = bpf_probe_read_kernel_str(&ev->path[off], 256, name);
		if (n <= 0)
			return 1;
		ev->path_sz = off + n;
		dentry = parent;
	}
	w->dentry = (__u64)dentry;
	w->mnt = (__u64)mnt;
	w->depth += WALK_STEP;
	return w->depth >= PATH_MAX_DEPTH;
}

#define ALIAS_MAX 4

/*
 * Offset of dentry.d_alias: in the union d_u up to 6.12 at least, in an
 * anonymous union in 7.2; -1 when this kernel has neither, and files are
 * then named by their own dentry.  The loader poisons the offset this
 * kernel lacks; the verifier never walks it, as FIELD_EXISTS is a constant
 * once relocated.
 */
static __always_inline long d_alias_off(void)
{
	if (FIELD_EXISTS(struct dentry, d_u.d_alias))
		return FIELD_OFF(struct dentry, d_u.d_alias);
	if (FIELD_EXISTS(struct dentry___anon_u, d_alias))
		return FIELD_OFF(struct dentry___anon_u, d_alias);
	return -1;
}

/*
 * The dentry to name a file by: its own, unless that one is unhashed while
 * the inode still has links, as for an O_TMPFILE file given a name by
 * linkat(2) or a file opened by a name since unlinked while another hard
 * link remains: then the first hashed alias of the inode (at most ALIAS_MAX
 * looked at).  A file with no link keeps its own, last name.
 */
static __always_inline struct dentry *naming_dentry(struct dentry *dentry, struct inode *inode,
						    __u32 nlink)
{
	long alias_off = d_alias_off();
	struct hlist_node *node;
	struct dentry *alias;
	void *pprev;
	int i;

	KREAD(pprev, dentry->d_hash.pprev);
	if (pprev || !nlink || alias_off < 0)
		return dentry;
	KREAD(node, inode->i_dentry.first);
#pragma clang loop unroll(disable)
	for (i = 0; i < ALIAS_MAX && node; i++) {
		alias = (void *)((char *)node - alias_off);
		KREAD(pprev, alias->d_hash.pprev);
		if (pprev)
			return alias;
		KREAD(node, node->next);
	}
	return dentry;
}

/* Start a new record's event: fs type, first comm, where its path walk starts. */
/*
 * What a new file's event says of its open file: the inode, its mode and
 * file system type, the mount (struct mount) and the dentry it was opened by.
 */
static __always_inline struct dentry *file_origin(struct file *file, struct inode **inode,
						  __u32 *mode, char fstype[16], __u64 *mnt)
{
	struct file_system_type *type;
	struct vfsmount *vfsmnt;
	struct super_block *sb;
	struct dentry *dentry;
	const char *fsname;
	__u16 m;

	KREAD(*inode, file->f_inode);
	KREAD(m, (*inode)->i_mode);
	*mode = m;
	KREAD(sb, (*inode)->i_sb);
	KREAD(type, sb->s_type);
	KREAD(fsname, type->name);
	__builtin_memset(fstype, 0, 16); /* NUL-padded: compared as two u64 (fstype_kept) */
	bpf_probe_read_kernel_str(fstype, 16, fsname);
	KREAD(vfsmnt, file->f_path.mnt);
	KREAD(dentry, file->f_path.dentry);
	*mnt = (__u64)vfsmnt - __builtin_preserve_field_info(((struct mount *)0)->mnt, 0);
	return dentry;
}

static __always_inline void emit_begin(struct emit_scratch *sc, struct inflight_file *f)
{
	struct ev_file *ev = &sc->w.ev;
	struct dentry *dentry;
	struct inode *inode;

	ev->hdr.type = EV_FILE;
	ev->hdr.fk = f->fk;
	__builtin_memcpy(ev->comm, sc->comm, COMM_LEN);
	ev->nlink = f->nlink;
	dentry = file_origin((void *)f->file, &inode, &ev->mode, ev->fstype, &sc->w.mnt);
	sc->w.dentry = (__u64)naming_dentry(dentry, inode, f->nlink);
	ev->dentry = sc->w.dentry;
	ev->mnt = sc->w.mnt;
	ev->inode = (__u64)inode;
	sc->w.depth = 0;
	ev->truncated = NAME_CUT;
	ev->path_sz = 0;
	sc->walking = 1;
}

/* Send the finished event to user space. */
static __always_inline void emit_end(struct emit_scratch *sc)
{
	struct ev_file *ev = &sc->w.ev;
	__u32 sz;

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

/* ---- trace-time filters ------------------------------------------------ */

/* Is the walked path (ev, whole) at or below prefix p?  See struct name_filter. */
static __always_inline int path_under(const struct ev_file *ev,
				      const volatile struct name_filter *p)
{
	__u32 len = p->len, sz = ev->path_sz, start, i;

	if (len > NAME_FILTER_SZ || len > sz || sz > PATH_BUF_SZ)
		return 0;
	/*
	 * Every index below is under sz <= PATH_BUF_SZ: the masks say so to
	 * verifiers (6.1 and older) that lose the bounds of start - 1.
	 */
	start = sz - len;
	if (start && ev->path[(start - 1) & (PATH_BUF_SZ - 1)])
		return 0; /* not at a component boundary: /ab is not below /b */
#pragma clang loop unroll(disable)
	for (i = 0; i + 8 <= len; i += 8)
		if (*(const __u64 *)&ev->path[(start + i) & (PATH_BUF_SZ - 1)] !=
		    *(const volatile __u64 *)&p->enc[i])
			return 0;
#pragma clang loop unroll(disable)
	for (; i < len; i++)
		if (ev->path[(start + i) & (PATH_BUF_SZ - 1)] != p->enc[i])
			return 0;
	return 1;
}

/*
 * --path (at or below one of them, when given) and --exclude (below none).
 * A path cut short (deeper than the walk goes) is kept here and judged in
 * user space by its name at the end.  The counts are constants of .rodata:
 * the verifier walks only the prefixes given.
 */
static __always_inline int path_kept(const struct ev_file *ev)
{
	const volatile struct file_filters *ff = &iot_cfg.ff;
	int i, in = !ff->path_cnt;

	if (ev->truncated != NAME_WHOLE)
		return 1;
#pragma clang loop unroll(full)
	for (i = 0; i < NAME_FILTERS; i++)
		if (i < ff->path_cnt && !in && path_under(ev, &ff->path[i]))
			in = 1;
	if (!in)
		return 0;
#pragma clang loop unroll(full)
	for (i = 0; i < NAME_FILTERS; i++)
		if (i < ff->exclude_cnt && path_under(ev, &ff->exclude[i]))
			return 0;
	return 1;
}

/* --fstype (one of them, when given) and --exclude-fstype (none of them) */
static __always_inline int fstype_kept(const char fstype[16])
{
	const volatile struct file_filters *ff = &iot_cfg.ff;
	__u64 a = *(const __u64 *)fstype, b = *(const __u64 *)&fstype[8];
	int i, in = !ff->fstype_cnt;

#pragma clang loop unroll(full)
	for (i = 0; i < FSTYPE_FILTERS; i++)
		if (i < ff->fstype_cnt && ff->fstype[i][0] == a && ff->fstype[i][1] == b)
			in = 1;
	if (!in)
		return 0;
#pragma clang loop unroll(full)
	for (i = 0; i < FSTYPE_FILTERS; i++)
		if (i < ff->exclude_fs_cnt && ff->exclude_fs[i][0] == a &&
		    ff->exclude_fs[i][1] == b)
			return 0;
	return 1;
}

/*
 * A new record a filter leaves out: noted in excluded, so that identify()
 * takes the file for no file from now on, and its entries removed (what
 * its first calls counted is dropped with them, unreported).
 */
static __always_inline void exclude_file(const struct file_key *fk)
{
	struct file_key k = *fk;
	__u32 one = 1;

	k.part = FILE_PART_MAIN;
	bpf_map_update_elem(&excluded, &k, &one, BPF_ANY);
	bpf_map_delete_elem(&files, &k);
	k.part = FILE_PART_COPY;
	bpf_map_delete_elem(&files, &k);
	k.part = FILE_PART_ASYNC;
	bpf_map_delete_elem(&files, &k);
}

/*
 * Tail-called by an exit handler that created records (the path walk is
 * verified once here, not in every exit program), and by itself: one run
 * per WALK_STEP levels of a path, then one per further queued record.  At
 * most 2 records x 12 runs, after at most the exit body and two copy_exit
 * runs: within the kernel's 33 tail calls.  Should a
 * tail call fail, the path is cut there (truncated) or the next record
 * waits for the next flush.
 */
SEC("tail/tracepoint/syscalls/emit_files")
int emit_files(void *ctx)
{
	struct emit_scratch *sc;
	__u32 zero = 0, cur;

	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 0;
	cur = sc->cur;
	if (cur >= sc->cnt || cur >= 2) {
		sc->cnt = 0;
		sc->cur = 0;
		return 0;
	}
	if (!sc->walking) {
		emit_begin(sc, &sc->pend[cur]);
		if (iot_cfg.file_filters && !fstype_kept(sc->w.ev.fstype)) {
			exclude_file(&sc->pend[cur].fk);
			goto next;
		}
	}
	if (!walk_steps(&sc->w))
		bpf_tail_call(ctx, &tails, TAIL_EMIT_FILES);
	if (iot_cfg.file_filters && !path_kept(&sc->w.ev))
		exclude_file(&sc->pend[cur].fk);
	else
		emit_end(sc);
next:
	sc->walking = 0;
	sc->cur = cur + 1;
	if (cur + 1 < sc->cnt)
		bpf_tail_call(ctx, &tails, TAIL_EMIT_FILES);
	sc->cnt = 0;
	sc->cur = 0;
	return 0;
}

/*
 * Name a file again at the end of a trace, run by user space with
 * BPF_PROG_TEST_RUN for each record (struct name_walk_args): from the
 * dentry its name was walked from, which a rename by any process moves
 * along (d_move keeps the dentry), and whose inode shows an unlink
 * (i_nlink 0).  The pointers are checked against the record's identity
 * first: once the file is closed and its dentry or inode freed, they may
 * lead elsewhere (NAME_STALE); a mount unmounted since (the namespace of a
 * process that has ended) has no path to walk (NAME_GONE).  The result is namewalk[0].ev: path, nlink
 * and truncated; a return of 0 asks for another run to walk on.
 */
SEC("tail/raw_tracepoint/name_walk")
int name_walk(struct name_walk_args *a)
{
	struct walk_state *w;
	struct dentry *dentry;
	struct inode *inode, *d_inode;
	struct super_block *sb, *mnt_sb;
	struct mount *mnt;
	void *ns;
	unsigned long ino;
	__u32 zero = 0, gen, nlink, dev;

	w = bpf_map_lookup_elem(&namewalk, &zero);
	if (!w)
		return 1;
	if (!a->dentry)
		goto walk; /* one call of the walk: the verifier walks it once */
	w->ev.truncated = NAME_STALE;
	w->ev.path_sz = 0;
	dentry = (void *)a->dentry;
	inode = (void *)a->inode;
	KREAD(d_inode, dentry->d_inode);
	KREAD(ino, inode->i_ino);
	KREAD(gen, inode->i_generation);
	KREAD(sb, inode->i_sb);
	KREAD(dev, sb->s_dev);
	if (d_inode != inode || ino != a->ino || gen != (__u32)a->dev_gen ||
	    dev != a->dev_gen >> 32)
		return 1;
	KREAD(nlink, inode->i_nlink);
	w->ev.nlink = nlink;
	w->ev.truncated = NAME_GONE;
	mnt = (void *)a->mnt;
	KREAD(mnt_sb, mnt->mnt.mnt_sb);
	KREAD(ns, mnt->mnt_ns);
	if (mnt_sb != sb || !ns)
		return 1;
	w->dentry = (__u64)naming_dentry(dentry, inode, nlink);
	w->mnt = a->mnt;
	w->depth = 0;
	w->ev.truncated = NAME_CUT;
walk:
	return walk_steps(w);
}

/* Queue a new record for emit_files; false when the scratch is unavailable. */
static __always_inline void queue_emit(struct inflight_file *f, const __u64 *comm)
{
	struct emit_scratch *sc;
	__u32 zero = 0, n;

	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return;
	n = sc->cnt;
	if (n >= 2) {
		drop(DROP_EVENTS_FULL);
		return;
	}
	sc->pend[n] = *f;
	__builtin_memcpy(sc->comm, comm, COMM_LEN);
	sc->cnt = n + 1;
}

/* Run emit_files if anything was queued in sc; it does not return here. */
static __always_inline void flush_emits(void *ctx, struct emit_scratch *sc)
{
	if (!sc->cnt)
		return;
	bpf_tail_call(ctx, &tails, TAIL_EMIT_FILES);
	/* reached only when the tail call failed */
	drop(DROP_EVENTS_FULL);
	sc->cnt = 0;
	sc->cur = 0;
	sc->walking = 0;
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
	else if (err != -EEXIST) /* -EEXIST: another CPU was first */
		return 0;
	return bpf_map_lookup_elem(map, key);
}

/*
 * A new record announced without its path (EV_FILE_UNNAMED), where its
 * path walk cannot run (inside the AIO request loop): user space names it
 * at the end from the pointers (name_walk).
 */
static __always_inline void announce_unnamed(struct ev_file_unnamed *ev, struct inflight_file *f,
					     const __u64 *comm)
{
	struct dentry *dentry;
	struct inode *inode;

	ev->hdr.type = EV_FILE_UNNAMED;
	ev->hdr.len = sizeof(*ev);
	ev->hdr.fk = f->fk;
	__builtin_memcpy(ev->comm, comm, COMM_LEN);
	ev->nlink = f->nlink;
	ev->path_sz = 0;
	ev->truncated = NAME_CUT;
	dentry = file_origin((void *)f->file, &inode, &ev->mode, ev->fstype, &ev->mnt);
	ev->dentry = (__u64)dentry;
	ev->inode = (__u64)inode;
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), 0))
		drop(DROP_EVENTS_FULL);
}

/*
 * The file's record, created (and announced) on first use: its path walk
 * queued for emit_files, or with unnamed (room for the event) announced
 * without a path.  A file unlinked while open keeps (or gets) its record
 * under its last name, and nlink 0 tells user space it was deleted.
 */
static __always_inline struct file_rec *record_of(struct inflight_file *f, const __u64 *comm,
						  int *created_out, struct ev_file_unnamed *unnamed)
{
	struct file_rec *rec;
	int created;

	rec = lookup_or_init(&files, &f->fk, &created);
	*created_out = created;
	if (!rec) {
		__u32 one = 1;

		drop(DROP_FILES_FULL);
		if (bpf_map_update_elem(&lostfiles, &f->fk, &one, BPF_NOEXIST) == -E2BIG)
			drop(DROP_LOST_FULL);
		return 0;
	}
	if (created && unnamed)
		announce_unnamed(unnamed, f, comm);
	else if (created)
		queue_emit(f, comm);
	if (rec->last_comm[0] != comm[0] || rec->last_comm[1] != comm[1]) {
		rec->last_comm[0] = comm[0];
		rec->last_comm[1] = comm[1];
		if (!created)
			emit_comm(&f->fk, (const char *)comm);
	}
	/* stored only on change: threads of other cores read this line on every call */
	if (rec->nlink != f->nlink)
		rec->nlink = f->nlink;
	return rec;
}

/*
 * The stream of an open file on a record's side: its slot, or a new one
 * (a free slot, else the one claimed longest ago), counted in streams.
 * Threads racing for one slot claim it once (claim_slot); threads that saw
 * different free slots may both claim one, and the stream then has two
 * slots, its calls judged against either.
 * The slot numbers found go to the thread's inflight slot, not into
 * registers: a constant in a register would make the verifier walk the
 * rest of the exit once per slot number (20k insns processed instead of
 * 7k, 6.18), while a value read back from map memory is one unknown.
 */
/*
 * A new stream counts by its open flags (OFLAG_*), adding 0 or 1 to each
 * counter without a branch: branches here would multiply the exit's
 * verifier states (2,600 insns processed more, 6.18).
 */
#define FLAG_BIT(flags, f) (((flags) / (f)) & 1)
static __always_inline void count_oflags(struct rw_side *side, __u32 flags)
{
	__u64 sync = FLAG_BIT(flags, __O_SYNC);

	__sync_fetch_and_add(&side->oflag_streams[OFLAG_DIRECT], FLAG_BIT(flags, O_DIRECT));
	__sync_fetch_and_add(&side->oflag_streams[OFLAG_SYNC], sync);
	__sync_fetch_and_add(&side->oflag_streams[OFLAG_DSYNC],
			     FLAG_BIT(flags, O_DSYNC) & (sync ^ 1));
	__sync_fetch_and_add(&side->oflag_streams[OFLAG_APPEND], FLAG_BIT(flags, O_APPEND));
	__sync_fetch_and_add(&side->oflag_streams[OFLAG_NOATIME], FLAG_BIT(flags, O_NOATIME));
}

/* 1 when x is not 0, without a branch (a branch here multiplies the exit's states) */
#define NONZERO(x) (((x) | (0 - (x))) >> 63)

/*
 * Claim a stream slot for file: 1 when this thread claimed it, 0 when
 * another thread changed the slot first (on the same file: the stream is
 * counted once; on another: the next call claims a slot again).  Kernels
 * before 5.12 have no cmpxchg in BPF: there the claim is a plain store and
 * two racing threads may both count the stream.
 */
static __always_inline __u64 claim_slot(__u64 *slot, __u64 file)
{
	__u64 seen = READ_ONCE(*slot), prev = seen;

	if (&loader_feature_atomics)
		prev = __sync_val_compare_and_swap(slot, seen, file);
	else
		WRITE_ONCE(*slot, file);
	return (NONZERO(prev ^ seen) ^ 1) & NONZERO(seen ^ file);
}

static __always_inline struct seq_state *stream_of(struct rw_side *side, __u64 file, __u32 flags,
						   struct inflight *scratch)
{
	__u32 i, hit, free, won;

	WRITE_ONCE(scratch->stream_hit, STREAM_SLOTS);
	WRITE_ONCE(scratch->stream_free, STREAM_SLOTS);
#pragma clang loop unroll(full)
	for (i = 0; i < STREAM_SLOTS; i++) {
		__u64 f = side->stream[i].file;

		if (f == file)
			WRITE_ONCE(scratch->stream_hit, i);
		else if (!f)
			WRITE_ONCE(scratch->stream_free, i);
	}
	hit = READ_ONCE(scratch->stream_hit);
	if (hit >= STREAM_SLOTS) {
		free = READ_ONCE(scratch->stream_free);
		hit = (free < STREAM_SLOTS ? free : side->stream_next++) & (STREAM_SLOTS - 1);
		WRITE_ONCE(scratch->stream_free, claim_slot(&side->stream[hit].file, file));
		won = READ_ONCE(scratch->stream_free);
		if (won) {
			__builtin_memset(&side->stream[hit].seq, 0, sizeof(struct seq_state));
			__sync_fetch_and_add(&side->streams, 1);
			count_oflags(side, flags);
		}
		WRITE_ONCE(scratch->stream_hit, hit);
	}
	hit = READ_ONCE(scratch->stream_hit) & (STREAM_SLOTS - 1);
	return &side->stream[hit].seq;
}

/* A closed file's streams end: a later open that gets the same struct file starts anew. */
static __always_inline void streams_end(struct file_rec *rec, __u64 file)
{
	__u32 s, i;

#pragma clang loop unroll(full)
	for (s = 0; s < 2; s++)
#pragma clang loop unroll(full)
		for (i = 0; i < STREAM_SLOTS; i++)
			if (rec->side[s].stream[i].file == file)
				rec->side[s].stream[i].file = 0;
}

/*
 * One call on a record's side (kind: SC_KIND_READ, SC_KIND_WRITE, or a copy
 * end, SC_KIND_COPY or SC_KIND_COPY | 1), through the stream of the
 * open file it went through; ts is its entry time, now its return.
 */
static __always_inline void count_side(struct rw_side *side, __u64 ts, __u64 now,
				       const struct inflight_file *f, __s64 ret, __u32 kind,
				       struct inflight *slot)
{
	struct seq_state *seq = stream_of(side, f->file, f->flags, slot);
	__u64 lat = now - ts;

	__sync_fetch_and_add(&side->calls, 1);
	if (!side->first_entry_ns || ts < side->first_entry_ns)
		side->first_entry_ns = ts;
	__sync_fetch_and_add(&side->lat_total_ns, lat);
	__sync_fetch_and_add(&side->lat_hist[lat_bucket(lat)], 1);
	if ((kind & 1) && seq_rewrite(seq, f->start))
		__sync_fetch_and_add(&side->rewrites, 1);
	if (ret < 0) {
		__sync_fetch_and_add(&side->errors, 1);
		return;
	}
	__sync_fetch_and_add(&side->bytes, ret);
	side->last_return_ns = now;
	if (seq_classify(seq, f->start, ret)) {
		__sync_fetch_and_add(&side->seq_calls, 1);
		__sync_fetch_and_add(&side->seq_hist[hist_bucket(ret)], 1);
	}
}

static __always_inline void count_stats(struct sc_stats *st, __u64 req, __s64 ret, int sizes)
{
	__sync_fetch_and_add(&st->calls, 1);
	if (sizes)
		__sync_fetch_and_add(&st->req_hist[hist_bucket(req)], 1);
	if (ret < 0) {
		__sync_fetch_and_add(&st->errors, 1);
		return;
	}
	if (!sizes)
		return;
	__sync_fetch_and_add(&st->bytes, ret);
	__sync_fetch_and_add(&st->done_hist[hist_bucket(ret)], 1);
}

/* 0, or -1 when the call could not be counted (it is, in drops) */
static __always_inline int count_syscall(struct file_key *fk, __u32 sc, __u64 req, __s64 ret,
					 int sizes)
{
	struct sc_key key = { .fk = *fk, .sc = sc };
	struct sc_stats *st;
	int created;

	st = lookup_or_init(&scstats, &key, &created);
	if (!st) {
		drop(DROP_SCSTATS_FULL);
		return -1;
	}
	count_stats(st, req, ret, sizes);
	return 0;
}

/*
 * An fsync-type call looks up its syncstats entry, and the file's record
 * only when the entry is new or the comm or nlink differ from what the
 * entry last passed on to it (sync_passed): a comm that only syncs still
 * joins the file's comms, an unlink seen first by an fsync still marks the
 * file deleted, and the usual call costs one hash lookup.  nlink goes to 0
 * once (an unnamed O_TMPFILE has no record), so the record cannot miss a
 * change that the entry's copy hides.
 */
static __always_inline int sync_passed(const struct sync_stats *st, const struct inflight_file *f,
				       const __u64 *comm)
{
	return st->last_comm[0] == comm[0] && st->last_comm[1] == comm[1] && st->nlink == f->nlink;
}

static __always_inline void sync_pass(struct sync_stats *st, const struct inflight_file *f,
				      const __u64 *comm)
{
	st->nlink = f->nlink;
	st->last_comm[1] = comm[1];
	barrier(); /* last_comm[0] last: a call that sees it sees the record */
	WRITE_ONCE(st->last_comm[0], comm[0]);
}

static __always_inline void count_sync(struct sync_stats *st, __u64 lat, __s64 ret)
{
	__sync_fetch_and_add(&st->calls, 1);
	if (ret < 0)
		__sync_fetch_and_add(&st->errors, 1);
	__sync_fetch_and_add(&st->total_ns, lat);
	__sync_fetch_and_add(&st->lat_hist[lat_bucket(lat)], 1);
}

/*
 * Count one call on one of its files (kind: what the call is for that
 * file, the destination's kind | 1); per_sc 0 counts it on the file's side
 * only (the destination of a sendfile or copy whose source is the same
 * file: one call).
 */
static __always_inline void count_file(struct inflight *inf, struct inflight_file *f, __u32 kind,
				       __s64 ret, const __u64 *comm, int per_sc,
				       struct inflight *slot)
{
	struct sync_stats *st = 0;
	struct file_rec *rec, *cr = 0;
	int created;
	__u64 now;

	if (kind == SC_KIND_CLOSE) {
		/*
		 * close alone makes no record: only files read, written or synced
		 * have one.  The last close of an open file ends its streams (start
		 * is file_last_ref's answer), and an unlink it sees marks the file
		 * deleted.
		 */
		rec = bpf_map_lookup_elem(&files, &f->fk);
		if (!rec)
			return;
		count_syscall(&f->fk, inf->sc, 0, ret, 0);
		if (rec->nlink != f->nlink)
			rec->nlink = f->nlink;
		if (f->start)
			streams_end(rec, f->file);
		return;
	}
	now = bpf_ktime_get_ns(); /* the return: latency, and a side's last return */
	if (kind == SC_KIND_SYNC) {
		struct sc_key key = { .fk = f->fk, .sc = inf->sc };

		st = lookup_or_init(&syncstats, &key, &created);
		if (!st) {
			drop(DROP_SCSTATS_FULL);
			return;
		}
		if (!created && sync_passed(st, f, comm)) {
			count_sync(st, now - inf->ts, ret);
			return;
		}
	}
	if (kind >= SC_KIND_COPY) {
		/* looked up first: a copy it cannot hold is counted nowhere */
		struct file_key ck = f->fk;

		ck.part = FILE_PART_COPY;
		cr = lookup_or_init(&files, &ck, &created);
		if (!cr) {
			drop(DROP_SCSTATS_FULL);
			return;
		}
	}
	/* without a record the call is not counted (it is, in dropped.files) */
	rec = record_of(f, comm, &created, 0);
	if (!rec)
		return;
	if (st) {
		sync_pass(st, f, comm);
		count_sync(st, now - inf->ts, ret);
		return;
	}
	if (per_sc) {
		/* the creating syscall owns the record's own stats (struct file_rec) */
		if (created)
			WRITE_ONCE(rec->own_sc, inf->sc + 1);
		if (READ_ONCE(rec->own_sc) == inf->sc + 1)
			count_stats(&rec->own, inf->req, ret, 1);
		/* per-syscall stats first: a call they cannot hold is counted nowhere */
		else if (count_syscall(&f->fk, inf->sc, inf->req, ret, 1))
			return;
	}
	count_side(cr ? &cr->side[kind & 1] : &rec->side[kind & 1], inf->ts, now, f, ret, kind,
		   slot);
}

/*
 * The kinds (SC_KIND_*) of the syscalls of syscalls.def, which come first
 * in enum sc_idx, 3 bits each.  A shift by the call's index gives the
 * verifier an unknown in 0..7, so it checks the exit body once for all
 * kinds, not once per constant kind as a switch would have it.
 */
#define SC_DEF_CNT SC_aio_pread
static const __u64 sc_kinds = 0
#define X(name, tp, nargs, kind, fd, out, req, off) | ((__u64)(kind) << (SC_##name * 3))
#include "syscalls.def"
#undef X
	;
_Static_assert(SC_DEF_CNT * 3 <= 64, "the kinds of syscalls.def fit in 64 bits");

static __always_inline __u32 kind_of(__u32 sc)
{
	return sc < SC_DEF_CNT ? (sc_kinds >> (sc * 3)) & 7 : SC_KIND_CLOSE;
}

/*
 * Exit of every syscall, one body for all (see on_enter): the call's
 * syscall, and so its kind, is in the slot.  The call is taken out of the
 * slot into the per-CPU scratch, not the stack: the verifier keeps no
 * state for map memory, so its states stay small.  A call with a second
 * file (an in-kernel copy, or a sendfile whose destination was found) goes
 * on in copy_exit, so this body is verified with one file to count.
 */
static __always_inline int on_exit(struct sys_exit_ctx *ctx)
{
	struct inflight *inf, *slot;
	struct task_struct *task;
	struct emit_scratch *sc;
	__u64 comm[2] = {};
	__u32 zero = 0, kind;

	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 0;
	inf = &sc->call;
	slot = unstash(inf, (__u32)current_ids(&task));
	if (!slot || iot_stopped)
		return 0;
	kind = kind_of(inf->sc);
	if (kind >= SC_KIND_COPY || inf->f[1].valid) {
		sc->ret = ctx->ret;
		sc->call_file = 0;
		bpf_tail_call(ctx, &tails, TAIL_COPY_EXIT);
		drop(DROP_INFLIGHT_FULL); /* reached only when the tail call failed */
		return 0;
	}
	current_comm(task, comm);
	if (inf->f[0].valid)
		count_file(inf, &inf->f[0], kind, ctx->ret, comm, 1, slot);
	flush_emits(ctx, sc);
	return 0;
}

/*
 * The exit of a call with two files, tail-called by the exit body with the
 * call in the per-CPU scratch: an in-kernel copy (copy_file_range, splice:
 * the source counts on its copy_read side, the destination on its
 * copy_write side) or a sendfile (read side, then write side).  One file
 * per run, f[0] then f[1] (call_file), the second run a tail call of this
 * program: the file's index comes from map memory, which the verifier does
 * not track, so it checks the counting once for both files and not once
 * per way the first file's counting ended.
 */
SEC("tail/tracepoint/syscalls/copy_exit")
int copy_exit(struct sys_exit_ctx *ctx)
{
	struct inflight *inf, *slot;
	struct task_struct *task;
	struct emit_scratch *sc;
	__u64 comm[2] = {};
	__u32 zero = 0, i;

	sc = bpf_map_lookup_elem(&scratch, &zero);
	slot = slot_of((__u32)current_ids(&task));
	if (!sc || !slot)
		return 0;
	inf = &sc->call;
	i = READ_ONCE(sc->call_file) & 1;
	current_comm(task, comm);
	/* the destination's kind is the source's | 1: SC_KIND_WRITE, SC_KIND_COPY | 1 */
	if (inf->f[i].valid)
		count_file(inf, &inf->f[i], (kind_of(inf->sc) & SC_KIND_COPY) | i, sc->ret, comm,
			   !i || !inf->f[0].valid || !same_file(&inf->f[0].fk, &inf->f[1].fk),
			   slot);
	if (!i && inf->f[1].valid) {
		sc->call_file = 1;
		bpf_tail_call(ctx, &tails, TAIL_COPY_EXIT);
		drop(DROP_INFLIGHT_FULL); /* reached only when the tail call failed */
	}
	flush_emits(ctx, sc);
	return 0;
}

/*
 * The request size of a vectored call: the sum of its iovec lengths, added
 * up here, in a program the vectored entries tail-call after stashing (so
 * the loop is verified once, not once per syscall), IOV_STEP entries per
 * run: 16 runs at most, within the kernel's 33 tail calls.
 */
SEC("tail/tracepoint/syscalls/iov_sum")
int iov_sum_prog(struct sys_enter_ctx *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight *slot = slot_of(tid);

	if (!slot || READ_ONCE(slot->tid) != tid)
		return 0;
	if (!iov_sum_step(slot, ctx->args[1], ctx->args[2]))
		bpf_tail_call(ctx, &tails, TAIL_IOV_SUM); /* failing, the sum stays short */
	return 0;
}

/*
 * Entry of every syscall in syscalls.def, one body for all: the syscall
 * number picks the line's expressions (x86-64 numbers, from the build's
 * asm/unistd.h, like the binary), then one fd resolution, one offset and
 * one stash serve them all.  The sys_enter_* programs of syscalls with the
 * same argument count are this body byte for byte, so the loader loads
 * each body once (and sys_exit_* once): 7 program loads instead of 32.
 */
/* A destination expression: its argument index (-1: none) and its offset expression. */
#define OUT_NONE	       -1, OFF_NONE
#define OUT_FD(n, off)	       (n), off
#define OUT_IDX_(n, how, arg)  (n)
#define OUT_HOW_(n, how, arg)  (how)
#define OUT_ARGV_(n, how, arg) (arg)
#define OUT_IDX(...)	       OUT_IDX_(__VA_ARGS__)
#define OUT_HOW(...)	       OUT_HOW_(__VA_ARGS__)
#define OUT_ARGV(...)	       OUT_ARGV_(__VA_ARGS__)

/*
 * A program may read no further into the tracepoint record than the
 * shortest one it is attached to (perf_event_set_bpf_prog: max_ctx_offset),
 * so the entries sharing a body are those of one argument count (the nargs
 * column of syscalls.def), each compiled with only its cases.  The copies
 * (6 arguments, two files) have a body of their own, so that preadv2's
 * and pwritev2's stays as small as it was.
 */
static __always_inline int on_enter(struct sys_enter_ctx *ctx, const int nargs, const int copies)
{
	__u64 pid_tgid, fd, out = 0, req, off_arg, out_arg = 0;
	struct task_struct *task;
	__u32 sc, off_how, iov, is_write, has_out, k, out_how = OFF_HOW_NONE;
	struct inflight inf = {};
	struct file_facts ff;

	__u64 args[6] = {};
	int i;

	pid_tgid = current_ids(&task);
	if (!task_traced(task, pid_tgid) || iot_stopped)
		return 0;
		/*
	 * The record's arguments, each at a constant ctx offset (a ctx access at
	 * a variable one is refused), and none past the record's end.
	 */
#pragma clang loop unroll(full)
	for (i = 0; i < 6; i++)
		if (i < nargs)
			args[i] = READ_ONCE(ctx->args[i]);
	switch (ctx->nr) {
#define X(name, tp, nargs_, kind, fd_, out_, req_, off_)                                           \
	case __NR_##name:                                                                          \
		if (nargs_ != nargs || ((kind) == SC_KIND_COPY) != copies)                         \
			return 0;                                                                  \
		sc = SC_##name;                                                                    \
		_Static_assert(REQ_IOV(req_) >= 0, "ARG_IOV must be ARG_IOV(1, 2)");               \
		k = kind;                                                                          \
		is_write = kind == SC_KIND_WRITE;                                                  \
		fd = args[fd_];                                                                    \
		has_out = OUT_IDX(out_) >= 0;                                                      \
		if (OUT_IDX(out_) >= 0) {                                                          \
			out = args[OUT_IDX(out_) & 3];                                             \
			out_how = OUT_HOW(out_);                                                   \
			out_arg = OUT_ARGV(out_);                                                  \
		}                                                                                  \
		req = REQ_VALUE(req_);                                                             \
		iov = REQ_IOV(req_);                                                               \
		off_how = OFF_HOW(off_);                                                           \
		off_arg = OFF_ARGV(off_);                                                          \
		break;
#include "syscalls.def"
#undef X
	default:
		return 0;
	}
	/* close has no offset: its start says whether it ends the open file */
	if (resolve_fd(task, fd, &inf.f[0], &ff, pid_tgid))
		inf.f[0].start = k == SC_KIND_CLOSE ? file_last_ref(ff.file)
						    : start_offset(off_how, off_arg, &ff, is_write);
	if (has_out && resolve_fd(task, out, &inf.f[1], &ff, pid_tgid))
		inf.f[1].start = start_offset(out_how, out_arg, &ff, 1);
	if (!inf.f[0].valid && !inf.f[1].valid)
		return 0;
	stash(&inf, (__u32)pid_tgid, sc, req, k);
	if (iov)
		bpf_tail_call(ctx, &tails, TAIL_IOV_SUM);
	return 0;
}

/*
 * Paths not counted yet, counted as calls of traced processes (UNSEEN_*):
 * Linux AIO submissions, io_uring submissions, shared file mappings and
 * sync_file_range.  One small program each: each reads only the arguments
 * its own tracepoint record has.
 */
static __always_inline int unseen_add(__u32 idx, __u64 n)
{
	__u64 *cnt = bpf_map_lookup_elem(&unseen, &idx);

	if (cnt)
		*cnt += n;
	return 0;
}

static __always_inline int traced_now(void)
{
	struct task_struct *task;
	__u64 pid_tgid = current_ids(&task);

	return task_traced(task, pid_tgid) && !iot_stopped;
}

/* ---- Linux AIO ------------------------------------------------------------------------ */

/*
 * io_submit's preads and pwrites on named regular files count on the
 * file's async sides (a third entry of its record, FILE_PART_ASYNC) and in
 * syscalls aio_pread / aio_pwrite.  At io_submit's exit each request the
 * call accepted is read from user memory, judged sequential (or a rewrite)
 * in submission order against its stream's previous request by requested
 * size, and kept in aioreq until an io_getevents (or io_pgetevents) exit
 * reaps its event: then it counts, with its result and its latency from
 * io_submit's entry.  Anything else submitted counts in unseen.
 */
/* before bpf_loop (5.17): requests and events per program run, in 32 runs at most */
#define AIO_SUBMIT_STEP 4 /* 128 per io_submit */
#define AIO_DONE_STEP	8 /* 256 per io_getevents */

/* a traced thread's io_submit or io_getevents call begins */
static __always_inline int aio_enter(__u64 uptr, __s64 n, __u64 ts)
{
	struct aio_call c = { .uptr = uptr, .ts = ts, .n = n > 0 ? (__u32)n : 0 };
	struct task_struct *task;
	__u64 pid_tgid = current_ids(&task);
	__u32 tid = (__u32)pid_tgid;

	if (!task_traced(task, pid_tgid) || iot_stopped)
		return 0;
	bpf_map_update_elem(&aiocall, &tid, &c, BPF_ANY);
	return 0;
}

/* the call's exit: the entries it returned; NULL when it is not a traced call */
static __always_inline struct aio_call *aio_exit(__s64 ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct aio_call *c = bpf_map_lookup_elem(&aiocall, &tid);

	if (!c)
		return 0;
	if (ret <= 0 || iot_stopped) {
		bpf_map_delete_elem(&aiocall, &tid);
		return 0;
	}
	if (ret < c->n)
		c->n = (__u32)ret;
	c->done = 0;
	return c;
}

/* one request of an io_submit: kept until its event, or counted in unseen */
static __always_inline void aio_submit_one(struct task_struct *task, __u64 pid_tgid,
					   struct aio_call *c, __u32 idx, const __u64 *comm,
					   struct inflight *slot)
{
	struct aio_key k = { .tgid = pid_tgid >> 32 };
	struct inflight_file f = {};
	struct aio_scratch *sc;
	struct file_rec *part;
	struct file_facts ff;
	struct iocb *cb;
	struct rw_side *side;
	struct seq_state *seq;
	struct aio_req *r;
	struct file_key pk;
	__u32 zero = 0;
	int created;

	sc = bpf_map_lookup_elem(&aioscratch, &zero);
	if (!sc)
		goto unseen;
	cb = &sc->cb;
	r = &sc->r;
	if (bpf_probe_read_user(&k.iocb, sizeof(k.iocb), (const void *)(c->uptr + idx * 8ULL)) ||
	    bpf_probe_read_user(cb, sizeof(*cb), (const void *)k.iocb) ||
	    cb->aio_lio_opcode > IOCB_CMD_PWRITE ||
	    !resolve_fd(task, cb->aio_fildes, &f, &ff, pid_tgid) ||
	    !record_of(&f, comm, &created, &sc->ev))
		goto unseen;
	pk = f.fk;
	pk.part = FILE_PART_ASYNC;
	part = lookup_or_init(&files, &pk, &created);
	if (!part)
		goto unseen;
	side = &part->side[cb->aio_lio_opcode & 1];
	seq = stream_of(side, f.file, f.flags, slot);
	r->flags = 0;
	if (cb->aio_lio_opcode == IOCB_CMD_PWRITE && seq_rewrite(seq, cb->aio_offset))
		r->flags |= AIO_REWRITE;
	if (seq_classify(seq, cb->aio_offset, cb->aio_nbytes))
		r->flags |= AIO_SEQ;
	if (!side->first_entry_ns || c->ts < side->first_entry_ns)
		side->first_entry_ns = c->ts;
	r->fk = f.fk;
	r->start = cb->aio_offset;
	r->req = cb->aio_nbytes;
	r->ts = c->ts;
	r->op = cb->aio_lio_opcode & 1;
	if (!bpf_map_update_elem(&aioreq, &k, r, BPF_ANY))
		return;
unseen:
	c->unseen = 1;
	unseen_add(UNSEEN_AIO_IOCBS, 1);
}

/* AIO_SUBMIT_STEP requests of the call, then the next run, or the end */
static __always_inline int aio_submit_run(void *ctx)
{
	struct task_struct *task;
	__u64 pid_tgid = current_ids(&task), comm[2] = {};
	__u32 tid = (__u32)pid_tgid, base, i;
	struct aio_call *c = bpf_map_lookup_elem(&aiocall, &tid);
	struct inflight *slot = slot_of(tid);

	if (!c || !slot)
		return 0;
	current_comm(task, comm);
	base = c->done;
#pragma clang loop unroll(disable)
	for (i = 0; i < AIO_SUBMIT_STEP; i++) {
		if (base + i >= c->n)
			break;
		aio_submit_one(task, pid_tgid, c, base + i, comm, slot);
	}
	c->done = base + AIO_SUBMIT_STEP;
	if (c->done < c->n)
		bpf_tail_call(ctx, &tails, TAIL_AIO_SUBMIT);
	if (c->done < c->n) { /* the tail-call limit: the rest is not counted */
		unseen_add(UNSEEN_AIO_IOCBS, c->n - c->done);
		c->unseen = 1;
	}
	if (c->unseen)
		unseen_add(UNSEEN_IO_SUBMIT, 1);
	bpf_map_delete_elem(&aiocall, &tid);
	return 0;
}

/* one reaped event: its request counts on its file, with its result and latency */
static __always_inline void aio_done_one(struct aio_call *c, __u32 idx, __u32 tgid, __u64 now)
{
	struct aio_key k = { .tgid = tgid };
	struct io_event ev;
	struct file_rec *part;
	struct aio_req *r;
	struct file_key pk;

	if (bpf_probe_read_user(&ev, sizeof(ev), (const void *)(c->uptr + idx * sizeof(ev))))
		return;
	k.iocb = ev.obj;
	r = bpf_map_lookup_elem(&aioreq, &k);
	if (!r)
		return;
	pk = r->fk;
	pk.part = FILE_PART_ASYNC;
	part = bpf_map_lookup_elem(&files, &pk);
	if (part) {
		/*
		 * count_side's counting, with the verdicts given at submission; one
		 * helper for both cost the syscall exit or this step 1.1-2.3k more
		 * insns processed, so the rules are written twice: keep them alike
		 */
		struct rw_side *side = &part->side[r->op & 1];
		__u64 lat = now - r->ts;

		__sync_fetch_and_add(&side->calls, 1);
		__sync_fetch_and_add(&side->lat_total_ns, lat);
		__sync_fetch_and_add(&side->lat_hist[lat_bucket(lat)], 1);
		if (r->flags & AIO_REWRITE)
			__sync_fetch_and_add(&side->rewrites, 1);
		if (ev.res < 0) {
			__sync_fetch_and_add(&side->errors, 1);
		} else {
			__sync_fetch_and_add(&side->bytes, ev.res);
			side->last_return_ns = now;
			if (r->flags & AIO_SEQ) {
				__sync_fetch_and_add(&side->seq_calls, 1);
				__sync_fetch_and_add(&side->seq_hist[hist_bucket(ev.res)], 1);
			}
		}
		count_syscall(&r->fk, SC_aio_pread + (r->op & 1), r->req, ev.res, 1);
	}
	bpf_map_delete_elem(&aioreq, &k);
}

static __always_inline int aio_done_run(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	__u32 tid = (__u32)pid_tgid, base, i;
	struct aio_call *c = bpf_map_lookup_elem(&aiocall, &tid);

	if (!c)
		return 0;
	base = c->done;
#pragma clang loop unroll(disable)
	for (i = 0; i < AIO_DONE_STEP; i++) {
		if (base + i >= c->n)
			break;
		aio_done_one(c, base + i, pid_tgid >> 32, now);
	}
	c->done = base + AIO_DONE_STEP;
	if (c->done < c->n)
		bpf_tail_call(ctx, &tails, TAIL_AIO_DONE);
	/* past the tail-call limit, requests stay in aioreq: user space counts them unseen */
	bpf_map_delete_elem(&aiocall, &tid);
	return 0;
}

/*
 * Where the kernel has bpf_loop (5.17+), one run takes every request or
 * event of the call (aio_submit_loop, aio_done_loop), and the verifier
 * checks the callback's body once, where it walks the stepped loops above
 * once per step: about 550 instead of 14,000 insns processed for the
 * events on 6.18.  User space loads one kind or the other
 * (objects_choose_loops).  What the callbacks share is in struct aio_loop,
 * on the caller's stack.
 */
struct aio_loop {
	struct aio_call *c;
	struct inflight *slot;
	__u64 comm[2];
	__u64 now;
};

static long aio_submit_cb(__u64 i, void *data)
{
	struct aio_loop *d = data;
	struct task_struct *task;
	__u64 pid_tgid = current_ids(&task);

	aio_submit_one(task, pid_tgid, d->c, (__u32)i, d->comm, d->slot);
	return 0;
}

static long aio_done_cb(__u64 i, void *data)
{
	struct aio_loop *d = data;

	aio_done_one(d->c, (__u32)i, bpf_get_current_pid_tgid() >> 32, d->now);
	return 0;
}

/* every request (submit) or event of the call, in one run */
static __always_inline int aio_loop_run(int submit)
{
	struct task_struct *task;
	__u64 pid_tgid = current_ids(&task);
	__u32 tid = (__u32)pid_tgid;
	struct aio_loop d = { .c = bpf_map_lookup_elem(&aiocall, &tid), .slot = slot_of(tid) };

	if (!d.c || !d.slot)
		return 0;
	if (submit) {
		current_comm(task, d.comm);
		if (bpf_loop(d.c->n, aio_submit_cb, &d, 0) < 0) {
			unseen_add(UNSEEN_AIO_IOCBS, d.c->n); /* more than bpf_loop takes */
			d.c->unseen = 1;
		}
		if (d.c->unseen)
			unseen_add(UNSEEN_IO_SUBMIT, 1);
	} else {
		d.now = bpf_ktime_get_ns();
		bpf_loop(d.c->n, aio_done_cb, &d, 0); /* events past its limit stay unseen */
	}
	bpf_map_delete_elem(&aiocall, &tid);
	return 0;
}

/* io_submit(ctx_id, nr, iocbpp) */
SEC("tracepoint/syscalls/sys_enter_io_submit")
int aio_submit_enter(struct sys_enter_ctx *ctx)
{
	return aio_enter(READ_ONCE(ctx->args[2]), (__s64)READ_ONCE(ctx->args[1]),
			 bpf_ktime_get_ns());
}

/* the exits only note the count and go on in the step programs: their loops are verified once */
SEC("tracepoint/syscalls/sys_exit_io_submit")
int aio_submit_exit(struct sys_exit_ctx *ctx)
{
	if (aio_exit(ctx->ret))
		bpf_tail_call(ctx, &tails, TAIL_AIO_SUBMIT);
	return 0;
}

SEC("tail/tracepoint/syscalls/aio_submit_step")
int aio_submit_step(struct sys_exit_ctx *ctx)
{
	return aio_submit_run(ctx);
}

/* io_getevents(ctx_id, min_nr, nr, events, timeout), io_pgetevents(..., usig) */
SEC("tracepoint/syscalls/sys_enter_io_getevents")
int aio_getevents_enter(struct sys_enter_ctx *ctx)
{
	return aio_enter(READ_ONCE(ctx->args[3]), (__s64)READ_ONCE(ctx->args[2]), 0);
}

SEC("tracepoint/syscalls/sys_enter_io_pgetevents")
int aio_pgetevents_enter(struct sys_enter_ctx *ctx)
{
	return aio_enter(READ_ONCE(ctx->args[3]), (__s64)READ_ONCE(ctx->args[2]), 0);
}

SEC("tracepoint/syscalls/sys_exit_io_getevents")
int aio_getevents_exit(struct sys_exit_ctx *ctx)
{
	if (aio_exit(ctx->ret))
		bpf_tail_call(ctx, &tails, TAIL_AIO_DONE);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_io_pgetevents")
int aio_pgetevents_exit(struct sys_exit_ctx *ctx)
{
	if (aio_exit(ctx->ret))
		bpf_tail_call(ctx, &tails, TAIL_AIO_DONE);
	return 0;
}

SEC("tail/tracepoint/syscalls/aio_done_step")
int aio_done_step(struct sys_exit_ctx *ctx)
{
	return aio_done_run(ctx);
}

SEC("tail/tracepoint/syscalls/aio_submit_loop")
int aio_submit_loop(struct sys_exit_ctx *ctx)
{
	return aio_loop_run(1);
}

SEC("tail/tracepoint/syscalls/aio_done_loop")
int aio_done_loop(struct sys_exit_ctx *ctx)
{
	return aio_loop_run(0);
}

/* ---- io_uring ------------------------------------------------------------------------- */

/*
 * Reads, writes and fsyncs of io_uring on named regular files count on the
 * file's async sides (FILE_PART_ASYNC, as Linux AIO) and in syscalls
 * io_uring_read ... io_uring_fdatasync, on kernels whose io_uring_complete
 * event has the request's address (6.1 on; not 5.10), as their submission
 * event (io_uring_submit_req; io_uring_submit_sqe on 6.1) has.  The
 * submission notes the request (uring_submit); its file is set when it is
 * issued, a registered file's too, so it counts when its completion is
 * posted (uring_complete): its file from the request, its result and its
 * latency from the submission.  A completion may be posted by another
 * thread of the process (io-wq, SQPOLL) or by the submitter later:
 * everything it needs is in the request's uringreq entry.  Sequential
 * access and rewrites are judged per stream in completion order.  On a
 * kernel without the events the programs do nothing (the loader leaves a
 * missing event unattached) and unseen counts io_uring_enter's submissions.
 */
#define URING_ATTRIBUTED FIELD_EXISTS(struct trace_event_raw_io_uring_complete, req)

/* SC_uring_* of a counted opcode, else SC_MAX */
static __always_inline __u32 uring_sc(__u8 op)
{
	switch (op) {
	case IORING_OP_READ:
		return SC_uring_read;
	case IORING_OP_WRITE:
		return SC_uring_write;
	case IORING_OP_READV:
		return SC_uring_readv;
	case IORING_OP_WRITEV:
		return SC_uring_writev;
	case IORING_OP_READ_FIXED:
		return SC_uring_read_fixed;
	case IORING_OP_WRITE_FIXED:
		return SC_uring_write_fixed;
	case IORING_OP_FSYNC:
		return SC_uring_fsync;
	}
	return SC_MAX;
}

/* the bytes of a READV/WRITEV iovec array, or -1 past URING_IOV_MAX entries or unreadable */
static __always_inline __s64 uring_iov_bytes(__u64 uiov, __u32 cnt)
{
	struct uring_scratch *sc;
	__u32 zero = 0, i;
	__u64 sum = 0;

	sc = bpf_map_lookup_elem(&uringscratch, &zero);
	if (!sc || cnt > URING_IOV_MAX ||
	    bpf_probe_read_user(sc->iov, (cnt & (URING_IOV_MAX * 2 - 1)) * sizeof(sc->iov[0]),
				(const void *)uiov))
		return -1;
#pragma clang loop unroll(disable)
	for (i = 0; i < URING_IOV_MAX; i++) {
		if (i >= cnt)
			break;
		sum += sc->iov[i].len;
	}
	return (__s64)sum;
}

/* a submitted request: kept in uringreq until its completion */
static __always_inline int uring_submit(__u64 rq, __u8 op, __u64 flags)
{
	struct uring_req r = {};
	struct task_struct *task;
	__u64 pid_tgid, addr = 0;
	__u8 cmd[64]; /* the request's command (struct io_kiocb begins with it) */
	__s64 bytes;
	__u32 len = 0;
	int fl = 0;
	long err;

	pid_tgid = current_ids(&task);
	if (!task_traced(task, pid_tgid) || iot_stopped)
		return 0;
	r.sc = uring_sc(op);
	if (r.sc == SC_MAX) {
		if (op == IORING_OP_SPLICE || op == IORING_OP_SYNC_FILE_RANGE)
			unseen_add(UNSEEN_URING_REQS, 1);
		return 0;
	}
	/* no completion is posted for its success: it could not be counted */
	if ((flags & IOSQE_CQE_SKIP_SUCCESS) ||
	    bpf_probe_read_kernel(cmd, sizeof(cmd), (const void *)rq))
		return unseen_add(UNSEEN_URING_REQS, 1);
	r.start = URING_POS_CUR;
	if (r.sc == SC_uring_fsync) {
		COPY_FIELD(cmd, sizeof(cmd), struct io_sync, flags, fl);
		if (fl & IORING_FSYNC_DATASYNC)
			r.sc = SC_uring_fdatasync;
	} else {
		/* prepared before the event: the offset (-1: the file position), length, buffer */
		COPY_FIELD(cmd, sizeof(cmd), struct io_rw, kiocb.ki_pos, r.start);
		COPY_FIELD(cmd, sizeof(cmd), struct io_rw, len, len);
		COPY_FIELD(cmd, sizeof(cmd), struct io_rw, addr, addr);
		r.req = len;
		if (r.sc == SC_uring_readv || r.sc == SC_uring_writev) {
			bytes = uring_iov_bytes(addr, len);
			if (bytes < 0)
				return unseen_add(UNSEEN_URING_REQS, 1);
			r.req = (__u64)bytes;
		}
	}
	r.ts = bpf_ktime_get_ns();
	r.tgid = pid_tgid >> 32;
	current_comm(task, r.comm);
	err = bpf_map_update_elem(&uringreq, &rq, &r, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* the address's earlier request never posted a completion */
		unseen_add(UNSEEN_URING_REQS, 1);
		err = bpf_map_update_elem(&uringreq, &rq, &r, BPF_ANY);
	}
	if (err)
		unseen_add(UNSEEN_URING_REQS, 1);
	return 0;
}

/* the submission event: io_uring_submit_req, named io_uring_submit_sqe on older kernels (6.1) */
SEC("tracepoint/io_uring/io_uring_submit_req")
int uring_submit_req(struct trace_event_raw_io_uring_submit_req *ctx)
{
	if (!URING_ATTRIBUTED || !FIELD_EXISTS(struct trace_event_raw_io_uring_submit_req, req))
		return 0;
	return uring_submit((__u64)ctx->req, ctx->opcode, ctx->flags);
}

SEC("tracepoint/io_uring/io_uring_submit_sqe")
int uring_submit_sqe(struct trace_event_raw_io_uring_submit_sqe *ctx)
{
	if (!URING_ATTRIBUTED || !FIELD_EXISTS(struct trace_event_raw_io_uring_submit_sqe, req))
		return 0;
	return uring_submit((__u64)ctx->req, ctx->opcode, ctx->flags);
}

/* an fsync request on its file: syncstats like fsync's, under its own SC_uring_* */
static __always_inline void uring_sync(struct inflight_file *f, const struct uring_req *r,
				       __s64 res, __u64 now)
{
	struct sc_key key = { .fk = f->fk, .sc = r->sc };
	struct sync_stats *st;
	int created;

	st = lookup_or_init(&syncstats, &key, &created);
	if (!st) {
		drop(DROP_SCSTATS_FULL);
		return;
	}
	count_sync(st, now - r->ts, res);
}

SEC("tracepoint/io_uring/io_uring_complete")
int uring_complete(struct trace_event_raw_io_uring_complete *ctx)
{
	struct inflight_file f = {};
	struct uring_scratch *sc;
	struct file_rec *part;
	struct file_facts ff;
	struct uring_req *r;
	__u64 rq, now, fp = 0, pos = 0;
	__u8 cmd[64];
	__u32 zero = 0, op;
	__s64 res;
	int created;

	if (!URING_ATTRIBUTED)
		return 0;
	rq = (__u64)ctx->req;
	r = bpf_map_lookup_elem(&uringreq, &rq);
	if (!r)
		return 0;
	res = ctx->res;
	now = bpf_ktime_get_ns();
	sc = bpf_map_lookup_elem(&uringscratch, &zero);
	if (!sc || bpf_probe_read_kernel(cmd, sizeof(cmd), (const void *)rq))
		goto unseen;
	COPY_FIELD(cmd, sizeof(cmd), struct io_kiocb, file, fp);
	if (!fp) /* no file: a bad descriptor, as a syscall's, is counted nowhere */
		goto done;
	if (!(bpf_rdonly_cast ? file_facts_btf(fp, &ff) : file_facts_heads((void *)fp, &ff)))
		goto unseen;
	/* not a named regular file: not counted, as a syscall on it would not be */
	if (!identify(&f, &ff, r->tgid))
		goto done;
	/* without a record the request is not counted (it is, in dropped.files) */
	if (!record_of(&f, r->comm, &created, &sc->ev))
		goto done;
	if (r->sc >= SC_uring_fsync) {
		uring_sync(&f, r, res, now);
		goto done;
	}
	f.fk.part = FILE_PART_ASYNC;
	part = lookup_or_init(&files, &f.fk, &created);
	f.fk.part = FILE_PART_MAIN;
	if (!part) {
		drop(DROP_SCSTATS_FULL);
		goto done;
	}
	op = (r->sc - SC_uring_read) & 1; /* reads, then writes: read, write, readv, ... */
	f.start = r->start;
	if (f.start == URING_POS_CUR) {
		/* at the file position: the kiocb's position has moved past what it did */
		COPY_FIELD(cmd, sizeof(cmd), struct io_rw, kiocb.ki_pos, pos);
		f.start = pos - (res > 0 ? res : 0);
	}
	/* a syscall's counting, with the submission as its entry */
	count_side(&part->side[op], r->ts, now, &f, res, op, &sc->streams);
	count_syscall(&f.fk, r->sc, r->req, res, 1);
	goto done;
unseen:
	unseen_add(UNSEEN_URING_REQS, 1);
done:
	bpf_map_delete_elem(&uringreq, &rq);
	return 0;
}

/* ---- mapped I/O -------------------------------------------------------------------------- */

/*
 * exceptions:page_fault_user (x86), declared here: its trace struct is
 * missing from the BTF of some kernels (6.18, 7.2).  Four longs: the
 * common header, the faulting address, the ip and the error code.
 */
struct page_fault_ctx {
	__u64 common;
	__u64 address;
	__u64 ip;
	__u64 error_code;
};
#define X86_PF_WRITE 2

struct fault_vma {
	__u64 file;
};

/* bpf_find_vma's callback: the file of the mapping (0 for anonymous memory) */
static long fault_vma(struct task_struct *task, struct vm_area_struct *vma, struct fault_vma *v)
{
	v->file = (__u64)vma->vm_file;
	return 0;
}

/*
 * A page fault of a traced process on a mapping of a named regular file
 * counts on the file (mapstats), which gets a record, and a name, as a
 * syscall's file would.  Faults on anonymous memory are looked up and
 * left.  Loaded only with --mapped and where the kernel has bpf_find_vma
 * (5.17+), with the program BTF its callback needs (loader/funcinfo.c).
 */
SEC("tracepoint/exceptions/page_fault_user")
int mapped_fault(struct page_fault_ctx *ctx)
{
	struct inflight_file f = {};
	struct fault_vma v = {};
	struct task_struct *task;
	struct file_facts ff;
	struct emit_scratch *sc;
	struct map_stats *st;
	__u64 pid_tgid, comm[2] = {}, now;
	__u32 zero = 0;
	int created;

	pid_tgid = current_ids(&task);
	if (!task_traced(task, pid_tgid) || iot_stopped)
		return 0;
	if (bpf_find_vma(bpf_get_current_task_btf(), ctx->address, fault_vma, &v, 0)) {
		unseen_add(UNSEEN_FAULTS, 1); /* the mapping's lock was taken: not looked up */
		return 0;
	}
	if (!v.file)
		return 0;
	if (!(bpf_rdonly_cast ? file_facts_btf(v.file, &ff)
			      : file_facts_heads((void *)v.file, &ff)))
		return 0;
	if (!identify(&f, &ff, pid_tgid >> 32) ||
	    (f.fk.ino == iot_cfg.self_exe_ino && f.fk.dev == iot_cfg.self_exe_dev))
		return 0;
	current_comm(task, comm);
	/* without a record the fault is not counted (the file is, in dropped.files) */
	if (!record_of(&f, comm, &created, 0))
		goto out;
	st = lookup_or_init(&mapstats, &f.fk, &created);
	if (!st) {
		drop(DROP_SCSTATS_FULL);
		goto out;
	}
	now = bpf_ktime_get_ns();
	__sync_fetch_and_add(&st->faults, 1);
	if (ctx->error_code & X86_PF_WRITE)
		__sync_fetch_and_add(&st->write_faults, 1);
	if (!st->first_ns)
		st->first_ns = now;
	st->last_ns = now;
out:
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (sc)
		flush_emits(ctx, sc);
	return 0;
}

/*
 * A page (or a folio of 2^order pages) the kernel added to the page cache
 * while a traced process ran: counted by inode, joined to its record in
 * user space.  Page cache additions of other processes (write-back,
 * another reader) are not theirs and not counted.
 */
SEC("tracepoint/filemap/mm_filemap_add_to_page_cache")
int cache_add(struct trace_event_raw_mm_filemap_op_page_cache *ctx)
{
	struct cache_key k = {};
	struct task_struct *task;
	__u64 pid_tgid, pages = 1, *cnt;
	__u8 order;

	pid_tgid = current_ids(&task);
	if (!task_traced(task, pid_tgid) || iot_stopped)
		return 0;
	k.ino = ctx->i_ino;
	k.dev = ctx->s_dev;
	if (iot_cfg.per_process)
		k.tgid = pid_tgid >> 32;
	if (FIELD_EXISTS(struct trace_event_raw_mm_filemap_op_page_cache, order)) {
		order = ctx->order;
		pages = 1ULL << (order & 31);
	}
	cnt = bpf_map_lookup_elem(&cachestats, &k);
	if (!cnt) {
		if (!bpf_map_update_elem(&cachestats, &k, &pages, BPF_NOEXIST))
			return 0;
		cnt = bpf_map_lookup_elem(&cachestats, &k); /* another CPU was first */
		if (!cnt)
			return unseen_add(UNSEEN_CACHE_PAGES, pages); /* the table is full */
	}
	__sync_fetch_and_add(cnt, pages);
	return 0;
}

/* where io_uring requests are not attributed (5.10): the calls and their submissions */
SEC("tracepoint/syscalls/sys_enter_io_uring_enter")
int unseen_io_uring_enter(struct sys_enter_ctx *ctx)
{
	__u32 to_submit = (__u32)READ_ONCE(ctx->args[1]);

	if (URING_ATTRIBUTED || !traced_now())
		return 0;
	unseen_add(UNSEEN_URING_ENTER, 1);
	return unseen_add(UNSEEN_URING_SUBMIT, to_submit);
}

#define MAP_SHARED_BIT 0x01
#define MAP_ANON_BIT   0x20
/* a shared mapping of a named regular file (not of an io_uring ring, a device, a memfd) */
SEC("tracepoint/syscalls/sys_enter_mmap")
int unseen_mmap(struct sys_enter_ctx *ctx)
{
	__u64 flags = READ_ONCE(ctx->args[3]), pid_tgid;
	__s32 fd = (__s32)READ_ONCE(ctx->args[4]);
	struct inflight_file f = {};
	struct task_struct *task;
	struct file_facts ff;

	if (!(flags & MAP_SHARED_BIT) || (flags & MAP_ANON_BIT) || fd < 0)
		return 0;
	pid_tgid = current_ids(&task);
	if (!task_traced(task, pid_tgid) || iot_stopped || !resolve_fd(task, fd, &f, &ff, pid_tgid))
		return 0;
	unseen_add(UNSEEN_MMAP_BYTES, READ_ONCE(ctx->args[1]));
	return unseen_add(UNSEEN_SHARED_MMAP, 1);
}

SEC("tracepoint/syscalls/sys_enter_sync_file_range")
int unseen_sync_file_range(struct sys_enter_ctx *ctx)
{
	if (!traced_now())
		return 0;
	return unseen_add(UNSEEN_SYNC_FILE_RANGE, 1);
}

/* The programs: one per tracepoint, all with the same two bodies. */
#define X(name, tp, nargs, kind, fd, out, req, off)                                                \
	SEC("tracepoint/syscalls/sys_enter_" #tp)                                                  \
	int sys_enter_##tp(struct sys_enter_ctx *ctx)                                              \
	{                                                                                          \
		return on_enter(ctx, nargs, (kind) == SC_KIND_COPY);                               \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #tp)                                                   \
	int sys_exit_##tp(struct sys_exit_ctx *ctx)                                                \
	{                                                                                          \
		return on_exit(ctx);                                                               \
	}
#include "syscalls.def"
#undef X

char LICENSE[] SEC("license") = "GPL";
