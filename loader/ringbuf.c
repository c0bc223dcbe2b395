// SPDX-License-Identifier: GPL-2.0
/*
 * Consumer of a BPF ring buffer map (BPF_MAP_TYPE_RINGBUF, 5.8+): the
 * consumer position page is mapped read-write, the producer position page
 * and the data area read-only.  Each committed record is handed to the
 * callback in place (one that wraps around the end in a copy, see below);
 * discarded ones are skipped.  The
 * positions are read with acquire and the consumer position written with
 * release semantics, as the kernel's producer pairs them
 * (kernel/bpf/ringbuf.c).
 *
 *   page 0      consumer_pos                       (rw)
 *   page 1      producer_pos                       (ro)
 *   page 2..    data[size]                         (ro)
 *   record:     u32 len (bit 31 busy, bit 30 discard), u32 page offset, len bytes, padded to 8
 *
 * The kernel lets a consumer map the data area twice in a row, so that a
 * record wrapping around its end reads as one piece.  That second mapping
 * is resident as soon as it is made (the kernel maps every page at mmap),
 * and doubles the ring's share of the consumer's RSS; so the data area is
 * mapped once, and the rare record that wraps is copied, its two pieces
 * joined, into a buffer of the ring's own.  A header never wraps: it is
 * 8 bytes at an 8-aligned position of a power-of-2 area.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "internal.h"

#define RB_BUSY_BIT    (1U << 31)
#define RB_DISCARD_BIT (1U << 30)
#define RB_HDR_SZ      8

struct ringbuf {
	int fd;	     /* the map's, duplicated: the ring outlives its object */
	size_t mask; /* data size - 1 */
	size_t page_sz;
	unsigned long *consumer; /* rw page */
	unsigned long *producer; /* ro: producer page, then data */
	const char *data;
	char *joined; /* a wrapping record, its two pieces joined */
	size_t joined_sz;
	ringbuf_sample_fn fn;
	void *ctx;
};

/* the map must be a created ring buffer of a power-of-2 size in pages */
static int check_map(const struct map *m, size_t page_sz)
{
	if (m->type != BPF_MAP_TYPE_RINGBUF) {
		pr_warn(m->pr, "map '%s': not a ring buffer (type %u)", m->name, m->type);
		return -EINVAL;
	}
	if (m->fd < 0) {
		pr_warn(m->pr, "map '%s': ring buffer is not created (open it after obj__load)",
			m->name);
		return -EBADF;
	}
	if (!m->max_entries || (m->max_entries & (m->max_entries - 1)) ||
	    m->max_entries % page_sz) {
		pr_warn(m->pr, "map '%s': ring buffer size %u is not a power of 2 in pages",
			m->name, m->max_entries);
		return -EINVAL;
	}
	return 0;
}

static int map_pages(struct ringbuf *rb, const struct map *m)
{
	size_t data_sz = rb->mask + 1;
	void *p;

	p = mmap(NULL, rb->page_sz, PROT_READ | PROT_WRITE, MAP_SHARED, rb->fd, 0);
	if (p == MAP_FAILED)
		goto err;
	rb->consumer = p;
	p = mmap(NULL, rb->page_sz + data_sz, PROT_READ, MAP_SHARED, rb->fd, (off_t)rb->page_sz);
	if (p == MAP_FAILED)
		goto err;
	rb->producer = p;
	rb->data = (const char *)p + rb->page_sz;
	return 0;
err:
	pr_warn(m->pr, "map '%s': cannot map the ring buffer: %s", m->name, strerror(errno));
	return -errno;
}

int ringbuf__open(struct ringbuf **out, const struct map *m, ringbuf_sample_fn fn, void *ctx)
{
	struct ringbuf *rb;
	int err;

	*out = NULL;
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return -ENOMEM;
	rb->fd = -1;
	rb->page_sz = (size_t)sysconf(_SC_PAGESIZE);
	rb->fn = fn;
	rb->ctx = ctx;
	err = check_map(m, rb->page_sz);
	if (err)
		goto err_free;
	rb->mask = m->max_entries - 1;
	rb->fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
	if (rb->fd < 0) {
		err = -errno;
		pr_warn(m->pr, "map '%s': cannot duplicate the ring buffer's fd: %s", m->name,
			strerror(-err));
		goto err_free;
	}
	err = map_pages(rb, m);
	if (err)
		goto err_free;
	*out = rb;
	return 0;
err_free:
	ringbuf__close(rb);
	return err;
}

int ringbuf__fd(const struct ringbuf *rb)
{
	return rb->fd;
}

/*
 * The body of the record whose header is at pos (len bytes after it): in
 * place, or joined in rb->joined when it wraps around the end; NULL when
 * no buffer could be had.
 */
static const void *record_body(struct ringbuf *rb, size_t pos, size_t len)
{
	size_t start = (pos + RB_HDR_SZ) & rb->mask, head = rb->mask + 1 - start;

	if (len <= head)
		return rb->data + start;
	if (rb->joined_sz < len) {
		char *p = realloc(rb->joined, len);

		if (!p)
			return NULL;
		rb->joined = p;
		rb->joined_sz = len;
	}
	memcpy(rb->joined, rb->data + start, head);
	memcpy(rb->joined + head, rb->data, len - head);
	return rb->joined;
}

int ringbuf__consume(struct ringbuf *rb)
{
	unsigned long cons = __atomic_load_n(rb->consumer, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(rb->producer, __ATOMIC_ACQUIRE);
	int err = 0;

	while (cons < prod && !err) {
		const char *rec = rb->data + (cons & rb->mask);
		uint32_t len = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);

		if (len & RB_BUSY_BIT)
			break;
		if (!(len & RB_DISCARD_BIT)) {
			const void *body = record_body(rb, cons & rb->mask, len);

			/* the record stays in the ring: the next call can take it */
			if (!body)
				return -ENOMEM;
			err = rb->fn(body, len, rb->ctx);
		}
		cons += (RB_HDR_SZ + (len & ~RB_DISCARD_BIT) + 7) & ~7UL;
		__atomic_store_n(rb->consumer, cons, __ATOMIC_RELEASE);
	}
	return err;
}

void ringbuf__close(struct ringbuf *rb)
{
	if (!rb)
		return;
	if (rb->consumer)
		munmap(rb->consumer, rb->page_sz);
	if (rb->producer)
		munmap(rb->producer, rb->page_sz + rb->mask + 1);
	free(rb->joined);
	if (rb->fd >= 0)
		close(rb->fd);
	free(rb);
}
