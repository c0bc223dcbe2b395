/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every map iotrace uses, declared once.  Each object that includes this file
 * carries the same definitions; the loader makes one kernel map per name.
 * Legacy definitions (no BTF): type, key size, value size, max entries, flags.
 * max_entries of files, scstats, syncstats, mapstats and cachestats follow
 * --max-files (set at load time).
 */
#ifndef IOTRACE_MAPS_BPF_H
#define IOTRACE_MAPS_BPF_H

#include "helpers.bpf.h"
#include "iotrace_abi.h"

#include "mapdef.bpf.h"
#include <linux/aio_abi.h>

/* traced thread-group ids, a bitmap (PID_WORDS): -p targets, the -- command, their descendants */
DEFINE_MAP(pids, MAP_ARRAY, sizeof(__u32), sizeof(__u64), PID_WORDS, 0);
/* traced command names (-c), 16-byte zero-padded keys */
DEFINE_MAP(comms, MAP_HASH, COMM_LEN, sizeof(__u32), 1024, MAP_F_NO_PREALLOC);
/* per record: read/write sides; allocated on first use so memory follows use */
DEFINE_MAP(files, MAP_HASH, sizeof(struct file_key), sizeof(struct file_rec), 65536,
	   MAP_F_NO_PREALLOC);
/* per record and syscall: counts and size histograms, only for syscalls seen */
DEFINE_MAP(scstats, MAP_HASH, sizeof(struct sc_key), sizeof(struct sc_stats), 131072,
	   MAP_F_NO_PREALLOC);
/* per record and fsync-type syscall: latency histogram and total */
DEFINE_MAP(syncstats, MAP_HASH, sizeof(struct sc_key), sizeof(struct sync_stats), 65536,
	   MAP_F_NO_PREALLOC);
/* per record: page faults on mappings of the file (struct map_stats) */
DEFINE_MAP(mapstats, MAP_HASH, sizeof(struct file_key), sizeof(struct map_stats), 65536,
	   MAP_F_NO_PREALLOC);
/* pages added to the page cache by traced processes, per inode (struct cache_key) */
DEFINE_MAP(cachestats, MAP_HASH, sizeof(struct cache_key), sizeof(__u64), 65536, MAP_F_NO_PREALLOC);
/* slot tid % INFLIGHT_SLOTS -> what sys_enter saw, consumed by sys_exit */
DEFINE_MAP(inflight, MAP_ARRAY, sizeof(__u32), sizeof(struct inflight), INFLIGHT_SLOTS, 0);
/*
 * Files a trace-time filter left out (file_key, part 0): identify() takes
 * them for no file, at one look-up, instead of walking their path again.
 * LRU: a file pushed out is judged again when next seen.
 */
DEFINE_MAP(excluded, MAP_LRU_HASH, sizeof(struct file_key), sizeof(__u32), 16384, 0);
/* files that got no record because `files` was full, to count them once each */
DEFINE_MAP(lostfiles, MAP_HASH, sizeof(struct file_key), sizeof(__u32), 65536, MAP_F_NO_PREALLOC);
/* Linux AIO: a thread's io_submit or io_getevents call, entry to exit */
DEFINE_MAP(aiocall, MAP_HASH, sizeof(__u32), sizeof(struct aio_call), 4096, MAP_F_NO_PREALLOC);
/* Linux AIO: requests submitted and not reaped yet */
DEFINE_MAP(aioreq, MAP_HASH, sizeof(struct aio_key), sizeof(struct aio_req), 65536,
	   MAP_F_NO_PREALLOC);
/* Linux AIO: per-CPU room for what a request's handling builds (too big for the stack) */
struct aio_scratch {
	struct iocb cb; /* read from user memory */
	struct aio_req r;
	struct ev_file_unnamed ev;
};
DEFINE_MAP(aioscratch, MAP_PERCPU_ARRAY, sizeof(__u32), sizeof(struct aio_scratch), 1, 0);
/* io_uring: requests submitted and not completed yet, by struct io_kiocb address */
DEFINE_MAP(uringreq, MAP_HASH, sizeof(__u64), sizeof(struct uring_req), 65536, MAP_F_NO_PREALLOC);
/*
 * io_uring: per-CPU room for a completion's handling (it may run in a
 * worker thread, so not in the thread's inflight slot) and for a
 * submission's iovec array.
 */
#define URING_IOV_MAX 64
struct uring_scratch {
	struct inflight streams; /* stream_of's scratch */
	struct ev_file_unnamed ev;
	struct {
		__u64 base, len;
	} iov[URING_IOV_MAX];
};
DEFINE_MAP(uringscratch, MAP_PERCPU_ARRAY, sizeof(__u32), sizeof(struct uring_scratch), 1, 0);
/* UNSEEN_* counters */
DEFINE_MAP(unseen, MAP_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), UNSEEN_MAX, 0);
/* DROP_* counters */
DEFINE_MAP(drops, MAP_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), DROP_MAX, 0);
/* one all-zero value, the initial value of new files/scstats entries */
DEFINE_MAP(zeroes, MAP_ARRAY, sizeof(__u32), sizeof(struct zero_value), 1, 0);
/*
 * Per-CPU scratch: files whose record an exit handler just created, queued
 * for the emit_files tail call, and the event it builds (too big for the
 * stack).
 */
struct emit_scratch {
	struct inflight_file pend[2];
	__u32 cnt;
	__u32 cur;     /* pend[] entry being named */
	__u32 walking; /* w holds cur's event, its path walk started */
	__u32 pad;
	char comm[COMM_LEN];
	struct walk_state w;
	/* the exit's call; its return value and file (0, 1) for copy_exit */
	struct inflight call;
	__s64 ret;
	__u32 call_file;
	__u32 pad2;
};
DEFINE_MAP(scratch, MAP_PERCPU_ARRAY, sizeof(__u32), sizeof(struct emit_scratch), 1, 0);
/* name_walk's state and result, read by user space after each run */
DEFINE_MAP(namewalk, MAP_ARRAY, sizeof(__u32), sizeof(struct walk_state), 1, 0);
/*
 * Per-CPU copies of the first HEAD_SZ bytes of the file, inode and
 * super_block a syscall entry looks at: one probe read each instead of one
 * per field (bpf/rw.bpf.c, resolve_fd).
 */
#define HEAD_SZ 128
struct heads {
	__u8 file[HEAD_SZ];
	__u8 inode[HEAD_SZ];
	__u8 sb[HEAD_SZ];
};
DEFINE_MAP(heads, MAP_PERCPU_ARRAY, sizeof(__u32), sizeof(struct heads), 1, 0);
/* tail-call targets (IOT_TAILS), filled by user space (src/record/record.c fill_tails) */
DEFINE_MAP(tails, MAP_PROG_ARRAY, sizeof(__u32), sizeof(__u32), TAIL_CNT, 0);
/* new files (path, fstype) and new comms for user space */
DEFINE_MAP(events, MAP_RINGBUF, 0, 0, 1 << 20, 0);

/* set by user space before load; .rodata is frozen, so the verifier sees constants */
const volatile struct iot_config iot_cfg = {};

/*
 * IOT_* (.bss): IOT_NOT_YET from load until every program is attached,
 * IOT_LIVE while the trace runs, IOT_ENDED from its end on.  The syscall
 * handlers count only while it is IOT_LIVE (0), so the trace's clock starts
 * when tracing is live and the result is the state at its end, however long
 * attaching or detaching take; fork following works from the moment it is
 * attached until the end.
 */
volatile __u32 iot_stopped;

static __always_inline void drop(__u32 reason)
{
	__u64 *cnt = bpf_map_lookup_elem(&drops, &reason);

	if (cnt)
		*cnt += 1;
}

#endif
