/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ring.h - one perf ring buffer reader: peek the next record, consume it,
 * publish the tail. The same reader runs over a plain memory buffer, so the
 * pipeline can be fed synthetic records in tests.
 *
 * A record that wraps around the end of the ring is copied into a private
 * buffer; the pointer peek() returns stays valid until the next peek() on
 * the same ring. The tail is only moved past records already consumed, so
 * a peeked record is never overwritten by the kernel.
 */
#ifndef PERF_PROF_RING_H
#define PERF_PROF_RING_H

#include <linux/perf_event.h>

#include "util.h"

/**
 * struct ring - a reader over one ring (or one buffer)
 * @meta:  the perf control page; NULL for a buffer-backed ring
 * @data, @size, @mask: the data area (size is a power of two for mmap rings)
 * @head:  end of what the producer has published (refreshed per pass)
 * @pos:   our read position (records before it are consumed)
 * @cpu, @tid: what the ring is bound to (-1 when not)
 * @records, @samples, @bytes: counters of consumed records
 * @lost:  sum of PERF_RECORD_LOST counts (records the kernel dropped)
 * @lost_reported: part of @lost already reported on stderr
 * @corrupt: records with impossible sizes (the ring was resynchronised)
 * @next, @next_time: the ordered merge's peeked record and its time
 */
struct ring {
	struct perf_event_mmap_page *meta;
	const unsigned char *data;
	u64 size;
	u64 mask;
	u64 head;
	u64 pos;
	int fd;
	int cpu;
	int tid;
	int idx;
	u64 records;
	u64 samples;
	u64 bytes;
	u64 lost;
	u64 lost_reported;
	u64 corrupt;
	const struct perf_event_header *next;
	u64 next_time;
	unsigned char *copy;
};

/**
 * ring__init_mmap - reader over a perf mmap at @base (control page first)
 * with @data_size bytes of data (a power of two)
 */
void ring__init_mmap(struct ring *r, void *base, u64 data_size, int fd, int cpu, int tid);

/**
 * ring__init_buffer - reader over @len bytes of records at @buf (tests,
 * replay). Records must not wrap; the buffer is not modified.
 */
void ring__init_buffer(struct ring *r, const void *buf, u64 len, int cpu);

void ring__exit(struct ring *r);

/* ring__refresh - see what the producer has published since the last call */
static inline void ring__refresh(struct ring *r)
{
	if (r->meta)
		r->head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
}

const struct perf_event_header *ring__peek_slow(struct ring *r, u64 off,
						 const struct perf_event_header *h);

/**
 * ring__peek - the next unconsumed record, or NULL when none is published
 */
static inline const struct perf_event_header *ring__peek(struct ring *r)
{
	const struct perf_event_header *h;
	u64 off;

	if (r->pos >= r->head)
		return NULL;
	off = r->pos & r->mask;
	h = (const void *)(r->data + off);
	/* fast path: a whole, sane record that does not wrap */
	if (likely(off + sizeof(*h) <= r->size && h->size >= sizeof(*h) && !(h->size & 7) &&
		   off + h->size <= r->size && r->pos + h->size <= r->head))
		return h;
	return ring__peek_slow(r, off, h);
}

/* ring__consume - move past the record ring__peek() returned */
static inline void ring__consume(struct ring *r, const struct perf_event_header *h)
{
	r->pos += h->size;
	r->records++;
	r->bytes += h->size;
}

/* ring__done - hand everything consumed back to the producer */
static inline void ring__done(struct ring *r)
{
	if (r->meta)
		__atomic_store_n(&r->meta->data_tail, r->pos, __ATOMIC_RELEASE);
}

#endif
