/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ABI shared by the BPF handlers (bpf/), the hand-written asm (asm/)
 * and user space (src/).  The part outside #ifndef __ASSEMBLER__ is plain
 * #defines that asm can use; struct layouts that asm touches are pinned by
 * _Static_assert in src/record/abi_check.c.
 */
#ifndef IOTRACE_ABI_H
#define IOTRACE_ABI_H

/*
 * Size histograms: HIST_BUCKETS log2 buckets, independent of the data.
 *   bucket 0          [0, 0]
 *   bucket i, 1..62   [2^(i-1), 2^i - 1]      (4096 begins bucket 13, 65536 bucket 17)
 *   bucket 63         [2^62, UINT64_MAX]
 * hist_bucket(v) = min(bit length of v, 63).
 */
#define HIST_BUCKETS 64
#define HIST_LAST    (HIST_BUCKETS - 1)

/*
 * Latency histograms (fsync-type calls, in ns): 4 sub-buckets per octave,
 * so percentiles resolve to a quarter of an octave.  With k = idx / 4 + 1
 * and sub = idx % 4:
 *   bucket idx, 0..3           [idx, idx]
 *   bucket idx, 4..158         [(4 + sub) << (k - 2), ((5 + sub) << (k - 2)) - 1]
 *                              (4 is [4, 4], 8 is [8, 9], 12 is [16, 19],
 *                              36 is [1024, 1279], 158 is [6 << 38, (7 << 38) - 1])
 *   bucket LAT_LAST (159)      [7 << 38, UINT64_MAX]   (7 << 38 ns is about 1924 s)
 * lat_bucket(v) = v for v < 4; else with k = bit length(v) - 1 and
 * sub = (v >> (k - 2)) & 3: min(4 * (k - 1) + sub, LAT_LAST).
 */
#define LAT_SUB_BITS 2
#define LAT_BUCKETS  160
#define LAT_LAST     (LAT_BUCKETS - 1)

/* struct seq_state field offsets (asm/seq.S) */
#define SEQ_NEXT_OFF	0 /* end offset of the previous successful call */
#define SEQ_LAST_START	8 /* starting offset of the previous call */
#define SEQ_FLAGS	16
#define SEQ_STATE_SZ	24
#define SEQ_F_HAVE_LAST 1 /* SEQ_LAST_START is valid */

/* filter_task mode bits (asm/filter.S) */
#define FILTER_ALL	1 /* no pid or comm target: trace every process */
#define FILTER_PIDS	2 /* the pids bitmap holds targets */
#define FILTER_COMMS	4 /* the comms map holds targets */
/* filter_task's answers: ASK, the caller looks the comm up in the comms hash */
#define FILTER_TASK_NO	0
#define FILTER_TASK_YES 1
#define FILTER_TASK_ASK 2
#define COMM_LEN	16
/*
 * The pids map is a bitmap over every possible tgid: an array of PID_WORDS
 * u64 words, tgid t is bit t % 64 of word t / 64.  PID_LIMIT is the
 * kernel's PID_MAX_LIMIT on 64-bit (pid_max can be raised to it, no
 * further).  An array lookup is inlined by the verifier: testing a bit
 * costs a few instructions where a hash lookup cost about 20 ns per call.
 */
#define PID_LIMIT	(4 * 1024 * 1024)
#define PID_WORD_SHIFT	6
#define PID_WORDS	(PID_LIMIT >> PID_WORD_SHIFT)
#define PID_BIT(tgid)	(1ULL << ((tgid)&63))
/*
 * Up to COMM_LIST_MAX comm targets are compared in place (asm filter_task,
 * struct comm_list in .rodata) instead of looked up in the comms hash.
 */
#define COMM_LIST_MAX	8
#define COMM_LIST_CNT	0 /* offsetof(struct comm_list, cnt) */
#define COMM_LIST_NAMES 8 /* offsetof(struct comm_list, names) */

/* filter_file: inode mode and super_block flags of a file worth a record */
#define IOT_S_IFMT	 0170000
#define IOT_S_IFREG	 0100000
#define IOT_SB_KERNMOUNT (1 << 22) /* internal mounts: memfd, pipes, sockets */

/* drops[] reasons: everything BPF could not count is counted here */
#define DROP_FILES_FULL	   0 /* files map full: a call on a file without record */
#define DROP_SCSTATS_FULL  1 /* per-syscall stats map full: a call not counted */
#define DROP_INFLIGHT_FULL 2 /* no slot to pair enter with exit: a call not counted */
#define DROP_EVENTS_FULL   3 /* ring buffer full: a path or comm not delivered */
#define DROP_PATH_TRUNC	   4 /* path deeper or longer than we walk (path marked) */
#define DROP_FD_READ	   5 /* fd -> file resolution failed: a call not counted */
#define DROP_PIDS_FULL	   6 /* a forked child could not be added: it is not traced */
#define DROP_LOST_FULL	   7 /* lostfiles map full: dropped.files is a lower bound */
#define DROP_MAX	   8

/*
 * unseen[] counters: calls of traced processes that move file data along a
 * path iotrace does not count yet, so that the result names what it lacks.
 */
/* io_submit calls with a request not counted per file, and such requests: not a
 * pread or pwrite on a named regular file, past a limit, or never reaped */
#define UNSEEN_IO_SUBMIT       0
#define UNSEEN_AIO_IOCBS       1
#define UNSEEN_URING_ENTER     2 /* io_uring_enter calls */
#define UNSEEN_URING_SUBMIT    3 /* the submissions they asked for (to_submit) */
#define UNSEEN_SHARED_MMAP     4 /* mmap of a file descriptor with MAP_SHARED */
#define UNSEEN_SYNC_FILE_RANGE 5
#define UNSEEN_MMAP_BYTES      6 /* the length of those mappings, summed */
/* io_uring requests not counted per file where the kernel attributes them: operations
 * that move file data but are not counted (splice, sync_file_range), requests posting
 * no completion on success (IOSQE_CQE_SKIP_SUCCESS), past a table's room, never completed */
#define UNSEEN_URING_REQS      7
#define UNSEEN_FAULTS	       8 /* page faults whose mapping could not be looked up */
/* pages added to the page cache for what has no record: file system metadata, an exec'd binary */
#define UNSEEN_CACHE_PAGES     9
#define UNSEEN_MAX	       10
/* programs on the tracepoints of these paths: io_submit, io_getevents and io_pgetevents
 * (enter and exit each), io_uring_enter, mmap and sync_file_range (enter) */
#define UNSEEN_PROGS	       9
/* programs attached on io_uring's events: the submission (io_uring_submit_req, or
 * io_uring_submit_sqe on older kernels) and io_uring_complete */
#define URING_PROGS	       2
/* the program on x86's page_fault_user event: with --mapped, where the kernel has
 * bpf_find_vma (5.17+) */
#define MAPPED_PROGS	       1
/* the program on filemap's page cache additions */
#define CACHE_PROGS	       1

/* enter/exit pairing: a slot per thread id modulo INFLIGHT_SLOTS (bpf/rw.bpf.c) */
#define INFLIGHT_SLOTS 32768
#define INFLIGHT_BUSY  0xffffffffu

#define SC_KIND_READ	   0
#define SC_KIND_WRITE	   1
#define SC_KIND_SYNC	   2
#define SC_KIND_CLOSE	   3
#define SC_KIND_COPY	   4 /* in-kernel copies: source side; | 1, the destination's (5) */
#define SC_KIND_ASYNC	   6 /* asynchronous reads (Linux AIO, io_uring); | 1, writes (7) */
#define SC_KIND_ASYNC_SYNC 8 /* io_uring fsync: latency like fsync, not in the fsync sums */

/*
 * A record's sides: read-type and write-type calls, and the two ends of
 * in-kernel copies (copy_file_range, splice), kept apart because their data
 * never passes through the process.  A call of kind k counts on side k
 * (SC_KIND_READ, SC_KIND_WRITE); a copy on SIDE_COPY_READ of its source and
 * SIDE_COPY_WRITE of its destination.  An odd side is a writing one.
 */
#define SIDE_READ	 0
#define SIDE_WRITE	 1
#define SIDE_COPY_READ	 2
#define SIDE_COPY_WRITE	 3
#define SIDE_ASYNC_READ	 4 /* asynchronous requests: Linux AIO and io_uring reads */
#define SIDE_ASYNC_WRITE 5
#define SIDES		 6

#define PATH_BUF_SZ    4096 /* reversed NUL-separated components */
#define PATH_MAX_DEPTH 96   /* dentry levels + mount crossings walked */

/* iot_stopped: when the handlers count (bpf/maps.bpf.h) */
#define IOT_LIVE    0
#define IOT_NOT_YET 1
#define IOT_ENDED   2

#define EV_FILE		1
#define EV_COMM		2
#define EV_FILE_UNNAMED 3 /* an ev_file without its path: user space names it at the end */

#ifndef __ASSEMBLER__

#include <linux/types.h>

/*
 * The tail-call table (the "tails" prog array): index -> the program user
 * space puts there, one list for both sides.
 */
#define IOT_TAILS(X)                                                                               \
	X(TAIL_EMIT_FILES, emit_files)                                                             \
	X(TAIL_IOV_SUM, iov_sum_prog)                                                              \
	X(TAIL_COPY_EXIT, copy_exit)                                                               \
	X(TAIL_AIO_SUBMIT, aio_submit_step)                                                        \
	X(TAIL_AIO_DONE, aio_done_step)
/*
 * Slots whose program has a second form, loaded instead of the first on
 * kernels with bpf_loop (5.17+): user space puts the loaded one there.
 */
#define IOT_TAIL_LOOPS(X)                                                                          \
	X(TAIL_AIO_SUBMIT, aio_submit_loop)                                                        \
	X(TAIL_AIO_DONE, aio_done_loop)
enum tail_idx {
#define X(idx, prog) idx,
	IOT_TAILS(X)
#undef X
		TAIL_CNT
};

/*
 * Per-syscall stats: the syscalls of syscalls.def, then the operations of
 * asynchronous I/O, which have entries of their own in the output's
 * syscalls object (aio_pread, aio_pwrite: Linux AIO requests by io_submit;
 * io_uring_read ...: io_uring requests by opcode).
 */
enum sc_idx {
#define X(name, tp, nargs, kind, fd, out, req, off) SC_##name,
#include "syscalls.def"
#undef X
	SC_aio_pread,
	SC_aio_pwrite,
	SC_uring_read, /* IORING_OP_READ */
	SC_uring_write,
	SC_uring_readv,
	SC_uring_writev,
	SC_uring_read_fixed,
	SC_uring_write_fixed,
	SC_uring_fsync,	    /* IORING_OP_FSYNC */
	SC_uring_fdatasync, /* the same with IORING_FSYNC_DATASYNC */
	SC_MAX
};

struct seq_state {
	__u64 next_off;
	__u64 last_start;
	__u64 flags;
};

/*
 * Identifies a record: a file, or a (process, file) with --per-process.  A
 * file is its inode number and its generation: ext4, xfs and tmpfs give a
 * new inode a random i_generation, so a file that reuses the number of a
 * deleted one is a record of its own (btrfs does not reuse inode numbers).
 */
struct file_key {
	__u64 ino;
	__u32 dev;  /* kernel dev_t: major << 20 | minor */
	__u32 gen;  /* inode.i_generation */
	__u32 tgid; /* 0 unless per-process */
	__u32 part; /* FILE_PART_*: which entry of the record this key names */
};

/*
 * A record is one entry of the files map (FILE_PART_MAIN), and a second
 * one (FILE_PART_COPY) once it took part in an in-kernel copy: that
 * entry's side[] are the record's copy sides, SIDE_COPY_READ and
 * SIDE_COPY_WRITE, and nothing else of it is used.  One map value type
 * for both, so the verifier walks the counting code once for either.
 */
#define FILE_PART_MAIN	0
#define FILE_PART_COPY	1
#define FILE_PART_ASYNC 2 /* the same for the async sides, SIDE_ASYNC_READ and _WRITE */

/*
 * A stream: one open file (struct file) making calls on a record's side.
 * Sequential access and rewrites are judged per stream, as the kernel's
 * readahead does: each open file has its own position.  A side follows
 * STREAM_SLOTS streams at once; a further one takes the slot claimed
 * longest ago, whose stream starts afresh if it comes back.
 */
#define STREAM_SLOTS 4
struct stream {
	__u64 file; /* struct file *; 0: a free slot */
	struct seq_state seq;
};

/*
 * Open flags a side counts its streams by (OFLAG_*: the index in
 * rw_side.oflag_streams and the output's order).  The BPF programs test
 * f_flags with the target architecture's values (asm/fcntl.h: arm64 swaps
 * O_DIRECT and O_DIRECTORY).  O_SYNC is __O_SYNC | O_DSYNC: a stream counts
 * as O_SYNC, or as O_DSYNC when it has only that.
 */
#define OFLAG_DIRECT  0
#define OFLAG_SYNC    1
#define OFLAG_DSYNC   2
#define OFLAG_APPEND  3
#define OFLAG_NOATIME 4
#define OFLAGS	      5

/* One side (read or write) of a file record. */
struct rw_side {
	__u64 calls;
	__u64 errors;
	__u64 bytes;
	__u64 first_entry_ns; /* bpf_ktime_get_ns() of the first entry, 0 = none */
	__u64 last_return_ns; /* of the last successful return, 0 = none */
	__u64 seq_calls;
	__u64 rewrites;
	__u64 streams;	   /* streams that made calls on this side */
	__u32 stream_next; /* the slot a stream takes when none is free */
	__u32 pad;
	__u64 oflag_streams[OFLAGS]; /* of those, the ones opened with each OFLAG_* */
	struct stream stream[STREAM_SLOTS];
	__u64 seq_hist[HIST_BUCKETS];
	__u64 lat_total_ns;	     /* entry to return, summed over the calls */
	__u64 lat_hist[LAT_BUCKETS]; /* and per call, in the latency scheme */
};

/* Per (record, syscall) statistics, present only for syscalls a file saw. */
struct sc_key {
	struct file_key fk;
	__u32 sc;
	__u32 pad;
};

struct sc_stats {
	__u64 calls;
	__u64 errors;
	__u64 bytes;
	__u64 req_hist[HIST_BUCKETS];
	__u64 done_hist[HIST_BUCKETS];
};

/*
 * A file's record.  The syscall that created it (a read or write kind) has
 * its stats in the record itself, own: its calls cost one hash lookup, not
 * two.  own_sc is written once, just after the record appears, and never
 * changed; a call that meanwhile saw 0 went to scstats, and user space sums
 * the two.  Other syscalls of the file have scstats entries.
 */
struct file_rec {
	struct rw_side side[2]; /* [SC_KIND_READ], [SC_KIND_WRITE] */
	__u64 last_comm[2];	/* last comm seen, to send EV_COMM only on change */
	__u32 nlink;		/* i_nlink when last seen */
	__u32 own_sc;		/* SC_* + 1 of the syscall counted in own; 0: none */
	struct sc_stats own;
};

/* One file a call works on, as sys_enter saw it. */
struct inflight_file {
	struct file_key fk;
	__u64 file;  /* struct file *, for the path walk of a new file */
	__u64 start; /* starting offset */
	__u32 nlink;
	__u32 valid; /* a named regular file was found behind the fd */
	__u32 flags; /* f_flags of the open file */
	__u32 pad;
};

/* What sys_enter saw, kept per thread until sys_exit. */
struct inflight {
	struct inflight_file f[2]; /* [0]: the call's fd (in_fd); [1]: the destination fd */
	__u64 ts;		   /* bpf_ktime_get_ns() at entry; 0 for close (not timed) */
	__u64 req;		   /* request size */
	__u32 sc;		   /* enum sc_idx */
	__u32 iov_done;		   /* iovec entries added into req so far (iov_sum_prog) */
	__u32 tid;		   /* owner of the slot; 0 free, INFLIGHT_BUSY being written */
	__u16 stream_hit;	   /* the exit's scratch: the stream slot of the file it */
	__u16 stream_free;	   /* counts, a free one, then whether it claimed it (stream_of) */
};
#define INFLIGHT_CALL_SZ sizeof(struct inflight)

/*
 * Per (record, fsync-type syscall): latencies.  An fsync-type call looks up
 * this entry alone; last_comm and nlink are what it last passed on to the
 * file's record, which it looks up only when one of them changed (or the
 * entry is new): the record's comms and nlink stay current at one hash
 * lookup per call.
 */
struct sync_stats {
	__u64 calls;
	__u64 errors;
	__u64 total_ns;
	__u64 lat_hist[LAT_BUCKETS];
	__u64 last_comm[2];
	__u32 nlink;
	__u32 pad;
};

/* Big enough to be the initial value of any hash map entry. */
#define IOT_MAX2(a, b) ((a) > (b) ? (a) : (b))
struct zero_value {
	__u8 b[IOT_MAX2(sizeof(struct file_rec),
			IOT_MAX2(sizeof(struct sc_stats), sizeof(struct sync_stats)))];
};

/*
 * Per record (file_key, part 0): page faults of traced processes on a
 * mapping of the file (the x86 exceptions:page_fault_user event; error_code
 * bit 1 is a write).  A fault maps at least one page; the kernel may map
 * neighbouring cached pages with it (fault-around), which no event shows.
 */
struct map_stats {
	__u64 faults;
	__u64 write_faults;
	__u64 first_ns, last_ns; /* the first and the last fault */
};

/*
 * Pages the kernel added to the page cache in a traced process's context
 * (filemap:mm_filemap_add_to_page_cache: read misses, readahead, new pages
 * written), by inode: the event names no generation, so user space joins
 * them to the record of the same device, inode (and process).
 */
struct cache_key {
	__u64 ino;
	__u32 dev;  /* kernel dev_t */
	__u32 tgid; /* 0 unless per-process */
};

/* Global knobs: the .rodata variable iot_cfg of every BPF C object. */
/* The comm targets, when there are at most COMM_LIST_MAX: cnt 0 = use the comms hash. */
struct comm_list {
	__u32 cnt;
	__u32 pad;
	__u64 names[COMM_LIST_MAX][COMM_LEN / 8]; /* NUL-padded, as task_struct.comm */
};

/*
 * Trace-time file filters (--path, --exclude, --fstype, --exclude-fstype),
 * judged once per file when its record is created (bpf/rw.bpf.c,
 * emit_files).  A prefix is kept as the path walk writes a path: its
 * components leaf first, each ending in NUL ("/a/b" is "b\0a\0"), so a
 * path is at or below it when the walked bytes end with it at a component
 * boundary.
 */
#define NAME_FILTERS   8   /* prefixes of each of --path and --exclude */
#define NAME_FILTER_SZ 256 /* bytes of an encoded prefix, at most */
#define FSTYPE_FILTERS 8   /* names of each of --fstype and --exclude-fstype */
struct name_filter {
	__u32 len; /* bytes of enc */
	__u32 pad;
	char enc[NAME_FILTER_SZ];
};

struct file_filters {
	__u32 path_cnt, exclude_cnt;	  /* --path, --exclude prefixes */
	__u32 fstype_cnt, exclude_fs_cnt; /* --fstype, --exclude-fstype names */
	struct name_filter path[NAME_FILTERS], exclude[NAME_FILTERS];
	__u64 fstype[FSTYPE_FILTERS][2], exclude_fs[FSTYPE_FILTERS][2]; /* NUL-padded */
};

struct iot_config {
	__u32 self_tgid;   /* never traced */
	__u32 filter_mode; /* FILTER_* */
	__u32 per_process;
	__u32 file_filters; /* any of ff's lists is not empty */
	struct comm_list comms;
	struct file_filters ff;
	/*
	 * iotrace's own executable: the command it starts faults on it
	 * between fork and exec, which is not the command's I/O
	 */
	__u64 self_exe_ino;
	__u32 self_exe_dev; /* kernel dev_t */
	__u32 pad2;
};

/* ring buffer events */
struct ev_hdr {
	__u32 type; /* EV_* */
	__u32 len;  /* bytes of the whole event */
	struct file_key fk;
};

struct ev_comm {
	struct ev_hdr hdr;
	char comm[COMM_LEN];
};

/*
 * The fields of a new file's event before its path.  Where the name came
 * from: the naming dentry, its mount (struct mount) and the inode, to name
 * the file again at the end of the trace (name_walk): a rename or an unlink
 * by any process shows there.  truncated: NAME_* of name_walk.
 */
#define EV_FILE_HEAD                                                                               \
	struct ev_hdr hdr;                                                                         \
	char comm[COMM_LEN];                                                                       \
	char fstype[16];                                                                           \
	__u32 mode;                                                                                \
	__u32 nlink;                                                                               \
	__u32 path_sz;                                                                             \
	__u32 truncated;                                                                           \
	__u64 dentry, mnt, inode

/*
 * path[] holds the components leaf first, each NUL-terminated:
 * "file.txt\0dir\0tmp\0" for /tmp/dir/file.txt.  path_sz is the bytes used.
 */
struct ev_file {
	EV_FILE_HEAD;
	char path[PATH_BUF_SZ + 256];
};

/* EV_FILE_UNNAMED: an ev_file without its path (user space names the file at the end) */
struct ev_file_unnamed {
	EV_FILE_HEAD;
};

/*
 * A path walk in progress (emit_files, name_walk): where the next run goes
 * on, and the event whose path it fills.
 */
struct walk_state {
	__u64 dentry; /* the next dentry, and its mount (struct mount) */
	__u64 mnt;
	__u32 depth; /* walk steps taken */
	__u32 pad;
	struct ev_file ev;
};

/*
 * Linux AIO (bpf/aio.bpf.c).  A thread's io_submit or io_getevents call,
 * from entry to exit: its user array, entry time, entries and progress.
 */
struct aio_call {
	__u64 uptr; /* io_submit: the iocb pointer array; io_getevents: the io_event array */
	__u64 ts;
	__u32 n;      /* entries: nr at entry, then the ones the call returned */
	__u32 done;   /* entries handled so far (a step per program run) */
	__u32 unseen; /* io_submit: a request was not counted per file */
	__u32 pad;
};

/* A submitted request, until its event is reaped: keyed by process and iocb address. */
struct aio_key {
	__u64 iocb;
	__u32 tgid;
	__u32 pad;
};

#define AIO_SEQ	    1 /* it started where the stream's previous request ended */
#define AIO_REWRITE 2 /* a write at the start of the stream's previous write */
struct aio_req {
	struct file_key fk;
	__u64 start;
	__u64 req;
	__u64 ts;    /* io_submit's entry */
	__u32 op;    /* 0 read, 1 write */
	__u32 flags; /* AIO_* */
};

/*
 * io_uring: a request of a traced process, from its submission until its
 * completion, keyed by its struct io_kiocb address.  Its file is known only
 * once it is issued, so the request counts at its completion.
 */
#define URING_POS_CUR (~0ULL) /* start: the file position (an offset of -1) */
struct uring_req {
	__u64 ts;      /* submission */
	__u64 start;   /* the offset asked for, or URING_POS_CUR */
	__u64 req;     /* request size */
	__u64 comm[2]; /* the submitter's */
	__u32 tgid;
	__u32 sc; /* SC_uring_* */
};

/* name_walk's verdict on a name, in ev_file.truncated */
#define NAME_WHOLE 0 /* the path up to the root */
#define NAME_CUT   1 /* a read failed or the walk ran out of depth or buffer */
#define NAME_STALE 2 /* the pointers no longer lead to this file: nothing walked */
#define NAME_GONE  3 /* the file, but its mount is gone (a namespace ended): nlink only */

/* name_walk's context (BPF_PROG_TEST_RUN): what an ev_file gave, and the identity */
struct name_walk_args {
	__u64 dentry; /* 0: go on with the walk begun by the previous run */
	__u64 mnt;
	__u64 inode;
	__u64 ino;
	__u64 dev_gen; /* dev << 32 | gen */
};

#endif /* __ASSEMBLER__ */
#endif
