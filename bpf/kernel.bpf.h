/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel structures the handlers read, declared by hand with only the
 * fields we use.  preserve_access_index makes clang emit a CO-RE relocation
 * for every access; our loader rewrites each offset against the running
 * kernel's /sys/kernel/btf/vmlinux, so field order and padding here do not
 * matter, only names and sizes do.  Fields inside anonymous unions on the
 * kernel side (qstr.len, inode.i_nlink, file.f_path on 6.x) are found by name.
 */
#ifndef IOTRACE_KERNEL_BPF_H
#define IOTRACE_KERNEL_BPF_H

#include <linux/types.h>

#define __core __attribute__((preserve_access_index))

struct qstr {
	__u32 hash;
	__u32 len;
	const unsigned char *name;
} __core;

struct hlist_node {
	struct hlist_node *next;
	struct hlist_node **pprev;
} __core;

struct hlist_head {
	struct hlist_node *first;
} __core;

struct hlist_bl_node {
	struct hlist_bl_node *next;
	struct hlist_bl_node **pprev;
} __core;

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	struct hlist_bl_node d_hash; /* pprev NULL: unhashed (unlinked, or O_TMPFILE) */
	union {
		struct hlist_node d_alias; /* in inode->i_dentry */
	} d_u;
} __core;

/*
 * The same dentry where the d_u union is anonymous, so d_alias is reached
 * without it: Debian sid's 7.2 (6.12 still names it d_u).  A flavor: the
 * loader matches "dentry___anon_u" with the kernel's struct dentry, and
 * rw.bpf.c asks which of the two this kernel has (d_alias_off).
 */
struct dentry___anon_u {
	union {
		struct hlist_node d_alias;
	};
} __core;

struct file_system_type {
	const char *name;
} __core;

struct super_block {
	__u32 s_dev;
	unsigned long s_flags;
	struct file_system_type *s_type;
} __core;

struct inode {
	__u16 i_mode;
	struct super_block *i_sb;
	unsigned long i_ino;
	unsigned int i_nlink;
	long long i_size;
	__u32 i_generation;	    /* with i_ino, the file's identity */
	struct hlist_head i_dentry; /* the dentries (names) of this inode */
} __core;

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
} __core;

/* fs/mount.h: struct vfsmount is embedded in struct mount */
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
	void *mnt_ns; /* struct mnt_namespace *: NULL once unmounted */
} __core;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
} __core;

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
	long long f_pos;
	struct {
		long counter;
	} f_count; /* references: descriptors, dups, forks (up to 6.12) */
} __core;

/*
 * The same file where the reference count is a file_ref_t (6.13 on), which
 * holds the count minus one: 0 is one reference.  A flavor, as dentry___anon_u.
 */
struct file___ref {
	struct {
		struct {
			long counter;
		} refcnt;
	} f_ref;
} __core;

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} __core;

struct files_struct {
	struct fdtable *fdt;
} __core;

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live; /* threads of the group not yet in do_exit */
} __core;

/* a mapping of a process's memory: its file, NULL for anonymous memory */
struct vm_area_struct {
	struct file *vm_file;
} __core;

struct task_struct {
	int pid;
	int tgid;
	struct files_struct *files;
	struct signal_struct *signal;
	char comm[16];
} __core;

/*
 * io_uring (6.1+ layouts; rw.bpf.c reads none of them where the kernel's
 * io_uring_complete event has no request address, as on 5.10).  A request
 * (struct io_kiocb) begins with its opcode's command: struct io_rw for
 * reads and writes, struct io_sync for fsync; its file (set when it is
 * issued, a registered file's too) shares the first bytes.
 */
struct kiocb {
	long long ki_pos;
} __core;

struct io_rw {
	struct kiocb kiocb;
	__u64 addr; /* the buffer, or the iovec array of READV/WRITEV */
	__u32 len;  /* bytes, or iovec entries */
} __core;

struct io_sync {
	int flags; /* IORING_FSYNC_DATASYNC */
} __core;

struct io_kiocb {
	struct file *file;
} __core;

/*
 * The records of the submission event (io_uring_submit_req; named
 * io_uring_submit_sqe on older kernels (6.1), with flags of 32 bits) and of
 * io_uring_complete.  flags are the request's REQ_F_*, whose low byte
 * mirrors the submission's IOSQE_*.
 */
struct trace_event_raw_io_uring_submit_req {
	void *req;
	__u8 opcode;
	unsigned long long flags;
} __core;

struct trace_event_raw_io_uring_submit_sqe {
	void *req;
	__u8 opcode;
	__u32 flags;
} __core;

/*
 * filemap:mm_filemap_add_to_page_cache's record (and delete's): i_ino and
 * pfn swap places in 7.2, order is there from 6.1 on (FIELD_EXISTS).
 */
struct trace_event_raw_mm_filemap_op_page_cache {
	unsigned long i_ino;
	unsigned int s_dev; /* dev_t: the kernel's major << 20 | minor */
	unsigned char order;
} __core;

struct trace_event_raw_io_uring_complete {
	void *req;
	int res;
} __core;

/*
 * The sched_process_exit event's record: only the kernels whose tracepoint
 * passes group_dead (TP_PROTO(p, group_dead), 6.18 here) have this struct
 * with that field, so its existence says what the raw tracepoint's ctx[1] is.
 */
struct trace_event_raw_sched_process_exit {
	_Bool group_dead;
} __core;

#endif
