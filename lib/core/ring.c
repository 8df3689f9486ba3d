// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - the slow paths of the ring reader: wrapped records, and records
 * whose size the kernel reported impossibly (never trusted blindly).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"

#define RING_MAX_RECORD 65536	/* a perf record's size is a u16 */

void ring__init_mmap(struct ring *r, void *base, u64 data_size, int fd, int cpu, int tid)
{
	memset(r, 0, sizeof(*r));
	r->meta = base;
	r->data = (const unsigned char *)base + r->meta->data_offset;
	if (!r->meta->data_offset)	/* kernels before 4.1 */
		r->data = (const unsigned char *)base + sysconf(_SC_PAGESIZE);
	r->size = data_size;
	r->mask = data_size - 1;
	r->fd = fd;
	r->cpu = cpu;
	r->tid = tid;
	r->pos = __atomic_load_n(&r->meta->data_tail, __ATOMIC_ACQUIRE);
	r->tail = r->pos;
	r->head = r->pos;
	r->copy = xzalloc(RING_MAX_RECORD);
}

void ring__init_buffer(struct ring *r, const void *buf, u64 len, int cpu)
{
	memset(r, 0, sizeof(*r));
	r->data = buf;
	r->size = len;
	r->mask = ~0ULL;
	r->head = len;
	r->fd = -1;
	r->cpu = cpu;
	r->tid = -1;
	r->copy = xzalloc(RING_MAX_RECORD);
}

void ring__exit(struct ring *r)
{
	free(r->copy);
	r->copy = NULL;
}

const struct perf_event_header *ring__peek_slow(struct ring *r, u64 off,
						 const struct perf_event_header *h)
{
	u64 avail = r->head - r->pos;
	struct perf_event_header hdr;
	u64 first;

	if (avail < sizeof(hdr))
		goto corrupt;
	/* the header itself may wrap */
	first = r->size - off;
	if (first >= sizeof(hdr)) {
		hdr = *h;
	} else {
		memcpy(&hdr, r->data + off, first);
		memcpy((char *)&hdr + first, r->data, sizeof(hdr) - first);
	}
	if (hdr.size < sizeof(hdr) || hdr.size > avail || (hdr.size & 7))
		goto corrupt;
	if (!r->meta)	/* buffer rings never wrap: a size past the end */
		goto corrupt;
	/* the record wraps: copy the two parts */
	first = r->size - off;
	if (first > hdr.size)
		first = hdr.size;
	memcpy(r->copy, r->data + off, first);
	memcpy(r->copy + first, r->data, hdr.size - first);
	return (const void *)r->copy;

corrupt:
	/*
	 * A size the kernel cannot have written: drop what is published
	 * rather than walk garbage; the count is reported with the stats.
	 */
	r->corrupt++;
	r->pos = r->head;
	return NULL;
}

/*
 * ring__backward_copy - what an overwrite (write_backward) ring holds now,
 * oldest record first, into a malloc'ed buffer. The kernel writes each
 * record just before the previous one and the head moves down: from the
 * head up come the newest record, then older ones, until the ring's size
 * or space never written (a zero header). The caller pauses the ring
 * while this runs. Returns the bytes copied (0 for an empty ring).
 */
u64 ring__backward_copy(const struct ring *r, unsigned char **out)
{
	u64 head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	u64 *offs = NULL, used = 0, total = 0;
	size_t n = 0, cap = 0;
	unsigned char *buf;

	*out = NULL;
	while (used + sizeof(struct perf_event_header) <= r->size) {
		struct perf_event_header hdr;
		u64 off = (head + used) & r->mask, first = r->size - off;

		if (first >= sizeof(hdr)) {
			memcpy(&hdr, r->data + off, sizeof(hdr));
		} else {
			memcpy(&hdr, r->data + off, first);
			memcpy((char *)&hdr + first, r->data, sizeof(hdr) - first);
		}
		if (hdr.size < sizeof(hdr) || (hdr.size & 7) || used + hdr.size > r->size)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			offs = xrealloc(offs, cap * sizeof(*offs));
		}
		offs[n++] = used;
		used += hdr.size;
	}
	if (!n) {
		free(offs);
		return 0;
	}
	buf = xzalloc(used);
	/* newest first in the ring: lay them out oldest first */
	for (size_t i = n; i-- > 0;) {
		u64 off = (head + offs[i]) & r->mask, first = r->size - off;
		struct perf_event_header hdr;
		u64 size;

		if (first >= sizeof(hdr)) {
			memcpy(&hdr, r->data + off, sizeof(hdr));
		} else {
			memcpy(&hdr, r->data + off, first);
			memcpy((char *)&hdr + first, r->data, sizeof(hdr) - first);
		}
		size = hdr.size;
		if (first >= size) {
			memcpy(buf + total, r->data + off, size);
		} else {
			memcpy(buf + total, r->data + off, first);
			memcpy(buf + total + first, r->data, size - first);
		}
		total += size;
	}
	free(offs);
	*out = buf;
	return total;
}
