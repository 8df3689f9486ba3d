/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pair.h - keyed pairing: a begin event waits under its key until an end
 * event of the same key closes it, and the time between is the pair's
 * delay (a syscall's entry and exit, a wakeup and the switch to the woken
 * task, an allocation and its free). Each key has NSLOTS slots, one per
 * kind of begin (multi-trace's chain positions: the event of position p
 * waits in slot p for an event of position p + 1).
 *
 * The table of waiting begins is bounded (max_keys; more begins are
 * dropped and counted), a begin replaced by a newer one of the same slot
 * and key is counted, an end that finds nothing waiting is counted, a
 * closed pair slower than a threshold goes to a callback, a key's begins
 * can be killed (its task exited), and every begin is dropped at a gap of
 * lost records. Counts are kept per event index, for the current interval
 * and for the whole run.
 *
 * pairs__begin() and pairs__end() are inline: a one-entry cache serves the
 * common case of consecutive events of one key, and nothing allocates
 * unless the table grows. Keys whose slots are all empty stay until a
 * sweep (when the table has doubled since the last one), so a key that
 * comes back reuses its entry.
 */
#ifndef PERF_PROF_PAIR_H
#define PERF_PROF_PAIR_H

#include "hashmap.h"
#include "util.h"

/**
 * struct pair_begin - a begin waiting for its end
 * @time: its timestamp
 * @data: the caller's (a backlog position, a stack id, a comm label, ...)
 * @ev1:  its event index + 1; 0: the slot is empty
 * @aux:  the caller's
 */
struct pair_begin {
	u64 time;
	u64 data;
	u32 ev1;
	u32 aux;
};

/* what happened to begins and ends, per event index */
enum pair_count {
	PAIR_REPLACED,	/* a begin that a newer one of the same slot and key replaced */
	PAIR_DROPPED,	/* begins thrown away: lost records, a killed key */
	PAIR_ORPHANS,	/* ends that found no begin waiting */
	PAIR_NR_COUNTS,
};

/**
 * pair_outlier_fn - a pair slower than the threshold, as it closes
 * @key, @b:  the pair's key and its begin (as it waited; the callback must
 *            not begin or end pairs)
 * @end_ev:   the end's event index
 * @delay:    end time - begin time
 * @end, @end_data: what the caller passed to pairs__end() (its sample, ...)
 */
typedef void (*pair_outlier_fn)(void *ctx, u64 key, const struct pair_begin *b, u32 end_ev,
				u64 delay, const void *end, u64 end_data);

struct pairs {
	/* the per-event path's, first */
	struct pair_begin *last;	/* the slots of last_key, NULL after a change */
	u64 last_key;
	u64 than;			/* outlier threshold, 0: none */
	u64 (*cnt)[PAIR_NR_COUNTS];	/* per event, the current interval */
	struct hashmap *pending;	/* key -> struct pair_begin[nslots] */
	size_t gc_at;			/* sweep empty keys past this many */
	pair_outlier_fn outlier;
	void *ctx;
	int nslots;
	int nr_evs;
	u64 (*whole)[PAIR_NR_COUNTS];	/* per event, before it */
	u64 *waiting_before;		/* per event, waiting at the last interval's end */
	u64 key_drops;			/* begins not kept: max_keys reached */
	u64 ooo;			/* ends older than their begin (left waiting) */
	u64 lost_dropped;		/* begins dropped at gaps */
};

/**
 * pairs__init - @p (the caller's, e.g. inside its own struct, where the
 * per-event path finds it without a pointer to follow) becomes an empty
 * table of @nslots slots per key for events with indexes 0..@nr_evs-1;
 * at most @max_keys keys waiting (0: no bound)
 */
void pairs__init(struct pairs *p, int nslots, int nr_evs, size_t max_keys);

/* pairs__exit - free what @p holds; a zeroed @p is fine, and so is twice */
void pairs__exit(struct pairs *p);

/* pairs__set_outliers - closed pairs slower than @than go to @fn (0: none) */
void pairs__set_outliers(struct pairs *p, u64 than, pair_outlier_fn fn, void *ctx);

/* pairs__slots - @key's slots, from the table (created with @insert: NULL when dropped) */
struct pair_begin *pairs__slots(struct pairs *p, u64 key, bool insert);

/* pairs__hit - @key's slots when the one-entry cache holds them, else NULL */
static inline struct pair_begin *pairs__hit(const struct pairs *p, u64 key)
{
	return likely(p->last && p->last_key == key) ? p->last : NULL;
}

/* pairs__fill - the begin of event @ev in slot @b (a begin waiting there is replaced) */
static inline struct pair_begin *pairs__fill(struct pairs *p, struct pair_begin *b, u32 ev,
					     u64 time, u64 data)
{
	if (b->ev1)
		p->cnt[b->ev1 - 1][PAIR_REPLACED]++;
	b->time = time;
	b->data = data;
	b->ev1 = ev + 1;
	return b;
}

/* pairs__begin_slow - pairs__begin() of a key the cache does not hold */
struct pair_begin *pairs__begin_slow(struct pairs *p, u64 key, int slot, u32 ev, u64 time,
				     u64 data);

/**
 * pairs__begin - event @ev begins a pair of @key in @slot at @time; a
 * begin already waiting there is replaced (counted). Returns the slot, or
 * NULL when the key could not be kept (counted in key_drops).
 *
 * The inline part is the cache hit alone; everything else happens out of
 * line, so the per-event path keeps few registers alive across a call.
 */
static inline struct pair_begin *pairs__begin(struct pairs *p, u64 key, int slot, u32 ev,
					      u64 time, u64 data)
{
	struct pair_begin *b = pairs__hit(p, key);

	if (unlikely(!b))
		return pairs__begin_slow(p, key, slot, ev, time, data);
	return pairs__fill(p, b + slot, ev, time, data);
}

/* pairs__closing - the begin a pair's end finds in slot @b; see pairs__end() */
static inline __attribute__((always_inline)) struct pair_begin *
pairs__closing(struct pairs *p, struct pair_begin *b, u64 key, u32 ev, u64 time,
	       const void *end, u64 end_data, bool than)
{
	if (!b || !b->ev1) {
		p->cnt[ev][PAIR_ORPHANS]++;
		return NULL;
	}
	if (unlikely(time < b->time)) {
		p->ooo++;
		return NULL;
	}
	if (than && unlikely(p->than) && time - b->time > p->than)
		p->outlier(p->ctx, key, b, ev, time - b->time, end, end_data);
	return b;
}

/* pairs__end_slow - pairs__end() or pairs__end_than() of a key the cache does not hold */
struct pair_begin *pairs__end_slow(struct pairs *p, u64 key, int slot, u32 ev, u64 time,
				   const void *end, u64 end_data, bool than);

/**
 * pairs__end - event @ev at @time ends the pair of @key waiting in @slot.
 * Returns the begin, still in its slot: read what is needed (its time,
 * ev1, data), then pairs__done() empties the slot, before any other call
 * on @p. NULL when nothing waits (an orphan, counted) or the begin is
 * newer than @time (out of order: counted, the begin stays). No outlier
 * is looked for: the per-event path of a run without a threshold pays
 * nothing for them.
 */
static inline struct pair_begin *pairs__end(struct pairs *p, u64 key, int slot, u32 ev,
					    u64 time)
{
	struct pair_begin *b = pairs__hit(p, key);

	if (unlikely(!b))
		return pairs__end_slow(p, key, slot, ev, time, NULL, 0, false);
	return pairs__closing(p, b + slot, key, ev, time, NULL, 0, false);
}

/**
 * pairs__end_than - pairs__end(), and a pair slower than the threshold
 * (pairs__set_outliers()) is handed to the outlier callback first, with
 * @end and @end_data
 */
static inline struct pair_begin *pairs__end_than(struct pairs *p, u64 key, int slot, u32 ev,
						 u64 time, const void *end, u64 end_data)
{
	struct pair_begin *b = pairs__hit(p, key);

	if (unlikely(!b))
		return pairs__end_slow(p, key, slot, ev, time, end, end_data, true);
	return pairs__closing(p, b + slot, key, ev, time, end, end_data, true);
}

/* pairs__done - the pair of the begin pairs__end() returned is closed: its slot is empty */
static inline void pairs__done(struct pair_begin *b)
{
	b->ev1 = 0;
}

/**
 * pairs__kill - drop every begin waiting under @key (its task exited, say);
 * counted as dropped. Returns how many there were.
 */
u64 pairs__kill(struct pairs *p, u64 key);

/* pairs__drop_all - a gap of lost records: every begin goes (counted); returns how many */
u64 pairs__drop_all(struct pairs *p);

/* pairs__waiting - begins of event @ev waiting now (O(keys)) */
u64 pairs__waiting(const struct pairs *p, u32 ev);

/* pairs__nr_keys / pairs__mem_bytes - keys held, bytes of their table (SIGUSR1 reports) */
size_t pairs__nr_keys(const struct pairs *p);
size_t pairs__mem_bytes(const struct pairs *p);

/**
 * pairs__for_each_waiting - @fn for every waiting begin, in no order
 * (reports of what is left at exit)
 */
void pairs__for_each_waiting(const struct pairs *p,
			     void (*fn)(void *ctx, u64 key, const struct pair_begin *b), void *ctx);

/**
 * struct pair_counts - what became of event @ev's occurrences
 * @replaced, @dropped, @orphans: enum pair_count's
 * @waiting:  begins waiting now
 * @waiting_before: begins that were waiting when the interval began (0 for
 *            the whole run): an interval's begins opened = its pairs +
 *            replaced + dropped + waiting - waiting_before
 */
struct pair_counts {
	u64 replaced, dropped, orphans, waiting, waiting_before;
};

/* pairs__counts - @ev's counts of the current interval, or (@whole) of the whole run */
void pairs__counts(const struct pairs *p, u32 ev, bool whole, struct pair_counts *c);

/* pairs__interval_end - the interval's counts join the whole run's; a new interval */
void pairs__interval_end(struct pairs *p);

#endif
