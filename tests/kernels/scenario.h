/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-matrix smoke scenario, as data: every call the workload makes,
 * with what it must return and the starting offset output-format.md gives
 * it.  smoke.c performs the steps and checks each return value and file
 * position against the table, so a workload that drifts fails by itself;
 * check.c derives every expected field of the result from the same table
 * with its own model of the spec's rules, never from the tool's output.
 *
 * Paths: "A/x" lies in the first directory argument (tmpfs in the guest,
 * reached across a mount), "B/x" in the second (the guest's rootfs), others
 * are absolute.  Descriptor slots 0..SMOKE_SLOTS-1 name open files.
 */
#ifndef TESTS_KERNELS_SCENARIO_H
#define TESTS_KERNELS_SCENARIO_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#define SMOKE_SLOTS 10
#define SMOKE_PIPE  SMOKE_SLOTS /* S_SPLICE: slot or out, the pipe smoke keeps */
#define SMOKE_IOVS  4
#define SMOKE_COMM  "smoke"
#define NOPTR	    (-1) /* sendfile: offset pointer NULL; preadv2/pwritev2: -1 */

enum smoke_op {
	S_OPEN, /* slot = open(path, flags, 0644) */
	S_CLOSE,
	S_UNLINK, /* unlink(path) */
	S_LINK,	  /* link(path, path2) */
	S_RENAME, /* rename(path, path2) */
	S_SEEK,	  /* lseek(slot, off, SEEK_SET), not traced */
	S_FORK,	  /* the steps after it run in a child (fork), traced as its parent's */
	S_READ,	  /* read(slot, len[0]) */
	S_READV,
	S_PREAD, /* pread64(slot, len[0], off) */
	S_PREADV,
	S_PREADV2, /* off NOPTR: the file position */
	S_WRITE,
	S_WRITEV,
	S_PWRITE,
	S_PWRITEV,
	S_PWRITEV2,
	S_SENDFILE, /* sendfile(out, slot, off == NOPTR ? NULL : &off, len[0]) */
	S_FSYNC,
	S_FDATASYNC,
	S_COPY,	       /* copy_file_range(slot, off, out, off_out, len[0]): NOPTR for NULL */
	S_SPLICE,      /* splice(slot, off, out, off_out, len[0]); SMOKE_PIPE for a pipe end */
	S_AIO_READ,    /* queue a Linux AIO pread (slot, len[0], off) for the next S_AIO_SUBMIT */
	S_AIO_WRITE,   /* the same for a pwrite */
	S_AIO_SUBMIT,  /* io_submit the queued requests at once, reap them with one io_getevents;
		       * each queued step's ret is its event's result */
	S_URING_READ,  /* an io_uring IORING_OP_READ (slot, len[0], off), waited for */
	S_URING_WRITE, /* the same, IORING_OP_WRITE */
	S_URING_FSYNC, /* the same, IORING_OP_FSYNC of slot */
	S_MAP_READ,    /* mmap slot's first len[0] bytes shared, read a byte of each page,
			* munmap; the workload prints "mapfact PATH FAULTS", its page faults by
			* getrusage, path naming the file as the step does */
};

struct smoke_step {
	enum smoke_op op;
	int slot;		  /* the fd (sendfile: in_fd) */
	int out;		  /* sendfile: out_fd */
	const char *path;	  /* S_OPEN, S_UNLINK, S_LINK */
	const char *path2;	  /* S_LINK: the new name */
	int flags;		  /* S_OPEN */
	uint32_t len[SMOKE_IOVS]; /* count, or iov_len of each iovec (0 ends the list) */
	int64_t off;		  /* offset argument */
	int64_t off_out;	  /* S_COPY, S_SPLICE: the destination's offset argument */
	int64_t ret;		  /* the return value, or -errno */
	uint64_t start;		  /* starting offset as the spec defines it (sendfile: in side) */
	uint64_t out_start;	  /* sendfile, the copies: starting offset on the out side */
};

#define RDWR_NEW (O_CREAT | O_RDWR | O_TRUNC)
#define WR_NEW	 (O_CREAT | O_WRONLY | O_TRUNC)

/*
 * data.dat ends 101000 bytes long: 73728 written sequentially, 1000 at
 * 100000 (twice: a rewrite), 1024 over the start, 10 at the position.
 */
/* one step per line reads as the scenario */
/* clang-format off */
static const struct smoke_step smoke_steps[] = {
	{ .op = S_OPEN, .slot = 0, .path = "A/data.dat", .flags = RDWR_NEW },
	{ .op = S_WRITE, .slot = 0, .len = { 65536 }, .ret = 65536, .start = 0 },
	{ .op = S_WRITE, .slot = 0, .len = { 4096 }, .ret = 4096, .start = 65536 },
	{ .op = S_WRITEV, .slot = 0, .len = { 100, 200, 3796 }, .ret = 4096, .start = 69632 },
	{ .op = S_PWRITE, .slot = 0, .len = { 1000 }, .off = 100000, .ret = 1000, .start = 100000 },
	{ .op = S_PWRITE, .slot = 0, .len = { 1000 }, .off = 100000, .ret = 1000, .start = 100000 },
	{ .op = S_PWRITEV, .slot = 0, .len = { 512, 512 }, .off = 0, .ret = 1024, .start = 0 },
	{ .op = S_PWRITEV2, .slot = 0, .len = { 10 }, .off = NOPTR, .ret = 10, .start = 73728 },
	{ .op = S_FSYNC, .slot = 0 },
	{ .op = S_FDATASYNC, .slot = 0 },
	{ .op = S_SEEK, .slot = 0, .off = 0 },
	{ .op = S_READ, .slot = 0, .len = { 4096 }, .ret = 4096, .start = 0 },
	{ .op = S_READ, .slot = 0, .len = { 8192 }, .ret = 8192, .start = 4096 },
	{ .op = S_READV, .slot = 0, .len = { 1000, 3000 }, .ret = 4000, .start = 12288 },
	{ .op = S_PREAD, .slot = 0, .len = { 4096 }, .off = 100000, .ret = 1000, .start = 100000 },
	{ .op = S_PREAD, .slot = 0, .len = { 100 }, .off = 200000, .ret = 0, .start = 200000 },
	{ .op = S_PREADV, .slot = 0, .len = { 2000, 2000 }, .off = 97000, .ret = 4000,
	  .start = 97000 },
	{ .op = S_PREADV2, .slot = 0, .len = { 1000 }, .off = NOPTR, .ret = 1000, .start = 16288 },
	{ .op = S_PREADV2, .slot = 0, .len = { 300, 200 }, .off = 17288, .ret = 500,
	  .start = 17288 },
	{ .op = S_CLOSE, .slot = 0 },

	/* from here on a forked child works: iotrace follows it (sched_process_fork) */
	{ .op = S_FORK },

	/* sendfile between file systems, by position and by offset pointer */
	{ .op = S_OPEN, .slot = 1, .path = "A/data.dat", .flags = O_RDONLY },
	{ .op = S_OPEN, .slot = 2, .path = "B/copy.dat", .flags = WR_NEW },
	{ .op = S_SENDFILE, .slot = 1, .out = 2, .len = { 50000 }, .off = NOPTR, .ret = 50000,
	  .start = 0, .out_start = 0 },
	{ .op = S_SENDFILE, .slot = 1, .out = 2, .len = { 100000 }, .off = 60000, .ret = 41000,
	  .start = 60000, .out_start = 50000 },
	/* errors: reading a write-only fd, writing a read-only one */
	{ .op = S_READ, .slot = 2, .len = { 10 }, .ret = -EBADF, .start = 91000 },
	{ .op = S_WRITE, .slot = 1, .len = { 10 }, .ret = -EBADF, .start = 50000 },
	/* in-kernel copies on one file system: by position, by offset pointers, by a pipe */
	{ .op = S_OPEN, .slot = 3, .path = "A/cp.dat", .flags = WR_NEW },
	{ .op = S_COPY, .slot = 1, .out = 3, .len = { 8192 }, .off = NOPTR, .off_out = NOPTR,
	  .ret = 8192, .start = 50000, .out_start = 0 },
	{ .op = S_COPY, .slot = 1, .out = 3, .len = { 1000 }, .off = 30000, .off_out = 20000,
	  .ret = 1000, .start = 30000, .out_start = 20000 },
	{ .op = S_SPLICE, .slot = 1, .out = SMOKE_PIPE, .len = { 4000 }, .off = NOPTR,
	  .off_out = NOPTR, .ret = 4000, .start = 58192 },
	{ .op = S_SPLICE, .slot = SMOKE_PIPE, .out = 3, .len = { 4000 }, .off = NOPTR,
	  .off_out = NOPTR, .ret = 4000, .out_start = 8192 },
	{ .op = S_COPY, .slot = 3, .out = 1, .len = { 10 }, .off = NOPTR, .off_out = NOPTR,
	  .ret = -EBADF, .start = 12192, .out_start = 62192 },
	/* Linux AIO: 3 preads (in order, then a short one), 2 pwrites at one offset, one io_submit */
	{ .op = S_AIO_READ, .slot = 1, .len = { 8192 }, .off = 0, .ret = 8192 },
	{ .op = S_AIO_READ, .slot = 1, .len = { 8192 }, .off = 8192, .ret = 8192 },
	{ .op = S_AIO_WRITE, .slot = 3, .len = { 4096 }, .off = 40000, .ret = 4096 },
	{ .op = S_AIO_READ, .slot = 1, .len = { 1000 }, .off = 100500, .ret = 500 },
	{ .op = S_AIO_WRITE, .slot = 3, .len = { 4096 }, .off = 40000, .ret = 4096 },
	{ .op = S_AIO_SUBMIT },
	/* io_uring: a read, a write where the AIO writes were (a rewrite), a short read, an fsync */
	{ .op = S_URING_READ, .slot = 1, .len = { 4096 }, .off = 16384, .ret = 4096 },
	{ .op = S_URING_WRITE, .slot = 3, .len = { 4096 }, .off = 40000, .ret = 4096 },
	{ .op = S_URING_READ, .slot = 1, .len = { 2000 }, .off = 100000, .ret = 1000 },
	{ .op = S_URING_FSYNC, .slot = 3 },
	{ .op = S_CLOSE, .slot = 3 },
	{ .op = S_CLOSE, .slot = 1 },
	{ .op = S_CLOSE, .slot = 2 },

	/* O_APPEND: the start is the size at entry */
	{ .op = S_OPEN, .slot = 3, .path = "B/app.log",
	  .flags = O_CREAT | O_WRONLY | O_APPEND | O_TRUNC },
	{ .op = S_WRITE, .slot = 3, .len = { 100 }, .ret = 100, .start = 0 },
	{ .op = S_WRITE, .slot = 3, .len = { 200 }, .ret = 200, .start = 100 },
	{ .op = S_FSYNC, .slot = 3 },
	{ .op = S_CLOSE, .slot = 3 },

	/* no record: opened and closed only; a device */
	{ .op = S_OPEN, .slot = 5, .path = "A/untouched.dat", .flags = O_CREAT | O_RDONLY },
	{ .op = S_CLOSE, .slot = 5 },
	{ .op = S_OPEN, .slot = 6, .path = "/dev/null", .flags = O_WRONLY },
	{ .op = S_WRITE, .slot = 6, .len = { 10 }, .ret = 10, .start = 0 },
	{ .op = S_CLOSE, .slot = 6 },

	/* unlinked while open: the record keeps the last name, deleted */
	{ .op = S_OPEN, .slot = 4, .path = "A/gone.dat", .flags = RDWR_NEW },
	{ .op = S_WRITE, .slot = 4, .len = { 300 }, .ret = 300, .start = 0 },
	{ .op = S_UNLINK, .path = "A/gone.dat" },
	{ .op = S_WRITE, .slot = 4, .len = { 300 }, .ret = 300, .start = 300 },
	{ .op = S_PREAD, .slot = 4, .len = { 1000 }, .off = 0, .ret = 600, .start = 0 },

	/*
	 * First seen after the name it was opened by is gone, another link
	 * remaining: the record is named by that link (found through
	 * dentry.d_alias, whose union lost its name d_u in 7.2).
	 */
	{ .op = S_OPEN, .slot = 7, .path = "A/first.dat", .flags = RDWR_NEW },
	{ .op = S_LINK, .path = "A/first.dat", .path2 = "A/second.dat" },
	{ .op = S_UNLINK, .path = "A/first.dat" },
	{ .op = S_WRITE, .slot = 7, .len = { 500 }, .ret = 500, .start = 0 },
	{ .op = S_CLOSE, .slot = 7 },
	/*
	 * Closed only now: a file system that reuses inode numbers (ext4 on
	 * the host) would give gone.dat's to first.dat, one (dev, ino) record.
	 */
	{ .op = S_CLOSE, .slot = 4 },

	/* written under a temporary name, renamed into place: reported as B/final.dat */
	{ .op = S_OPEN, .slot = 8, .path = "B/final.tmp", .flags = WR_NEW },
	{ .op = S_WRITE, .slot = 8, .len = { 700 }, .ret = 700, .start = 0 },
	{ .op = S_CLOSE, .slot = 8 },
	{ .op = S_RENAME, .path = "B/final.tmp", .path2 = "B/final.dat" },

	/* two streams on one file, each reading its own half in order, interleaved */
	{ .op = S_OPEN, .slot = 8, .path = "B/copy.dat", .flags = O_RDONLY },
	{ .op = S_OPEN, .slot = 9, .path = "B/copy.dat", .flags = O_RDONLY },
	{ .op = S_PREAD, .slot = 8, .len = { 4096 }, .off = 0, .ret = 4096, .start = 0 },
	{ .op = S_PREAD, .slot = 9, .len = { 4096 }, .off = 45000, .ret = 4096, .start = 45000 },
	{ .op = S_PREAD, .slot = 8, .len = { 4096 }, .off = 4096, .ret = 4096, .start = 4096 },
	{ .op = S_PREAD, .slot = 9, .len = { 4096 }, .off = 49096, .ret = 4096, .start = 49096 },
	{ .op = S_PREAD, .slot = 8, .len = { 4096 }, .off = 8192, .ret = 4096, .start = 8192 },
	{ .op = S_PREAD, .slot = 9, .len = { 4096 }, .off = 53192, .ret = 4096, .start = 53192 },
	/* page faults through a shared mapping: in "mapped" where the kernel counts them */
	{ .op = S_MAP_READ, .slot = 8, .path = "B/copy.dat", .len = { 40960 } },
	{ .op = S_CLOSE, .slot = 8 },
	{ .op = S_CLOSE, .slot = 9 },
};
/* clang-format on */

#define SMOKE_STEP_CNT (sizeof(smoke_steps) / sizeof(smoke_steps[0]))

static inline uint64_t smoke_req(const struct smoke_step *s)
{
	uint64_t sum = 0;

	for (int i = 0; i < SMOKE_IOVS && s->len[i]; i++)
		sum += s->len[i];
	return sum;
}

#endif
