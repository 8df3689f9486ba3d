// SPDX-License-Identifier: GPL-2.0
/*
 * evline.c - the event line: TIME COMM PID/TID [CPU] FLAGS EVENT: FIELDS,
 * FIELDS rendered by libtraceevent from the kernel's print format, names
 * and fields escaped so that every event is one line of the same columns.
 */
#include <string.h>
#include <traceevent/event-parse.h>

#include "callchain.h"
#include "stackmap.h"
#include "env.h"
#include "evline.h"
#include "json.h"
#include "ksyms.h"
#include "syms.h"
#include "tasks.h"
#include "tep.h"

void evline__init(struct evline *l, struct tep_event *tp)
{
	struct tep_format_field *f;

	l->flags_off = l->preempt_off = -1;
	if (!tp)
		return;
	f = tep_find_common_field(tp, "common_flags");
	if (f && f->size == 1)
		l->flags_off = f->offset;
	f = tep_find_common_field(tp, "common_preempt_count");
	if (f && f->size == 1)
		l->preempt_off = f->offset;
}

/* the ftrace latency columns: irqs, need-resched, context, preempt depth */
static void evline__flags(const struct evline *l, const struct prof_sample *s, char out[5])
{
	const unsigned char *raw = s->raw;
	unsigned fl, pc = 0;

	memcpy(out, "....", 5);
	if (l->flags_off < 0 || (u32)l->flags_off >= s->raw_size)
		return;
	fl = raw[l->flags_off];
	if (l->preempt_off >= 0 && (u32)l->preempt_off < s->raw_size)
		pc = raw[l->preempt_off];
	if (fl & 0x01)
		out[0] = 'd';
	else if (fl & 0x80)
		out[0] = 'b';
	if ((fl & 0x04) && (fl & 0x20))
		out[1] = 'N';
	else if (fl & 0x04)
		out[1] = 'n';
	else if (fl & 0x20)
		out[1] = 'p';
	if (fl & 0x40)
		out[2] = fl & 0x08 ? 'Z' : 'z';
	else if (fl & 0x08)
		out[2] = fl & 0x10 ? 'H' : 'h';
	else if (fl & 0x10)
		out[2] = 's';
	if (pc & 0xf)
		out[3] = "0123456789abcdef"[pc & 0xf];
}

/* evline__sampled - the fields of a sampling event: its period and the ip it hit */
static void evline__sampled(struct trace_seq *seq, const struct prof_sample *s,
			    const struct run_env *env)
{
	struct sym_frame f;
	const char *name = NULL;
	u64 off = 0;

	if (env && env->syms && !syms__resolve(env->syms, s->pid, s->ip, &f)) {
		name = f.name;
		off = f.off;
	} else if (env && s->ip >= 0xffff800000000000ULL) {
		name = ksyms__name(env->ksyms, s->ip, &off, NULL);
	}
	trace_seq_printf(seq, "period=%llu ip=%llx", (unsigned long long)s->period,
			 (unsigned long long)s->ip);
	if (name)
		trace_seq_printf(seq, " %s+%#llx", name, (unsigned long long)off);
}

u32 evline__print_in(const struct evline *l, FILE *out, struct trace_seq *seq,
		     const struct prof_sample *s, const char *gutter, const struct run_env *env,
		     struct stackmap *stacks)
{
	u32 id = 0;
	struct tep_record rec = {
		.ts = s->time, .cpu = s->cpu, .size = (int)s->raw_size, .data = (void *)s->raw,
	};
	char flags[5], comm[TEXT_NAME_MAX], name[TEXT_NAME_MAX];

	trace_seq_reset(seq);
	if (s->ev->tp)
		tep_print_event(s->ev->tp->tep, seq, &rec, "%s", TEP_PRINT_INFO);
	else
		evline__sampled(seq, s, env);
	trace_seq_terminate(seq);
	evline__flags(l, s, flags);
	/* a comm or an alias with a space or a control byte must not shift the columns */
	fprintf(out, "%s%6llu.%06llu %16s %7d/%-7d [%03d] %s %s:%s", gutter,
		(unsigned long long)(s->time / 1000000000ULL),
		(unsigned long long)(s->time % 1000000000ULL / 1000),
		text_name(tasks__comm(env ? env->tasks : NULL, s->tid), comm, sizeof(comm)),
		s->pid, s->tid, s->cpu, flags, text_name(s->ev->display, name, sizeof(name)),
		seq->len ? " " : "");
	/* the fields stay on the line: a newline in a string field is escaped */
	text_fput(out, seq->buffer, (size_t)seq->len);
	putc('\n', out);
	if (!s->nr_ips)
		return 0;
	if (stacks)
		id = stackmap__intern(stacks, (u64)s->ev->index, s->pid, s->ips, (u32)s->nr_ips, NULL);
	if (id)
		stackmap__print(stacks, id, out);
	else
		callchain__print(out, env, s->pid, s->ips, s->nr_ips);
	return id;
}

void evline__print(const struct evline *l, FILE *out, struct trace_seq *seq,
		   const struct prof_sample *s, const char *gutter, const struct run_env *env)
{
	evline__print_in(l, out, seq, s, gutter, env, NULL);
}

void evline__json(struct json *j, const struct prof_sample *s, const struct run_env *env)
{
	json_time(j, "time", s->time);
	json_int(j, "cpu", s->cpu);
	json_int(j, "pid", s->pid);
	json_int(j, "tid", s->tid);
	json_str(j, "comm", tasks__comm(env ? env->tasks : NULL, s->tid));
}
