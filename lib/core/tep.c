// SPDX-License-Identifier: GPL-2.0
/*
 * tep.c - tracefs discovery and event formats through libtraceevent.
 * Formats come from tracefs (never debugfs), into one handle per run.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <mntent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "ksyms.h"
#include "tep.h"

/* where tracefs is mounted: a fact of the machine, found once */
static char tracefs_path[256];

static bool tracefs__mounted_at(char *out, size_t len)
{
	struct mntent *m;
	FILE *f = setmntent("/proc/mounts", "r");
	bool found = false;

	if (!f)
		return false;
	while ((m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "tracefs")) {
			snprintf(out, len, "%s", m->mnt_dir);
			found = true;
			/* prefer the canonical location when mounted twice */
			if (!strcmp(m->mnt_dir, "/sys/kernel/tracing"))
				break;
		}
	}
	endmntent(f);
	return found;
}

const char *tracefs__root(struct err *err)
{
	const char *env = getenv("PERF_PROF_TRACEFS");

	if (tracefs_path[0])
		return tracefs_path;
	if (env && *env) {
		/* tests point this at a missing directory to check the error */
		struct stat st;

		if (stat(env, &st) || !S_ISDIR(st.st_mode)) {
			err_set(err, EXIT_FAIL, "tracefs not found at '%s'", env);
			err_hint(err, "unset PERF_PROF_TRACEFS, or point it at a mounted tracefs");
			return NULL;
		}
		snprintf(tracefs_path, sizeof(tracefs_path), "%s", env);
		return tracefs_path;
	}
	if (tracefs__mounted_at(tracefs_path, sizeof(tracefs_path)))
		return tracefs_path;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0) {
		snprintf(tracefs_path, sizeof(tracefs_path), "/sys/kernel/tracing");
		return tracefs_path;
	}
	err_set(err, EXIT_FAIL, "cannot mount tracefs on '/sys/kernel/tracing': %s", strerror(errno));
	if (errno == EPERM)
		err_hint(err, "run perf-prof as root");
	else
		err_hint(err, "mount it by hand: mount -t tracefs nodev /sys/kernel/tracing");
	return NULL;
}

static char *ksym_resolver(void *priv, unsigned long long *addrp, char **modp)
{
	u64 off;
	const char *mod = NULL;
	const char *name = ksyms__name(priv, *addrp, &off, &mod);

	if (!name)
		return NULL;
	*addrp -= off;
	if (modp)
		*modp = (char *)(mod && *mod ? mod : NULL);
	return (char *)name;
}

struct tep_handle *tep__new(struct ksyms *ks)
{
	struct tep_handle *tep = tep_alloc();

	if (!tep) {
		fputs("perf-prof: out of memory\n", stderr);
		exit(EXIT_FAIL);
	}
	tep_set_long_size(tep, sizeof(long));
	tep_set_page_size(tep, (int)sysconf(_SC_PAGESIZE));
	tep_set_file_bigendian(tep, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ?
				    TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ?
				     TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	/* %pS and friends in print formats name kernel addresses */
	if (ks)
		tep_set_function_resolver(tep, ksym_resolver, ks);
	return tep;
}

void tep__delete(struct tep_handle *tep)
{
	if (tep)
		tep_free(tep);
}

/* tep__suggest - "did you mean" for an unknown SYS:NAME; false when nothing is close */
static bool tep__suggest(const char *sys, const char *name, struct err *err)
{
	char **names = NULL, *want = xasprintf("%s:%s", sys, name);
	struct err ignored;
	const char *best;
	int n = tep__tracepoints(&names, &ignored);

	best = n > 0 ? str_suggest(want, (const char *const *)names, n) : NULL;
	if (best)
		err_hint(err, "did you mean '%s'?", best);
	if (n > 0)
		tep__free_names(names, n);
	free(want);
	return best != NULL;
}

struct tep_event *tep__load(struct tep_handle *tep, const char *sys, const char *name,
			    struct err *err)
{
	const char *root = tracefs__root(err);
	struct tep_event *ev;
	char path[512], *buf;
	size_t len;

	if (!root)
		return NULL;
	ev = tep_find_event_by_name(tep, sys, name);
	if (ev)
		return ev;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", root, sys, name);
	buf = read_file(path, &len);
	if (!buf) {
		char dir[512];
		struct stat st;

		if (errno != ENOENT && errno != ENOTDIR) {
			int e = errno;

			err_set(err, EXIT_FAIL, "cannot read the format of '%s:%s': %s", sys, name,
				strerror(e));
			if (e == EACCES || e == EPERM)
				err_hint(err, "run perf-prof as root");
			return NULL;
		}
		snprintf(dir, sizeof(dir), "%s/events/%s", root, sys);
		if (stat(dir, &st))
			err_set(err, EXIT_USAGE, "unknown event system '%s' in '%s:%s'", sys, sys, name);
		else
			err_set(err, EXIT_USAGE, "unknown event '%s:%s'", sys, name);
		if (!tep__suggest(sys, name, err))
			err_hint(err, "'perf-prof list %s:*' shows the events of a system", sys);
		return NULL;
	}
	if (tep_parse_format(tep, &ev, buf, len, sys) != TEP_ERRNO__SUCCESS || !ev) {
		free(buf);
		err_set(err, EXIT_FAIL, "cannot parse the format of '%s:%s'", sys, name);
		return NULL;
	}
	free(buf);
	return ev;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tep__tracepoints(char ***namesp, struct err *err)
{
	const char *root = tracefs__root(err);
	char path[512], *buf, *line, *save = NULL;
	char **names = NULL;
	int n = 0, cap = 0;

	if (!root)
		return -1;
	/* available_events holds every "sys:name" in one read */
	snprintf(path, sizeof(path), "%s/available_events", root);
	buf = read_file(path, NULL);
	if (!buf) {
		int e = errno;

		err_set(err, EXIT_FAIL, "cannot read '%s': %s", path, strerror(e));
		if (e == EACCES || e == EPERM)
			err_hint(err, "run perf-prof as root");
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strchr(line, ':'))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			names = xrealloc(names, (size_t)cap * sizeof(*names));
		}
		names[n++] = xstrdup(line);
	}
	free(buf);
	qsort(names, (size_t)n, sizeof(*names), str_cmp);
	*namesp = names;
	return n;
}

void tep__free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void tep__filter_reason(const char *sys, const char *name, const char *filter, char *out,
			size_t len)
{
	const char *root = tracefs__root(NULL);
	char dir[512], path[600], *buf, *p;
	int fd;

	out[0] = '\0';
	if (!root)
		return;
	/*
	 * The perf ioctl only says EINVAL. The same filter written into a
	 * private ftrace instance (removed right after) makes the kernel
	 * explain itself in the filter file, without touching global state.
	 */
	snprintf(dir, sizeof(dir), "%s/instances/perf_prof_filter_%d", root, (int)getpid());
	if (mkdir(dir, 0700) && errno != EEXIST)
		return;
	snprintf(path, sizeof(path), "%s/events/%s/%s/filter", dir, sys, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, filter, strlen(filter)) < 0) {
			/* expected: the kernel refuses it and keeps the reason */
		}
		close(fd);
		buf = read_file(path, NULL);
		if (buf) {
			p = strstr(buf, "parse_error: ");
			if (p) {
				p += strlen("parse_error: ");
				p[strcspn(p, "\n")] = '\0';
				snprintf(out, len, "%s", p);
			}
			free(buf);
		}
	}
	rmdir(dir);
}
