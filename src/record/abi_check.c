// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time pins for every constant and offset the hand-written asm (asm/)
 * takes from iotrace_abi.h: if a struct or a value drifts, the build breaks
 * here instead of the asm silently reading the wrong field.  No code.
 */
#include <stddef.h>
#include <sys/stat.h>
#include <linux/mount.h>

#include "iotrace_abi.h"

/* asm/hist.S: the branch-free clamp (r0 - (r0 >> 6)) & HIST_LAST needs 64 */
_Static_assert(HIST_BUCKETS == 64, "hist_bucket clamps with >> 6 and & 63");
_Static_assert(HIST_LAST == HIST_BUCKETS - 1, "hist_bucket returns at most HIST_LAST");
_Static_assert(sizeof(((struct rw_side *)0)->seq_hist) / sizeof(__u64) == HIST_BUCKETS,
	       "seq_hist indexed by hist_bucket");
_Static_assert(sizeof(((struct sc_stats *)0)->req_hist) / sizeof(__u64) == HIST_BUCKETS,
	       "req_hist indexed by hist_bucket");
_Static_assert(sizeof(((struct sc_stats *)0)->done_hist) / sizeof(__u64) == HIST_BUCKETS,
	       "done_hist indexed by hist_bucket");

/* asm/hist.S: lat_bucket hard-codes >> 3, & 7 and << 2 for 4 sub-buckets */
_Static_assert(LAT_SUB_BITS == 2, "lat_bucket: rsh 3 = SUB_BITS + 1, and 7, lsh 2");
_Static_assert(LAT_BUCKETS == 160, "lat_bucket clamps with jgt LAT_LAST; 7 << 38 begins the last");
_Static_assert(LAT_LAST == LAT_BUCKETS - 1, "lat_bucket returns at most LAT_LAST");
_Static_assert(LAT_LAST == 4 * (40 - 1) + 3, "LAT_LAST is the bucket of 7 << 38 (k = 40, sub = 3)");
_Static_assert(sizeof(((struct sync_stats *)0)->lat_hist) / sizeof(__u64) == LAT_BUCKETS,
	       "lat_hist indexed by lat_bucket");

/* asm/seq.S: ldxdw/stxdw at these offsets */
_Static_assert(offsetof(struct seq_state, next_off) == SEQ_NEXT_OFF, "seq_state.next_off");
_Static_assert(sizeof(((struct seq_state *)0)->next_off) == 8, "seq_state.next_off is u64");
_Static_assert(offsetof(struct seq_state, last_start) == SEQ_LAST_START, "seq_state.last_start");
_Static_assert(sizeof(((struct seq_state *)0)->last_start) == 8, "seq_state.last_start is u64");
_Static_assert(offsetof(struct seq_state, flags) == SEQ_FLAGS, "seq_state.flags");
_Static_assert(sizeof(((struct seq_state *)0)->flags) == 8, "seq_state.flags is u64");
_Static_assert(sizeof(struct seq_state) == SEQ_STATE_SZ, "seq_state size");
_Static_assert(offsetof(struct rw_side, stream) % 8 == 0 && sizeof(struct stream) % 8 == 0 &&
		       offsetof(struct stream, seq) % 8 == 0,
	       "rw_side.stream[i].seq 8-byte aligned for ldxdw");
_Static_assert((STREAM_SLOTS & (STREAM_SLOTS - 1)) == 0, "stream slots picked with a mask");
_Static_assert((SEQ_F_HAVE_LAST & (SEQ_F_HAVE_LAST - 1)) == 0, "SEQ_F_HAVE_LAST one bit");

/* asm/filter.S: mode bits tested one by one, comm keys COMM_LEN bytes */
_Static_assert(FILTER_ALL == 1 && FILTER_PIDS == 2 && FILTER_COMMS == 4,
	       "filter_task mode bits distinct single bits");
_Static_assert(sizeof(((struct iot_config *)0)->filter_mode) == 4, "filter_mode is u32");
_Static_assert(sizeof(((struct iot_config *)0)->self_tgid) == 4, "self_tgid is u32");
_Static_assert(COMM_LEN == 16, "comms map key and task_struct.comm are 16 bytes");
_Static_assert(offsetof(struct comm_list, cnt) == COMM_LIST_CNT, "comm_list.cnt");
_Static_assert(sizeof(((struct comm_list *)0)->cnt) == 4, "comm_list.cnt is u32");
_Static_assert(offsetof(struct comm_list, names) == COMM_LIST_NAMES, "comm_list.names");
_Static_assert(sizeof(((struct comm_list *)0)->names[0]) == COMM_LEN, "comm_list entry");
_Static_assert(sizeof(struct comm_list) == COMM_LIST_NAMES + COMM_LIST_MAX * COMM_LEN,
	       "comm_list size");
_Static_assert(sizeof(((struct ev_comm *)0)->comm) == COMM_LEN, "ev_comm.comm");

/* asm/filter.S: filter_file constants match the kernel's */
_Static_assert(IOT_S_IFMT == S_IFMT, "S_IFMT");
_Static_assert(IOT_S_IFREG == S_IFREG, "S_IFREG");
_Static_assert(IOT_SB_KERNMOUNT == MS_KERNMOUNT, "SB_KERNMOUNT == MS_KERNMOUNT (1 << 22)");

/* an EV_FILE_UNNAMED event is read as an ev_file up to its path */
_Static_assert(sizeof(struct ev_file_unnamed) == __builtin_offsetof(struct ev_file, path),
	       "ev_file_unnamed is ev_file without its path");
