// SPDX-License-Identifier: GPL-2.0
/*
 * test-evspec.c - the -e grammar: every field a term fills, the quoting and
 * parenthesis rules, probes, globs, the helpers, and every error message
 * with its exact text, hint and caret column.
 */
#include <stdlib.h>

#include "evcore.h"
#include "evspec.h"
#include "harness.h"

static const char *const acc[] = {
	"alias", "stack", "max-stack", "key", "top-by", "top-add", NULL,
};

/* parse_one_list - parse @arg with @accepted, expecting success */
static struct evspec_list parse_list(const char *arg, const char *const *accepted, int pos)
{
	struct evspec_list l = { NULL, 0 };
	struct err e = { 0 };

	if (evspec_parse(arg, pos, accepted, &l, &e))
		TEST_FAIL("parse '%s' failed: %s (hint: %s)", arg, e.msg, e.hint);
	return l;
}

/*
 * check_err - @arg must fail with exactly @msg and @hint, and the detail
 * must be the argument and a caret under @col.
 */
static void check_err(const char *arg, const char *const *accepted, int col,
		      const char *msg, const char *hint)
{
	struct evspec_list l = { NULL, 0 };
	struct err e = { 0 };
	char detail[4096];
	int before = test__failed;
	int rc = evspec_parse(arg, 0, accepted, &l, &e);

	snprintf(detail, sizeof(detail), "  %s\n  %*s^\n", arg, col, "");
	CHECK_INT(rc, -1);
	CHECK_INT(l.n, 0);
	CHECK(l.v == NULL);
	CHECK_INT(e.code, EXIT_USAGE);
	CHECK_STR(e.msg, msg);
	CHECK_STR(e.hint, hint);
	CHECK_STR(e.detail, detail);
	if (test__failed != before)
		printf("#   ... for -e '%s'\n", arg);
	evspec_list_free(&l);
}

#define HINT_SYSNAME "write SYS:NAME, e.g. 'sched:sched_switch'; 'perf-prof list' shows them"
#define HINT_PMUNAME "write SYS:NAME for a tracepoint (sched:sched_switch) or a perf event's name " \
		     "(cpu-clock, page-faults); 'perf-prof list' shows them"
#define HINT_TPCHARS "system and event names are letters, digits and '_', with globs * ? [...]"
#define HINT_ACC "accepted attributes: alias, stack, max-stack, key, top-by, top-add"

TEST(evspec_plain_tracepoint)
{
	struct evspec_list l = parse_list("sched:sched_switch", acc, 2);
	struct evspec *ev;

	CHECK_INT(l.n, 1);
	if (l.n != 1)
		return;
	ev = l.v[0];
	CHECK_STR(ev->text, "sched:sched_switch");
	CHECK_STR(ev->arg, "sched:sched_switch");
	CHECK_INT(ev->pos, 2);
	CHECK_INT(ev->col, 0);
	CHECK_INT(ev->kind, EVSPEC_TRACEPOINT);
	CHECK_STR(ev->sys, "sched");
	CHECK_STR(ev->name, "sched_switch");
	CHECK(ev->probe_file == NULL);
	CHECK(ev->probe_args == NULL);
	CHECK_U64(ev->probe_off, 0);
	CHECK(ev->filter == NULL);
	CHECK_INT(ev->filter_col, -1);
	CHECK_INT(ev->nr_attrs, 0);
	CHECK(ev->alias == NULL);
	CHECK(!ev->stack);
	CHECK_INT(ev->max_stack, 0);
	CHECK(!evspec_is_glob(ev));
	evspec_list_free(&l);
	CHECK_INT(l.n, 0);
	CHECK(l.v == NULL);
}

TEST(evspec_filter_and_attrs)
{
	const char *arg = "sched:sched_switch/prev_pid>0/key=prev_pid/";
	struct evspec_list l = parse_list(arg, acc, 0);
	struct evspec *ev;

	CHECK_INT(l.n, 1);
	if (l.n != 1)
		return;
	ev = l.v[0];
	CHECK_STR(ev->text, arg);
	CHECK_STR(ev->filter, "prev_pid>0");
	CHECK_INT(ev->filter_col, 19);
	CHECK_INT(ev->nr_attrs, 1);
	CHECK_STR(ev->attrs[0].name, "key");
	CHECK_STR(ev->attrs[0].value, "prev_pid");
	CHECK_INT(ev->attrs[0].col, 30);
	CHECK_INT(ev->attrs[0].value_col, 34);
	CHECK_STR(evspec_attr(ev, "key"), "prev_pid");
	CHECK(evspec_attr(ev, "alias") == NULL);
	evspec_list_free(&l);
}

TEST(evspec_empty_filter_forms)
{
	const char *const forms[] = { "a:b/", "a:b//", "a:b/  /", "a:b/\"\"/" };

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		struct evspec_list l = parse_list(forms[i], acc, 0);

		CHECK_INT(l.n, 1);
		if (l.n == 1) {
			CHECK(l.v[0]->filter == NULL);
			CHECK_INT(l.v[0]->filter_col, -1);
			CHECK_INT(l.v[0]->nr_attrs, 0);
			CHECK_STR(l.v[0]->text, forms[i]);
		}
		evspec_list_free(&l);
	}
}

TEST(evspec_bare_stack_after_empty_filter)
{
	struct evspec_list l = parse_list("a:b//stack/", acc, 0);
	struct evspec *ev;

	CHECK_INT(l.n, 1);
	if (l.n != 1)
		return;
	ev = l.v[0];
	CHECK(ev->filter == NULL);
	CHECK(ev->stack);
	CHECK_INT(ev->max_stack, 0);
	CHECK_INT(ev->nr_attrs, 1);
	CHECK_STR(ev->attrs[0].name, "stack");
	CHECK(ev->attrs[0].value == NULL);
	CHECK_INT(ev->attrs[0].col, 5);
	CHECK_INT(ev->attrs[0].value_col, -1);
	CHECK_STR(evspec_attr(ev, "stack"), "");
	evspec_list_free(&l);
}

TEST(evspec_quoted_filter)
{
	struct evspec_list l = parse_list("a:b/\"pid>0\"/,c:d/'x'==\"y\"/", acc, 0);

	CHECK_INT(l.n, 2);
	if (l.n != 2)
		return;
	/* quotes around the whole filter go, quotes inside it stay */
	CHECK_STR(l.v[0]->filter, "pid>0");
	CHECK_INT(l.v[0]->filter_col, 5);
	CHECK_STR(l.v[1]->filter, "'x'==\"y\"");
	CHECK_INT(l.v[1]->filter_col, 17);
	evspec_list_free(&l);
}

TEST(evspec_filter_protects_slash_and_comma)
{
	const char *arg = "a:b/comm==\"a/b,c\" && (pid>0 || x=='/')/key=pid/,c:d";
	struct evspec_list l = parse_list(arg, acc, 0);

	CHECK_INT(l.n, 2);
	if (l.n != 2)
		return;
	CHECK_STR(l.v[0]->filter, "comm==\"a/b,c\" && (pid>0 || x=='/')");
	CHECK_STR(l.v[0]->text, "a:b/comm==\"a/b,c\" && (pid>0 || x=='/')/key=pid/");
	CHECK_STR(evspec_attr(l.v[0], "key"), "pid");
	CHECK_STR(l.v[1]->text, "c:d");
	CHECK_INT(l.v[1]->col, 48);
	evspec_list_free(&l);
}

TEST(evspec_multi_term_protection)
{
	const char *arg = "sched:sched_[a-z]*, sched:*wake*//alias=\"a,b\"/"
			  "top_by=\"runtime/1000\"/key=(a,b)/top-add=(x/2)/";
	struct evspec_list l = parse_list(arg, acc, 1);
	struct evspec *ev;

	CHECK_INT(l.n, 2);
	if (l.n != 2)
		return;
	CHECK_STR(l.v[0]->text, "sched:sched_[a-z]*");
	CHECK_INT(l.v[0]->col, 0);
	CHECK_STR(l.v[0]->name, "sched_[a-z]*");
	ev = l.v[1];
	CHECK_STR(ev->text, "sched:*wake*//alias=\"a,b\"/top_by=\"runtime/1000\"/key=(a,b)/top-add=(x/2)/");
	CHECK_INT(ev->col, 20);
	CHECK_INT(ev->pos, 1);
	CHECK_STR(ev->arg, arg);
	CHECK(ev->arg != l.v[0]->arg);	/* each term owns its copy */
	CHECK_STR(ev->alias, "a,b");
	CHECK_INT(ev->nr_attrs, 4);
	if (ev->nr_attrs != 4)
		goto out;
	CHECK_STR(ev->attrs[0].name, "alias");
	CHECK_INT(ev->attrs[0].col, 34);
	CHECK_INT(ev->attrs[0].value_col, 41);
	CHECK_STR(ev->attrs[1].name, "top-by");	/* top_by normalised */
	CHECK_STR(ev->attrs[1].value, "runtime/1000");
	CHECK_INT(ev->attrs[1].col, 46);
	CHECK_INT(ev->attrs[1].value_col, 54);
	CHECK_STR(ev->attrs[2].name, "key");
	CHECK_STR(ev->attrs[2].value, "(a,b)");
	CHECK_INT(ev->attrs[2].value_col, 72);
	CHECK_STR(ev->attrs[3].name, "top-add");
	CHECK_STR(ev->attrs[3].value, "(x/2)");
	CHECK_STR(evspec_attr(ev, "top-by"), "runtime/1000");
	CHECK(evspec_attr(ev, "top_by") == NULL);
out:
	evspec_list_free(&l);
}

TEST(evspec_attr_split_on_first_equal)
{
	struct evspec_list l = parse_list("a:b//key=a=b/key=\"x=y\"/top_add=(c==1)/top_add/", acc, 0);
	struct evspec *ev;

	CHECK_INT(l.n, 1);
	if (l.n != 1)
		return;
	ev = l.v[0];
	CHECK_INT(ev->nr_attrs, 4);
	if (ev->nr_attrs == 4) {
		CHECK_STR(ev->attrs[0].value, "a=b");
		CHECK_STR(ev->attrs[1].value, "x=y");
		CHECK_INT(ev->attrs[1].value_col, 18);
		CHECK_STR(ev->attrs[2].name, "top-add");
		CHECK_STR(ev->attrs[2].value, "(c==1)");
		CHECK_STR(ev->attrs[3].name, "top-add");
		CHECK(ev->attrs[3].value == NULL);
	}
	/* last one wins; a bare word reads as "" */
	CHECK_STR(evspec_attr(ev, "key"), "x=y");
	CHECK_STR(evspec_attr(ev, "top-add"), "");
	CHECK(evspec_attr(ev, "stack") == NULL);
	evspec_list_free(&l);
}

TEST(evspec_terms_trimmed)
{
	struct evspec_list l = parse_list(" a:b ,\tc:d//key=x/ ", acc, 0);

	CHECK_INT(l.n, 2);
	if (l.n != 2)
		return;
	CHECK_STR(l.v[0]->text, "a:b");
	CHECK_INT(l.v[0]->col, 1);
	CHECK_STR(l.v[1]->text, "c:d//key=x/");
	CHECK_INT(l.v[1]->col, 7);
	CHECK_INT(l.v[1]->attrs[0].col, 12);
	evspec_list_free(&l);
}

TEST(evspec_quoted_names)
{
	struct evspec_list l = parse_list("\"sched:sched_switch\"/pid>0/,sched:'sched_wakeup',\"irq\":x", acc, 0);

	CHECK_INT(l.n, 3);
	if (l.n != 3)
		return;
	CHECK_STR(l.v[0]->sys, "sched");
	CHECK_STR(l.v[0]->name, "sched_switch");
	CHECK_STR(l.v[0]->filter, "pid>0");
	CHECK_STR(l.v[1]->sys, "sched");
	CHECK_STR(l.v[1]->name, "sched_wakeup");
	CHECK_STR(l.v[2]->sys, "irq");
	CHECK_STR(l.v[2]->name, "x");
	evspec_list_free(&l);
}

TEST(evspec_globs)
{
	const char *arg = "sched:sched_wake*,sched:sched_wak?p,*:foo,sched:sched_[!a-c]*,sched:x[^_]";
	struct evspec_list l = parse_list(arg, acc, 0);

	CHECK_INT(l.n, 5);
	for (int i = 0; i < l.n; i++)
		CHECK(evspec_is_glob(l.v[i]));
	if (l.n == 5) {
		CHECK_STR(l.v[2]->sys, "*");
		CHECK_STR(l.v[3]->name, "sched_[!a-c]*");
	}
	evspec_list_free(&l);

	l = parse_list("kprobe:f,sched:sched_switch", acc, 0);
	CHECK_INT(l.n, 2);
	for (int i = 0; i < l.n; i++)
		CHECK(!evspec_is_glob(l.v[i]));
	evspec_list_free(&l);
}

TEST(evspec_uprobe_full)
{
	const char *arg = "uprobe:malloc+0x10@\"/lib/x/libc.so.6\"(size=%di)/size>0/stack/";
	struct evspec_list l = parse_list(arg, acc, 0);
	struct evspec *ev;

	CHECK_INT(l.n, 1);
	if (l.n != 1)
		return;
	ev = l.v[0];
	CHECK_INT(ev->kind, EVSPEC_UPROBE);
	CHECK_STR(ev->sys, "uprobe");
	CHECK_STR(ev->name, "malloc+0x10");
	CHECK_U64(ev->probe_off, 16);
	CHECK_STR(ev->probe_file, "/lib/x/libc.so.6");
	CHECK_STR(ev->probe_args, "size=%di");
	CHECK_STR(ev->filter, "size>0");
	CHECK_INT(ev->filter_col, 48);
	CHECK(ev->stack);
	evspec_list_free(&l);
}

TEST(evspec_uprobe_forms)
{
	const char *arg = "uprobe:\"malloc@/lib/x/libc.so.6\",uretprobe:main@a.out,"
			  "uprobe:f@'/a b/c'()";
	struct evspec_list l = parse_list(arg, acc, 0);

	CHECK_INT(l.n, 3);
	if (l.n != 3)
		goto out;
	CHECK_INT(l.v[0]->kind, EVSPEC_UPROBE);
	CHECK_STR(l.v[0]->name, "malloc");
	CHECK_STR(l.v[0]->probe_file, "/lib/x/libc.so.6");
	CHECK(l.v[0]->probe_args == NULL);
	CHECK_INT(l.v[1]->kind, EVSPEC_URETPROBE);
	CHECK_STR(l.v[1]->sys, "uretprobe");
	CHECK_STR(l.v[1]->name, "main");
	CHECK_STR(l.v[1]->probe_file, "a.out");
	CHECK_STR(l.v[2]->probe_file, "/a b/c");
	CHECK_STR(l.v[2]->probe_args, "");
out:
	evspec_list_free(&l);

	l = parse_list("uretprobe:_Z3foov.cold+010@x", acc, 0);
	CHECK_INT(l.n, 1);
	if (l.n == 1) {
		CHECK_STR(l.v[0]->name, "_Z3foov.cold+010");
		CHECK_U64(l.v[0]->probe_off, 10);	/* decimal, not octal */
		CHECK_STR(l.v[0]->probe_file, "x");
	}
	evspec_list_free(&l);
}

TEST(evspec_kprobe_forms)
{
	const char *arg = "kprobe:do_sys_openat2(dfd=%di,name=+0(%si):string)/common_pid>0/,"
			  "kretprobe:do_sys_open+16,kprobe:vfs_read+0X1f";
	struct evspec_list l = parse_list(arg, acc, 0);

	CHECK_INT(l.n, 3);
	if (l.n != 3)
		goto out;
	CHECK_INT(l.v[0]->kind, EVSPEC_KPROBE);
	CHECK_STR(l.v[0]->sys, "kprobe");
	CHECK_STR(l.v[0]->name, "do_sys_openat2");
	CHECK_STR(l.v[0]->probe_args, "dfd=%di,name=+0(%si):string");
	CHECK(l.v[0]->probe_file == NULL);
	CHECK_STR(l.v[0]->filter, "common_pid>0");
	CHECK_INT(l.v[1]->kind, EVSPEC_KRETPROBE);
	CHECK_STR(l.v[1]->name, "do_sys_open+16");
	CHECK_U64(l.v[1]->probe_off, 16);
	CHECK_U64(l.v[2]->probe_off, 31);
	CHECK(!evspec_is_glob(l.v[0]));
out:
	evspec_list_free(&l);
}

TEST(evspec_generic_attrs)
{
	struct evspec_list l = parse_list("a:b//alias=one/alias='two words'/max-stack=0x10/,"
					  "c:d//max-stack=1/,e:f//max-stack=127/stack/", acc, 0);

	CHECK_INT(l.n, 3);
	if (l.n != 3)
		goto out;
	CHECK_STR(l.v[0]->alias, "two words");
	CHECK(l.v[0]->stack);	/* implied by max-stack */
	CHECK_INT(l.v[0]->max_stack, 16);
	CHECK_INT(l.v[1]->max_stack, 1);
	CHECK(l.v[1]->stack);
	CHECK(l.v[1]->alias == NULL);
	CHECK_INT(l.v[2]->max_stack, 127);
	CHECK(l.v[2]->stack);
out:
	evspec_list_free(&l);
}

TEST(evspec_filter_that_is_not_an_attr)
{
	/* "key==5" compares; a quoted "stack" is what the user insists on */
	struct evspec_list l = parse_list("a:b/key==5/,c:d/\"stack\"/,e:f/alias/", acc + 1, 0);

	CHECK_INT(l.n, 3);
	if (l.n == 3) {
		CHECK_STR(l.v[0]->filter, "key==5");
		CHECK_STR(l.v[1]->filter, "stack");
		/* alias is not accepted here (acc + 1), so it is a filter */
		CHECK_STR(l.v[2]->filter, "alias");
	}
	evspec_list_free(&l);
}

/* names without ':': perf's events and PMU terms, and the sampling attributes */
TEST(evspec_perf_events)
{
	struct evspec_list l = parse_list("cpu-clock,page-faults//key=_pid/", acc, 0);

	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_INT(l.v[0]->kind, EVSPEC_PMU);
		CHECK_STR(l.v[0]->name, "cpu-clock");
		CHECK_STR(l.v[0]->sys, "");
		CHECK_STR(l.v[1]->name, "page-faults");
		CHECK_STR(evspec_attr(l.v[1], "key"), "_pid");
	}
	evspec_list_free(&l);
	/* the first segment of a PMU keeps its commas: one term, then the next */
	l = parse_list("cpu/event=0x3c,umask=0x1/,sched:sched_switch", acc, 0);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_STR(l.v[0]->name, "cpu");
		CHECK_STR(l.v[0]->filter, "event=0x3c,umask=0x1");
		CHECK_STR(l.v[1]->name, "sched_switch");
	}
	evspec_list_free(&l);
	l = parse_list("cpu-clock//period=100000/,cycles//freq=99/", acc, 0);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_U64(l.v[0]->period, 100000);
		CHECK_U64(l.v[1]->freq, 99);
	}
	evspec_list_free(&l);
	check_err("cpu-clock//period=0/", acc, 18, "invalid period '0' in 'cpu-clock//period=0/'",
		  "period=N samples once every N events (N > 0)");
	check_err("cpu-clock//freq=2000000/", acc, 16,
		  "invalid freq '2000000' in 'cpu-clock//freq=2000000/'",
		  "freq=HZ samples HZ times a second (1-1000000)");
}

TEST(evspec_failure_leaves_list)
{
	struct evspec_list l = parse_list("a:b", acc, 0);
	struct err e = { 0 };

	CHECK_INT(evspec_parse("c:d,e:f,b#d", 1, acc, &l, &e), -1);
	CHECK_INT(l.n, 1);
	CHECK_STR(e.msg, "unexpected '#' in event 'b#d'");
	CHECK_INT(evspec_parse("c:d,e:f", 1, acc, &l, &e), 0);
	CHECK_INT(l.n, 3);
	if (l.n == 3) {
		CHECK_STR(l.v[0]->text, "a:b");
		CHECK_STR(l.v[1]->text, "c:d");
		CHECK_STR(l.v[2]->text, "e:f");
		CHECK_INT(l.v[2]->pos, 1);
		CHECK_INT(l.v[2]->col, 4);
	}
	evspec_list_free(&l);
	/* a NULL err is allowed */
	CHECK_INT(evspec_parse("", 0, acc, &l, NULL), -1);
	CHECK_INT(evspec_parse(NULL, 0, acc, &l, NULL), -1);
	CHECK_INT(l.n, 0);
}

TEST(evspec_clone_deep)
{
	struct evspec_list l = parse_list("sched:sched_wake*/pid>0/key=pid/stack/alias=w/", acc, 3);
	struct evspec *ev, *c, *d;

	CHECK_INT(l.n, 1);
	if (l.n != 1)
		return;
	ev = l.v[0];
	ev->index = 4;
	evcore(ev)->config = 99;
	evcore(ev)->sample_type = 7;
	ev->display = xstrdup("w");
	ev->priv = ev;
	c = evspec_clone(ev, "sched", "sched_wakeup");
	CHECK_STR(c->sys, "sched");
	CHECK_STR(c->name, "sched_wakeup");
	CHECK(c->name != ev->name);
	CHECK(!evspec_is_glob(c));
	CHECK_STR(c->text, ev->text);
	CHECK(c->text != ev->text);
	CHECK_STR(c->arg, ev->arg);
	CHECK(c->arg != ev->arg);
	CHECK_INT(c->pos, 3);
	CHECK_INT(c->col, 0);
	CHECK_STR(c->filter, "pid>0");
	CHECK(c->filter != ev->filter);
	CHECK_INT(c->filter_col, 18);
	CHECK_INT(c->nr_attrs, 3);
	CHECK(c->attrs != ev->attrs);
	CHECK_STR(c->attrs[0].name, "key");
	CHECK(c->attrs[0].name != ev->attrs[0].name);
	CHECK_STR(c->attrs[0].value, "pid");
	CHECK_INT(c->attrs[0].col, 24);
	CHECK_INT(c->attrs[0].value_col, 28);
	CHECK(c->attrs[1].value == NULL);
	CHECK_STR(c->alias, "w");
	CHECK(c->alias != ev->alias);
	CHECK(c->stack);
	CHECK_INT(c->index, 0);
	CHECK_U64(evcore(c)->config, 0);
	CHECK_U64(evcore(c)->sample_type, 0);
	CHECK(c->display == NULL);
	CHECK(c->priv == NULL);
	CHECK(c->tp == NULL && evcore(c)->evsel == NULL && evcore(c)->ufilter == NULL);
	/* NULL keeps the original sys or name */
	d = evspec_clone(ev, NULL, NULL);
	CHECK_STR(d->sys, "sched");
	CHECK_STR(d->name, "sched_wake*");
	CHECK(evspec_is_glob(d));
	evspec_list_free(&l);	/* the clones must not share anything with it */
	CHECK_STR(c->attrs[0].value, "pid");
	evspec_free(c);
	evspec_free(d);
	evspec_free(NULL);
}

TEST(evspec_list_grows)
{
	struct evspec_list l = { NULL, 0 };
	char name[16];

	for (int i = 0; i < 9; i++) {
		struct evspec *ev = xzalloc(sizeof(*ev));

		snprintf(name, sizeof(name), "e%d", i);
		ev->name = xstrdup(name);
		evspec_list_add(&l, ev);
	}
	CHECK_INT(l.n, 9);
	for (int i = 0; i < l.n; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		CHECK_STR(l.v[i]->name, name);
	}
	evspec_list_free(&l);
	CHECK_INT(l.n, 0);
	CHECK(l.v == NULL);
}

TEST(evspec_kind_names)
{
	CHECK_STR(evspec_kind_name(EVSPEC_TRACEPOINT), "tracepoint");
	CHECK_STR(evspec_kind_name(EVSPEC_UPROBE), "uprobe");
	CHECK_STR(evspec_kind_name(EVSPEC_URETPROBE), "uretprobe");
	CHECK_STR(evspec_kind_name(EVSPEC_KPROBE), "kprobe");
	CHECK_STR(evspec_kind_name(EVSPEC_KRETPROBE), "kretprobe");
	CHECK_STR(evspec_kind_name((enum evspec_kind)42), "unknown");
}

TEST(evspec_caret_alignment)
{
	struct err e = { 0 };

	/* a tab before the column is copied, so the caret stays aligned */
	err_set(&e, EXIT_USAGE, "x");
	evspec_caret("\tab", 1, &e);
	CHECK_STR(e.detail, "  \tab\n  \t^\n");
	/* control characters are shown as '?' */
	err_set(&e, EXIT_USAGE, "x");
	evspec_caret("a\nb", 2, &e);
	CHECK_STR(e.detail, "  a?b\n    ^\n");
	/* a UTF-8 character takes one column */
	err_set(&e, EXIT_USAGE, "x");
	evspec_caret("\xc3\xa9x", 2, &e);
	CHECK_STR(e.detail, "  \xc3\xa9x\n   ^\n");
	/* a column past the end puts the caret just after the text */
	err_set(&e, EXIT_USAGE, "x");
	evspec_caret("ab", 2, &e);
	CHECK_STR(e.detail, "  ab\n    ^\n");
	evspec_caret(NULL, 0, &e);
	evspec_caret("ab", 0, NULL);
	CHECK_STR(e.detail, "  ab\n    ^\n");
}

TEST(evspec_error_caret_after_utf8)
{
	struct evspec_list l = { NULL, 0 };
	struct err e = { 0 };

	CHECK_INT(evspec_parse("a:b/\xc3\xa9/foo/", 0, acc, &l, &e), -1);
	CHECK_STR(e.msg, "unknown attribute 'foo' in 'a:b/\xc3\xa9/foo/'");
	CHECK_STR(e.detail, "  a:b/\xc3\xa9/foo/\n        ^\n");
}

TEST(evspec_err_empty)
{
	const char *hint = "write -e SYS:NAME[/FILTER/[ATTR/]...], e.g. -e sched:sched_switch";

	check_err("", acc, 0, "empty event selector", hint);
	check_err("  ", acc, 0, "empty event selector", hint);
	check_err("a:b,,c:d", acc, 4, "empty event in 'a:b,,c:d'", "remove the extra ','");
	check_err(",a:b", acc, 0, "empty event in ',a:b'", "remove the extra ','");
	check_err("a:b,", acc, 4, "empty event in 'a:b,'", "remove the extra ','");
	check_err("a:b, ,c:d", acc, 4, "empty event in 'a:b, ,c:d'", "remove the extra ','");
}

TEST(evspec_err_names)
{
	/* a name without ':' is a perf event (resolved later); its characters are checked */
	check_err("sched switch", acc, 5, "unexpected ' ' in event 'sched switch'", HINT_PMUNAME);
	check_err("a:b,cpu+clock/pid>0/", acc, 7, "unexpected '+' in event 'cpu+clock'",
		  HINT_PMUNAME);
	check_err("/pid>0/", acc, 0, "missing event name in '/pid>0/'",
		  "write SYS:NAME before the filter, e.g. 'sched:sched_switch/prev_pid>0/'");
	check_err(":x", acc, 0, "empty system name in ':x'", HINT_SYSNAME);
	check_err("sched:", acc, 6, "empty event name in 'sched:'", HINT_SYSNAME);
	check_err("sched:''", acc, 6, "empty event name in 'sched:'''", HINT_SYSNAME);
	check_err("sched:sched-switch", acc, 11, "invalid character '-' in 'sched:sched-switch'",
		  HINT_TPCHARS);
	check_err("a:b:c", acc, 3, "invalid character ':' in 'a:b:c'", HINT_TPCHARS);
	check_err("sc.hed:x", acc, 2, "invalid character '.' in 'sc.hed:x'", HINT_TPCHARS);
	check_err("sched:a]", acc, 7, "invalid character ']' in 'sched:a]'", HINT_TPCHARS);
	check_err("sched:a-[b]", acc, 7, "invalid character '-' in 'sched:a-[b]'", HINT_TPCHARS);
	check_err("sched:a(x)", acc, 7, "invalid character '(' in 'sched:a(x)'", HINT_TPCHARS);
}

TEST(evspec_err_control_char)
{
	struct evspec_list l = { NULL, 0 };
	struct err e = { 0 };

	CHECK_INT(evspec_parse("s\x01:x", 0, acc, &l, &e), -1);
	CHECK_STR(e.msg, "invalid character '\\x01' in 's\x01:x'");
	CHECK_STR(e.hint, HINT_TPCHARS);
	CHECK_STR(e.detail, "  s?:x\n   ^\n");
}

TEST(evspec_err_protection)
{
	check_err("a:b/comm==\"x/", acc, 10, "unterminated quote in event selector",
		  "add the closing \"");
	check_err("a:b//alias='x/", acc, 11, "unterminated quote in event selector",
		  "add the closing '");
	check_err("a:b/(pid>0/", acc, 4, "unbalanced '(' in event selector", "add the missing ')'");
	check_err("a:b/(x)&&((y)/", acc, 9, "unbalanced '(' in event selector",
		  "add the missing ')'");
	check_err("a:b/pid>0)/", acc, 9, "unbalanced ')' in event selector",
		  "remove it or add the matching '('");
	/* a parenthesis inside quotes does not count, a quote inside one does */
	check_err("a:b/x==\")\"/,c:d//key=(\")\"/", acc, 21, "unbalanced '(' in event selector",
		  "add the missing ')'");
}

TEST(evspec_err_segments)
{
	check_err("sys:name/pid>0", acc, 9, "filter of 'sys:name' is not closed by '/'",
		  "write 'sys:name/pid>0/'");
	check_err("sys:name//key=pid", acc, 10,
		  "attribute 'key=pid' is not terminated by '/' in 'sys:name//key=pid'",
		  "write 'sys:name//key=pid/'");
	check_err("a:b/x/stack/key=(a/b)", acc, 12,
		  "attribute 'key=(a/b)' is not terminated by '/' in 'a:b/x/stack/key=(a/b)'",
		  "write 'a:b/x/stack/key=(a/b)/'");
	check_err("a:b//key=pid//", acc, 13, "empty attribute in 'a:b//key=pid//'",
		  "remove the extra '/'");
	check_err("a:b///", acc, 5, "empty attribute in 'a:b///'", "remove the extra '/'");
}

TEST(evspec_err_attrs)
{
	check_err("sched:sched_switch//foo/", acc, 20,
		  "unknown attribute 'foo' in 'sched:sched_switch//foo/'", HINT_ACC);
	check_err("a:b,sched:sched_switch//key=x/foo=1/", acc, 30,
		  "unknown attribute 'foo' in 'sched:sched_switch//key=x/foo=1/'", HINT_ACC);
	check_err("a:b//key=x/", NULL, 5, "unknown attribute 'key' in 'a:b//key=x/'",
		  "this profiler takes no event attributes");
	check_err("a:b//stack/", acc + 2, 5, "unknown attribute 'stack' in 'a:b//stack/'",
		  "accepted attributes: max-stack, key, top-by, top-add");
	check_err("a:b//pid>0/", acc, 5, "invalid attribute 'pid>0' in 'a:b//pid>0/'",
		  "the filter is the first /.../: write 'a:b/pid>0/'");
	check_err("a:b//pid==0/key=x/", acc, 5,
		  "invalid attribute 'pid==0' in 'a:b//pid==0/key=x/'",
		  "the filter is the first /.../: write 'a:b/pid==0/'");
	check_err("a:b//Key/", acc, 5, "invalid attribute 'Key' in 'a:b//Key/'", HINT_ACC);
	check_err("a:b/x/Key=1/", acc, 6, "invalid attribute 'Key=1' in 'a:b/x/Key=1/'", HINT_ACC);
	check_err("a:b//=1/", acc, 5, "invalid attribute '=1' in 'a:b//=1/'",
		  "the filter is the first /.../: write 'a:b/=1/'");
	check_err("a:b//stack/k y/", acc, 11, "invalid attribute 'k y' in 'a:b//stack/k y/'",
		  HINT_ACC);
	check_err("a:b//alias/", acc, 5, "attribute 'alias' needs a value in 'a:b//alias/'",
		  "write 'alias=NAME/'");
	check_err("a:b//alias=\"\"/", acc, 5,
		  "attribute 'alias' needs a value in 'a:b//alias=\"\"/'", "write 'alias=NAME/'");
	check_err("a:b//max-stack/", acc, 5,
		  "attribute 'max-stack' needs a value in 'a:b//max-stack/'", "write 'max-stack=N/'");
	check_err("a:b//stack=1/", acc, 5, "attribute 'stack' takes no value in 'a:b//stack=1/'",
		  "write 'stack/' to sample call stacks, 'max-stack=N/' to limit the depth");
	check_err("a:b//stack=/", acc, 5, "attribute 'stack' takes no value in 'a:b//stack=/'",
		  "write 'stack/' to sample call stacks, 'max-stack=N/' to limit the depth");
}

TEST(evspec_err_max_stack)
{
	const char *hint = "max-stack is a number from 1 to 127";

	check_err("a:b//max-stack=0/", acc, 15, "invalid max-stack '0' in 'a:b//max-stack=0/'", hint);
	check_err("a:b//max-stack=128/", acc, 15, "invalid max-stack '128' in 'a:b//max-stack=128/'",
		  hint);
	check_err("a:b//max-stack=abc/", acc, 15, "invalid max-stack 'abc' in 'a:b//max-stack=abc/'",
		  hint);
	check_err("a:b//max-stack=-1/", acc, 15, "invalid max-stack '-1' in 'a:b//max-stack=-1/'",
		  hint);
	check_err("a:b//max-stack='99999999999999999999'/", acc, 16,
		  "invalid max-stack '99999999999999999999' in 'a:b//max-stack='99999999999999999999'/'",
		  hint);
}

TEST(evspec_err_attr_in_filter_position)
{
	check_err("sched:sched_switch/stack/", acc, 19,
		  "'stack' is in the filter position of 'sched:sched_switch/stack/'",
		  "the first /.../ is always the filter, even when empty: write 'sched:sched_switch//stack/'");
	check_err("sched:sched_switch/key=pid/alias=x/", acc, 19,
		  "'key=pid' is in the filter position of 'sched:sched_switch/key=pid/alias=x/'",
		  "the first /.../ is always the filter, even when empty: write 'sched:sched_switch//key=pid/alias=x/'");
	check_err("a:b/top_by=x/", acc, 4, "'top_by=x' is in the filter position of 'a:b/top_by=x/'",
		  "the first /.../ is always the filter, even when empty: write 'a:b//top_by=x/'");
	check_err("uprobe:f@\"/x\"/stack/", acc, 14,
		  "'stack' is in the filter position of 'uprobe:f@\"/x\"/stack/'",
		  "the first /.../ is always the filter, even when empty: write 'uprobe:f@\"/x\"//stack/'");
}

TEST(evspec_err_probes)
{
	check_err("uprobe:malloc", acc, 13, "missing @FILE in 'uprobe:malloc'",
		  "write uprobe:malloc@FILE, e.g. -e 'uprobe:malloc@\"/lib/x86_64-linux-gnu/libc.so.6\"'");
	check_err("uretprobe:malloc+4(x)", acc, 18, "missing @FILE in 'uretprobe:malloc+4(x)'",
		  "write uretprobe:malloc+4@FILE, e.g. -e 'uretprobe:malloc@\"/lib/x86_64-linux-gnu/libc.so.6\"'");
	check_err("uprobe:malloc@/lib/libc.so.6", acc, 14,
		  "missing file after '@' in 'uprobe:malloc@/lib/libc.so.6'",
		  "quote a path that holds '/': -e 'uprobe:FUNC@\"/path/to/file\"'");
	check_err("uretprobe:f@\"\"", acc, 12, "missing file after '@' in 'uretprobe:f@\"\"'",
		  "quote a path that holds '/': -e 'uretprobe:FUNC@\"/path/to/file\"'");
	check_err("uprobe:@x", acc, 7, "missing function in 'uprobe:@x'",
		  "write uprobe:FUNC[+OFF]@FILE[(ARGS)]");
	check_err("kprobe:", acc, 7, "missing function in 'kprobe:'",
		  "write kprobe:FUNC[+OFF][(ARGS)]");
	check_err("kretprobe:(x)", acc, 10, "missing function in 'kretprobe:(x)'",
		  "write kretprobe:FUNC[+OFF][(ARGS)]");
	check_err("kprobe:do-x", acc, 9, "invalid character '-' in 'kprobe:do-x'",
		  "write kprobe:FUNC[+OFF][(ARGS)]; function names are letters, digits, '_' and '.'");
	check_err("uprobe:f*@x", acc, 8, "invalid character '*' in 'uprobe:f*@x'",
		  "write uprobe:FUNC[+OFF]@FILE[(ARGS)]; function names are letters, digits, '_' and '.'");
	check_err("kprobe:f+x", acc, 8, "invalid offset '+x' in 'kprobe:f+x'",
		  "write FUNC+N with N decimal or 0x hex");
	check_err("kprobe:f+", acc, 8, "invalid offset '+' in 'kprobe:f+'",
		  "write FUNC+N with N decimal or 0x hex");
	check_err("uprobe:f+0x@x", acc, 8, "invalid offset '+0x' in 'uprobe:f+0x@x'",
		  "write FUNC+N with N decimal or 0x hex");
	check_err("kprobe:f+-1(x)", acc, 8, "invalid offset '+-1' in 'kprobe:f+-1(x)'",
		  "write FUNC+N with N decimal or 0x hex");
	check_err("kprobe:f+99999999999999999999", acc, 8,
		  "invalid offset '+99999999999999999999' in 'kprobe:f+99999999999999999999'",
		  "write FUNC+N with N decimal or 0x hex");
	check_err("kprobe:f@x", acc, 8, "kprobe takes no file in 'kprobe:f@x'",
		  "write uprobe:FUNC@FILE for a function in a user-space binary");
	check_err("kretprobe:f+1@x", acc, 13, "kretprobe takes no file in 'kretprobe:f+1@x'",
		  "write uprobe:FUNC@FILE for a function in a user-space binary");
	check_err("kprobe:f(a)b", acc, 11, "unexpected 'b' in 'kprobe:f(a)b'",
		  "a probe is kprobe:FUNC[+OFF][(ARGS)]; the filter and attributes follow after '/'");
	check_err("uprobe:f@\"x\"y/a>1/", acc, 12, "unexpected 'y' in 'uprobe:f@\"x\"y/a>1/'",
		  "a probe is uprobe:FUNC[+OFF]@FILE[(ARGS)]; the filter and attributes follow after '/'");
	check_err("kprobe:\"f(a\"", acc, 9, "unbalanced '(' in 'kprobe:\"f(a\"'",
		  "add the missing ')'");
	check_err("kprobe:'f(\")'", acc, 9, "unbalanced '(' in 'kprobe:'f(\")''",
		  "add the missing ')'");
	/* an unquoted path is cut at its first '/' */
	check_err("uprobe:f@./x", acc, 11, "filter of 'uprobe:f@.' is not closed by '/'",
		  "quote a path that holds '/': -e 'uprobe:FUNC@\"/path/to/file\"'");
	check_err("uprobe:f(x)@y", acc, 11, "unexpected '@y' in 'uprobe:f(x)@y'",
		  "a probe is uprobe:FUNC[+OFF]@FILE[(ARGS)]; the filter and attributes follow after '/'");
}
