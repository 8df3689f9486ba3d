// SPDX-License-Identifier: GPL-2.0
/*
 * schedev.c - the fields of the scheduler's tracepoints and the decoding of
 * sched_switch's prev_state, shared by task-state and rundelay. The state
 * letters come from the format file: a synthetic record with one bit of
 * prev_state set is printed through libtraceevent (the format's own print
 * fmt, whatever TASK_REPORT_MAX is on this kernel), and what it prints
 * after "prev_state=" names that bit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <traceevent/event-parse.h>

#include "hashmap.h"
#include "latency.h"
#include "profiler.h"
#include "schedev.h"

static int sched__field(struct field *f, struct tep_event *tp, const char *name, struct err *err)
{
	struct tep_format_field *tf = tep_find_field(tp, name);

	if (tf && field__scalar(f, tf))
		return 0;
	err_set(err, EXIT_FAIL, "'%s:%s' has no integer field '%s'", tp->system, tp->name, name);
	err_hint(err, "the scheduler's tracepoints are not the ones this tool knows; see "
		      "/sys/kernel/tracing/events/%s/%s/format", tp->system, tp->name);
	return -1;
}

/* sched__print_state - what the print fmt shows as prev_state for @v, into @buf */
static int sched__print_state(struct tep_event *tp, const struct field *st, u8 *rec, u32 size,
			      u64 v, char *buf, size_t len)
{
	struct tep_record r = { .data = rec, .size = (int)size };
	struct trace_seq seq;
	const char *p, *e;
	int ret = -1;

	memcpy(rec + st->off, &v, st->size);	/* little-endian: the low bytes */
	trace_seq_init(&seq);
	tep_print_event(tp->tep, &seq, &r, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&seq);
	p = seq.buffer ? strstr(seq.buffer, "prev_state=") : NULL;
	if (p) {
		p += strlen("prev_state=");
		e = p + strcspn(p, " ");
		if (e > p && (size_t)(e - p) < len) {
			memcpy(buf, p, (size_t)(e - p));
			buf[e - p] = '\0';
			ret = 0;
		}
	}
	trace_seq_destroy(&seq);
	return ret;
}

/* sched__states - ask the print fmt what each bit of prev_state is */
static int sched__states(struct sched_states *s, struct tep_event *tp, const struct field *st,
			 struct err *err)
{
	u32 size = 0;
	u8 *rec;
	char name[32];
	int ret = 0;
	u16 type;

	for (struct tep_format_field *f = tp->format.common_fields; f; f = f->next)
		size = (u32)(f->offset + f->size) > size ? (u32)(f->offset + f->size) : size;
	for (struct tep_format_field *f = tp->format.fields; f; f = f->next)
		size = (u32)(f->offset + f->size) > size ? (u32)(f->offset + f->size) : size;
	rec = xzalloc(size + 8);
	type = (u16)tp->id;
	memcpy(rec, &type, sizeof(type));	/* common_type comes first */
	memset(s, 0, sizeof(*s));
	strcpy(s->names[SCHED_RUN], "R");
	strcpy(s->names[SCHED_PREEMPT], "R+");
	strcpy(s->names[SCHED_WAIT], "RD");
	s->nr = SCHED_LETTERS;
	if (sched__print_state(tp, st, rec, size, 0, name, sizeof(name)) || strcmp(name, "R")) {
		ret = -1;
		goto out;
	}
	for (unsigned b = 0; b < 8 * st->size && b < 32; b++) {
		int id;

		if (sched__print_state(tp, st, rec, size, 1ULL << b, name, sizeof(name))) {
			ret = -1;
			goto out;
		}
		if (!strcmp(name, "R"))
			continue;	/* outside the mask: no state */
		if (!strcmp(name, "R+")) {
			s->preempt |= 1ULL << b;
			continue;
		}
		if (strlen(name) >= sizeof(s->names[0]) || strchr(name, '|'))
			continue;
		id = sched__state_id(s, name);
		if (id < 0) {
			if (s->nr == SCHED_MAX_STATES)
				continue;
			id = s->nr++;
			strcpy(s->names[id], name);
		}
		s->letters |= 1ULL << b;
		s->by_bit[b] = (u8)id;
	}
	if (!s->letters)
		ret = -1;
out:
	free(rec);
	if (ret) {
		err_set(err, EXIT_FAIL, "cannot read the task states of '%s:%s' from its print fmt",
			tp->system, tp->name);
		err_hint(err, "its prev_state is not printed as state letters here; see "
			      "/sys/kernel/tracing/events/sched/sched_switch/format");
	}
	return ret;
}

int sched_switch__init(struct sched_switch_fmt *f, struct tep_event *tp, struct err *err)
{
	if (sched__field(&f->prev_pid, tp, "prev_pid", err) ||
	    sched__field(&f->prev_state, tp, "prev_state", err) ||
	    sched__field(&f->next_pid, tp, "next_pid", err))
		return -1;
	return sched__states(&f->states, tp, &f->prev_state, err);
}

int sched_wakeup__init(struct field *pid, struct tep_event *tp, struct err *err)
{
	return sched__field(pid, tp, "pid", err);
}

int sched_fork__init(struct field *parent, struct field *child, struct tep_event *tp,
		     struct err *err)
{
	return sched__field(parent, tp, "parent_pid", err) ? -1 :
	       sched__field(child, tp, "child_pid", err);
}

int sched__state_id(const struct sched_states *s, const char *name)
{
	for (int i = 0; i < s->nr; i++)
		if (!strcmp(s->names[i], name))
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */

void sched__add_events(struct prof *prof, bool fork)
{
	static const char *const names[] = {
		[SCHED_EV_SWITCH] = "sched:sched_switch",
		[SCHED_EV_WAKEUP] = "sched:sched_wakeup",
		[SCHED_EV_WAKEUP_NEW] = "sched:sched_wakeup_new",
		[SCHED_EV_FORK] = "sched:sched_process_fork",
	};
	struct strlist *l = &prof->opt.events;
	int n = fork ? 4 : 3;

	l->v = xrealloc(l->v, (size_t)(l->n + n) * sizeof(*l->v));
	for (int i = 0; i < n; i++)
		l->v[l->n++] = names[i];
}

bool sched_targets__init(struct sched_targets *t, const struct prof *prof)
{
	memset(t, 0, sizeof(*t));
	t->prof = prof;
	t->task_mode = prof->opt.pids || prof->opt.tids || prof->opt.workload;
	t->follow = t->task_mode && !prof->opt.tids;
	return t->follow;
}

bool sched_targets__has_slow(struct sched_targets *t, int tid)
{
	if (unlikely(!t->tids)) {
		const int *tids;
		bool follow;
		int nr = prof__targets(t->prof, &tids, &follow);

		t->tids = hashmap__new(0, 0);
		for (int i = 0; i < nr; i++)
			hashmap__get(t->tids, (u64)tids[i]);
	}
	return hashmap__find(t->tids, (u64)tid) != NULL;
}

void sched_targets__fork(struct sched_targets *t, int parent, int child)
{
	if (t->follow && child > 0 && sched_targets__has_slow(t, parent))
		hashmap__get(t->tids, (u64)child);
}

void sched_targets__exit(struct sched_targets *t, int tid)
{
	if (t->tids)
		hashmap__del(t->tids, (u64)tid);
}

void sched_targets__free(struct sched_targets *t)
{
	hashmap__free(t->tids);
	t->tids = NULL;
}

void *sched_targets__task(struct sched_targets *t, struct hashmap *tasks, int tid)
{
	if (tid <= 0 || !sched_targets__has(t, tid))
		return NULL;
	return hashmap__get(tasks, (u64)tid);
}

/* ------------------------------------------------------------------ */

void sched_owner__add(struct sched_owner *o, struct lattab *tab, bool perins, int tid,
		      unsigned id, u64 d)
{
	struct latrow *row;

	if (!o->pid && !perins) {
		o->pend = d;
		o->pend_id = (u8)id;
		return;
	}
	row = lattab__row(tab, perins ? tid : o->pid, id);
	if (row)
		vstat__add(&row->st, d);
}

void sched_owner__learn(struct sched_owner *o, struct lattab *tab, bool perins, int tid, int pid)
{
	u64 d = o->pend;

	if (o->pid == pid)
		return;
	o->pid = pid;
	o->pend = 0;
	if (d)
		sched_owner__add(o, tab, perins, tid, o->pend_id, d);
}

/* ------------------------------------------------------------------ */

void sched_cpus__init(struct sched_cpus *c)
{
	c->nr = libbpf_num_possible_cpus();
	if (c->nr < 1)
		c->nr = 1;
	c->cpu = xzalloc((size_t)c->nr * sizeof(*c->cpu));
	c->unseen = 0;
}

void sched_cpus__exit(struct sched_cpus *c)
{
	free(c->cpu);
	c->cpu = NULL;
}

u64 sched_cpus__switch(struct sched_cpus *c, int cpu, int prev, int next, u64 time, bool kept)
{
	struct sched_cpu *p;
	u64 last;

	if (cpu < 0 || cpu >= c->nr)
		return 0;
	p = &c->cpu[cpu];
	if (p->next && p->next != prev + 1 && kept)
		c->unseen++;
	last = p->when;
	p->next = next + 1;
	p->when = time;
	return last;
}
