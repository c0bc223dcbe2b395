/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal io_uring through the raw interface (io_uring_setup, mmap of its
 * rings, io_uring_enter), no liburing: for workloads whose every request the
 * tests know.  One request at a time, so completions come in submission
 * order.
 */
#ifndef TESTS_LIB_URING_H
#define TESTS_LIB_URING_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/io_uring.h>

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

/*
 * Does the running kernel let io_uring requests be attributed to files?
 * Its io_uring_complete event names the request from 6.1 on (5.10's does
 * not).  From uname, independent of iotrace.
 */
static inline bool uring_attributed(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 1);
}

/* ring_op's result when io_uring_enter itself failed or no completion came */
#define RING_FAILED INT64_MIN

/* 0, or -errno of the step that failed */
static inline int ring_setup(struct ring *r, unsigned int entries)
{
	struct io_uring_params p;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(SYS_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/*
 * Submit one request and wait for its completion, unless it asks for none
 * (IOSQE_CQE_SKIP_SUCCESS: then 0).  Its result (res), or RING_FAILED.
 */
static inline int64_t ring_op(struct ring *r, int op, int fd, const void *addr, unsigned int len,
			      unsigned long long off, unsigned int sqe_flags, unsigned int op_flags)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *e = &r->sqes[idx];
	bool wait = !(sqe_flags & IOSQE_CQE_SKIP_SUCCESS);
	int64_t res;

	memset(e, 0, sizeof(*e));
	e->opcode = (unsigned char)op;
	e->fd = fd;
	e->addr = (unsigned long long)(unsigned long)addr;
	e->len = len;
	e->off = off;
	e->flags = (unsigned char)sqe_flags;
	e->fsync_flags = op_flags;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, r->fd, 1, wait ? 1 : 0, wait ? IORING_ENTER_GETEVENTS : 0,
		    NULL, 0) != 1)
		return RING_FAILED;
	if (!wait)
		return 0;
	head = *r->cq_head;
	if (__atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) == head)
		return RING_FAILED;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

#endif
