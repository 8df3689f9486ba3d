// SPDX-License-Identifier: GPL-2.0
/*
 * test-probe-kernel.c - two probe registries in one process against the
 * real tracefs (root with uprobe_events, else skipped): each registry's
 * uprobe on a function of this binary counts exactly the calls made while
 * it exists (a perf counter on its tracepoint), and deleting one registry
 * removes its group from tracefs while the other's keeps counting. Kept out
 * of test-probe.c, whose tests point tracefs at a fake directory for the
 * whole process.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "evspec.h"
#include "harness.h"
#include "probe.h"
#include "tep.h"

__attribute__((noinline, used)) long pp_kernel_target(long a);
__attribute__((noinline, used)) long pp_kernel_target(long a)
{
	return a + 1;
}

static long calls(long n)
{
	long sum = 0;

	for (long i = 0; i < n; i++)
		sum += pp_kernel_target(i);
	return sum;
}

/* probe_in - a uprobe on pp_kernel_target made by @reg; NULL on failure */
static struct evspec *probe_in(struct probes *reg, const char *self)
{
	static const char *const acc[] = { NULL };
	struct evspec_list l = { 0 };
	struct err err = { 0 };
	struct evspec *ev = NULL;
	char *text = xasprintf("uprobe:pp_kernel_target@\"%s\"", self);

	if (!evspec_parse(text, 0, acc, &l, &err) && l.n == 1 && !probes__create(reg, l.v[0], &err))
		ev = l.v[0];
	else
		printf("#   cannot probe '%s': %s\n", text, err.msg);
	if (!ev)
		evspec_list_free(&l);
	else
		free(l.v);
	free(text);
	return ev;
}

/* counter_open - a counting perf event on the tracepoint @ev became, this thread */
static int counter_open(const struct evspec *ev)
{
	struct perf_event_attr attr = { .size = sizeof(attr), .type = PERF_TYPE_TRACEPOINT };
	char *path = xasprintf("%s/events/%s/%s/id", tracefs__root(NULL), ev->sys, ev->name);
	char *id = read_file(path, NULL);
	int fd = -1;

	if (id) {
		attr.config = strtoull(id, NULL, 10);
		fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	}
	free(id);
	free(path);
	return fd;
}

static long long counter_read(int fd)
{
	long long v = -1;

	if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return -1;
	return v;
}

static bool group_exists(const char *group)
{
	char *path = xasprintf("%s/events/%s", tracefs__root(NULL), group);
	bool r = !access(path, F_OK);

	free(path);
	return r;
}

TEST(probe_registries_two_live)
{
	char self[PATH_MAX], g1[32], g2[32];
	const char *root = tracefs__root(NULL);
	struct probes *r1 = NULL, *r2 = NULL;
	struct evspec *e1 = NULL, *e2 = NULL;
	struct err err = { 0 };
	int c1 = -1, c2 = -1;

	if (geteuid() || !root)
		SKIP("needs root and tracefs");
	{
		char *ctl = xasprintf("%s/uprobe_events", root);
		int ok = access(ctl, W_OK);

		free(ctl);
		if (ok)
			SKIP("no writable uprobe_events (CONFIG_UPROBE_EVENTS)");
	}
	if (!realpath("/proc/self/exe", self))
		SKIP("cannot resolve /proc/self/exe");
	r1 = probes__new(stderr, &err);
	r2 = probes__new(stderr, &err);
	if (!r1 || !r2)
		goto out;
	e1 = probe_in(r1, self);
	e2 = probe_in(r2, self);
	if (!e1 || !e2) {
		TEST_FAIL("cannot create the probes");
		goto out;
	}
	snprintf(g1, sizeof(g1), "%s", probes__group(r1));
	snprintf(g2, sizeof(g2), "%s", probes__group(r2));
	CHECK(strcmp(g1, g2) != 0);
	c1 = counter_open(e1);
	c2 = counter_open(e2);
	CHECK(c1 >= 0 && c2 >= 0);
	CHECK_INT(calls(100), 5050);
	CHECK_INT(counter_read(c1), 100);
	CHECK_INT(counter_read(c2), 100);

	/* the first goes (its events closed first, as the session does) */
	close(c1);
	c1 = -1;
	CHECK_INT(probes__delete(r1), 0);
	r1 = NULL;
	CHECK(!group_exists(g1));
	CHECK(group_exists(g2));
	CHECK_INT(calls(50), 1275);
	CHECK_INT(counter_read(c2), 150);

	close(c2);
	c2 = -1;
	CHECK_INT(probes__delete(r2), 0);
	r2 = NULL;
	CHECK(!group_exists(g2));
out:
	if (c1 >= 0)
		close(c1);
	if (c2 >= 0)
		close(c2);
	probes__delete(r1);
	probes__delete(r2);
	evspec_free(e1);
	evspec_free(e2);
}
