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
	u64 periods;	/* what the samples read stand for (sum of their periods) */
	u64 corrupt;
	u64 tail;	/* the data_tail last handed back */
	u64 fill_max;	/* the most the producer ever held unread (bytes): a ring never */
			/* more than half full cannot have dropped a record */
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

/*
 * ring__backward_copy - an overwrite ring's records, oldest first, copied
 * into *@out (malloc'ed); returns their length in bytes
 */
u64 ring__backward_copy(const struct ring *r, unsigned char **out);

/* ring__refresh - see what the producer has published since the last call */
static inline void ring__refresh(struct ring *r)
{
	if (r->meta)
		r->head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
}

const struct perf_event_header *ring__peek_slow(struct ring *r, u64 off,
						 const struct perf_event_header *h);

/*
 * ring__plain - the record @h at @pos (offset @off in a data area of @size
 * bytes, @head published) is whole, sane and does not wrap: the fast path
 */
static inline bool ring__plain(const struct perf_event_header *h, u64 off, u64 size, u64 pos,
			       u64 head)
{
	return off + sizeof(*h) <= size && h->size >= sizeof(*h) && !(h->size & 7) &&
	       off + h->size <= size && pos + h->size <= head;
}

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
	if (likely(ring__plain(h, off, r->size, r->pos, r->head)))
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

/*
 * struct ring_cur - a ring's read state held in registers while a loop
 * takes a run of records (the callbacks it makes can't make the compiler
 * reload it from the ring). Between ring_cur__begin() and ring_cur__end()
 * only the cursor moves; nothing else may read or move the ring.
 */
struct ring_cur {
	struct ring *r;
	const unsigned char *data;
	u64 mask, size, pos, head, start, records;
};

static inline void ring_cur__begin(struct ring_cur *c, struct ring *r)
{
	c->r = r;
	c->data = r->data;
	c->mask = r->mask;
	c->size = r->size;
	c->pos = c->start = r->pos;
	c->head = r->head;
	c->records = 0;
}

/* ring_cur__peek - ring__peek() on the cursor */
static inline const struct perf_event_header *ring_cur__peek(struct ring_cur *c)
{
	const struct perf_event_header *h;
	u64 off;

	if (c->pos >= c->head)
		return NULL;
	off = c->pos & c->mask;
	h = (const void *)(c->data + off);
	if (likely(ring__plain(h, off, c->size, c->pos, c->head)))
		return h;
	/* a wrapped or broken record: the ring's own reader copies or resyncs */
	c->r->pos = c->pos;
	h = ring__peek_slow(c->r, off, h);
	c->start += c->r->pos - c->pos;	/* skipped bytes were not consumed */
	c->pos = c->r->pos;
	return h;
}

static inline void ring_cur__consume(struct ring_cur *c, const struct perf_event_header *h)
{
	c->pos += h->size;
	c->records++;
}

/* ring_cur__end - the ring takes the cursor's position and counts */
static inline void ring_cur__end(struct ring_cur *c)
{
	struct ring *r = c->r;

	r->pos = c->pos;
	r->records += c->records;
	r->bytes += c->pos - c->start;
}

/*
 * ring__done - hand everything consumed back to the producer; first note
 * how full the producer has it now (it only fills between two hand-backs)
 */
static inline void ring__done(struct ring *r)
{
	if (r->meta) {
		u64 fill = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE) - r->tail;

		if (unlikely(fill > r->fill_max))
			r->fill_max = fill;
		r->tail = r->pos;
		__atomic_store_n(&r->meta->data_tail, r->pos, __ATOMIC_RELEASE);
	}
}

#endif
