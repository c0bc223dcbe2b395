// SPDX-License-Identifier: GPL-2.0
/*
 * Follow children: when a traced process forks, its child becomes a target
 * too (pids map), so `iotrace -- sh -c 'a | b'` and -p/-c targets that fork
 * workers are traced whole; when it exits, it leaves the set.  Raw
 * tracepoints: they need no tracefs, and give the child's task_struct,
 * whose tgid tells a new process from a new thread.
 */
#include "helpers.bpf.h"
#include "kernel.bpf.h"
#include "maps.bpf.h"
#include "filter.bpf.h"

/* include/trace/events/sched.h: TP_PROTO(struct task_struct *parent, struct task_struct *child) */
SEC("raw_tracepoint/sched_process_fork")
int sched_process_fork(__u64 *ctx)
{
	struct task_struct *child = (void *)ctx[1];
	__u64 pid_tgid = bpf_get_current_pid_tgid(), *word;
	char comm[COMM_LEN] = {};
	__u32 idx;
	int tgid;

	if ((iot_cfg.filter_mode & FILTER_ALL) || iot_stopped == IOT_ENDED)
		return 0;
	if (iot_cfg.filter_mode & FILTER_COMMS)
		bpf_get_current_comm(comm, sizeof(comm));
	if (!task_filter(pid_tgid >> 32, comm, iot_cfg.self_tgid, iot_cfg.filter_mode,
			 (const struct comm_list *)&iot_cfg.comms))
		return 0;
	KREAD(tgid, child->tgid);
	if (tgid == (int)(pid_tgid >> 32))
		return 0; /* a new thread of a traced process */
	idx = (__u32)tgid >> PID_WORD_SHIFT;
	word = bpf_map_lookup_elem(&pids, &idx);
	if (!word) {
		drop(DROP_PIDS_FULL); /* a tgid beyond PID_LIMIT: not on a 64-bit kernel */
		return 0;
	}
	/*
	 * Setting a clear bit by an atomic add is an atomic OR (which 5.10
	 * lacks): no other CPU sets this bit meanwhile, since only the fork
	 * that created the tgid does.  A bit already set (a reused tgid of a
	 * traced process) is left alone.
	 */
	if (!(READ_ONCE(*word) & PID_BIT(tgid)))
		__sync_fetch_and_add(word, PID_BIT(tgid));
	return 0;
}

/*
 * A traced process leaves the set when its thread group dies, so a later
 * process that reuses its tgid (pid_max is 32768 on some systems) is not
 * traced by mistake.  Exactly one exit per group clears its bit, after the
 * fork that set it and before the tgid can be reused, so subtracting the
 * set bit is exact:
 *   - where the tracepoint passes group_dead (TP_PROTO(p, group_dead)), the
 *     exit of the thread that took signal->live to 0, whichever it is;
 *   - before, the group leader's, if no thread of the group is left alive
 *     then (do_exit decremented signal->live before this tracepoint).  A
 *     group whose leader exits before its other threads keeps its bit.
 * p = current.
 */
SEC("raw_tracepoint/sched_process_exit")
int sched_process_exit(__u64 *ctx)
{
	struct task_struct *p = (void *)ctx[0];
	int has_group_dead = FIELD_EXISTS(struct trace_event_raw_sched_process_exit, group_dead);
	struct signal_struct *sig;
	int pid, tgid, live;
	__u64 *word;
	__u32 idx;

	if (iot_cfg.filter_mode & FILTER_ALL)
		return 0;
	/* ctx[1] is read only where it exists: the verifier skips the branch elsewhere */
	if (has_group_dead && !ctx[1])
		return 0;
	KREAD(pid, p->pid);
	KREAD(tgid, p->tgid);
	if ((!has_group_dead && pid != tgid) || (__u32)tgid >= PID_LIMIT)
		return 0;
	idx = (__u32)tgid >> PID_WORD_SHIFT;
	word = bpf_map_lookup_elem(&pids, &idx);
	if (!word || !(READ_ONCE(*word) & PID_BIT(tgid)))
		return 0; /* not traced: the common case, decided before the signal reads */
	if (has_group_dead) {
		__sync_fetch_and_add(word, -PID_BIT(tgid));
		return 0;
	}
	KREAD(sig, p->signal);
	if (!sig)
		return 0;
	KREAD(live, sig->live.counter);
	if (!live)
		__sync_fetch_and_add(word, -PID_BIT(tgid));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
