// SPDX-License-Identifier: GPL-2.0
/*
 * registry.c - the probes of a run: created in tracefs, owned, removed.
 *
 * A registry (struct probes) belongs to one run. Its probes live in a
 * tracefs group of their own, pp_<pid> for the first registry of a process
 * and pp_<pid>_<n> for the others, so two runs of one process (the daemon)
 * never share an event and each removes exactly its own, in any order.
 *
 * Ownership is a lock: the registry holds an exclusive flock on
 * /run/perf-prof/<group>.lock for as long as its probes exist. The kernel
 * drops the lock when the owner dies, however it dies, so "can I take the
 * lock?" says whether a group's run is gone without guessing from pids or
 * process names (a renamed binary, valgrind, a reused pid fooled that).
 * Groups without a lock file (an older perf-prof) are removed only once
 * their pid is gone.
 *
 * Removal must work from a signal handler: each slot holds its removal
 * command precomputed, slots are only appended (a slot is complete before
 * the count covers it), and the process-wide list of registries is a fixed
 * array of pointers. The kernel refuses to remove an event a perf fd still
 * uses; when a fatal signal (or exit()) comes while the events are open, a
 * helper process forked with _Fork() waits for this one to die, which
 * closes them, and removes the probes then.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "tep.h"

#define PROBE_MAX 128		/* probes one run may create */
#define LIVE_MAX 64		/* registries alive in one process */
#define RUN_DIR "/run/perf-prof"
#define REAP_GROUPS 64		/* groups judged once per reap (more: judged again) */
#define HELPER_WAIT_MS 30000	/* how long the helper waits for its parent to die */
#define HELPER_RETRY_MS 5000	/* then how long it retries a busy removal */

struct probe_slot {
	char cmd[96];		/* "-:pp_<pid>/EVENT", written to remove it */
	size_t cmd_len;
	const char *ctl;	/* the control file it was written to */
	char event[64];
	char *key;		/* "TYPE PLACE ARGS": equal keys share the event */
	volatile sig_atomic_t removed;
};

struct probes {
	pid_t owner;		/* a forked child does not own its parent's probes */
	FILE *note;		/* where the reaper's notes go */
	int lock_fd;		/* the flock that says the group is alive; -1 before */
	bool reaped;
	char group[32];
	char lock_path[PATH_MAX];
	char uprobe_ctl[PATH_MAX];
	char kprobe_ctl[PATH_MAX];
	struct probe_slot slot[PROBE_MAX];
	volatile sig_atomic_t nr;
};

/* every registry of this process, for the signal-time cleanup */
static struct probes *volatile live[LIVE_MAX];
static bool hooked;

/* ------------------------------------------------------------- tracefs */

/* error_log_last - the newest entry of tracefs error_log, two lines, in @buf */
static void error_log_last(const char *root, char *buf, size_t size)
{
	char path[PATH_MAX], *log, *last = NULL, *p;
	size_t len;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/error_log", root);
	log = read_file(path, &len);
	if (!log)
		return;
	/* entries start with "[ timestamp]" at the start of a line */
	for (p = log; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (*p == '[')
			last = p;
	if (last)
		snprintf(buf, size, "%s", last);
	len = strlen(buf);
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	free(log);
}

static void error_log_clear(const char *root)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/error_log", root);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

/* ctl_write - one command to a dynamic event control file; -errno on failure */
static int ctl_write(const char *ctl, const char *cmd, size_t len)
{
	int fd = open(ctl, O_WRONLY | O_APPEND | O_CLOEXEC), e = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, len) < 0)
		e = -errno;
	close(fd);
	return e;
}

static int probes__available(const struct probes *p, const char *root, bool kernel,
			     const struct evspec *ev, struct err *err)
{
	const char *ctl = kernel ? p->kprobe_ctl : p->uprobe_ctl;

	if (!access(ctl, W_OK))
		return 0;
	if (errno == EACCES || errno == EPERM) {
		err_set(err, EXIT_FAIL, "cannot create %s events: %s is not writable",
			evspec_kind_name(ev->kind), ctl);
		err_hint(err, "run perf-prof as root");
		return -1;
	}
	if (kernel) {
		err_set(err, EXIT_FAIL, "kprobes are not available in this kernel: '%s:%s'",
			evspec_kind_name(ev->kind), ev->name);
		err_hint(err, "the kernel needs CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y "
			 "(%s/kprobe_events is missing); use a tracepoint ('perf-prof list') instead",
			 root);
	} else {
		err_set(err, EXIT_FAIL, "uprobes are not available in this kernel: '%s:%s'",
			evspec_kind_name(ev->kind), ev->name);
		err_hint(err, "the kernel needs CONFIG_UPROBES=y and CONFIG_UPROBE_EVENTS=y "
			 "(%s/uprobe_events is missing)", root);
	}
	return -1;
}

/* ------------------------------------------------------------ ownership */

static const char *run_dir(void)
{
	const char *env = getenv("PERF_PROF_RUNDIR");

	return env && *env ? env : RUN_DIR;
}

/* group_in_use - another registry of this process has the name @group */
static bool group_in_use(const struct probes *self, const char *group)
{
	for (int i = 0; i < LIVE_MAX; i++) {
		struct probes *p = live[i];

		if (p && p != self && p->owner == getpid() && !strcmp(p->group, group))
			return true;
	}
	return false;
}

/*
 * lock_take - the exclusive lock on @path, or -1. The file is checked to
 * still be the one at @path once locked: a reaper unlinks the lock file of
 * a dead group while holding its lock, and a lock on the unlinked file
 * would protect nothing.
 */
static int lock_take(const char *path)
{
	struct stat a, b;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) || fstat(fd, &a) || stat(path, &b) ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
		int e = errno;

		close(fd);
		errno = e ? e : EAGAIN;
		return -1;
	}
	return fd;
}

/*
 * probes__own - name the registry's group and take its lock: pp_<pid>, or
 * pp_<pid>_<n> when that name is taken by another run of this process (or
 * locked by a child a dead run with our pid left behind).
 */
static int probes__own(struct probes *p, struct err *err)
{
	const char *dir = run_dir();

	if (mkdir(dir, 0755) && errno != EEXIST)
		goto fail;
	for (int n = 0; n < LIVE_MAX + 8; n++) {
		if (n)
			snprintf(p->group, sizeof(p->group), "pp_%d_%d", (int)p->owner, n);
		else
			snprintf(p->group, sizeof(p->group), "pp_%d", (int)p->owner);
		if (group_in_use(p, p->group))
			continue;
		snprintf(p->lock_path, sizeof(p->lock_path), "%s/%s.lock", dir, p->group);
		p->lock_fd = lock_take(p->lock_path);
		if (p->lock_fd >= 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EAGAIN)
			goto fail;
	}
	errno = EBUSY;
fail:
	err_set(err, EXIT_FAIL, "cannot create the lock file of this run's probes in '%s': %s",
		dir, strerror(errno));
	err_hint(err, "perf-prof keeps a lock there while its probes exist, so that other runs "
		 "never remove them; run as root, or set PERF_PROF_RUNDIR to a writable directory");
	p->group[0] = p->lock_path[0] = '\0';
	return -1;
}

/* -------------------------------------------------------------- removal */

/*
 * probes__remove - write the removal commands of @p's probes, newest first,
 * if @owner owns them. Async-signal-safe. Returns the number left (busy).
 */
static int probes__remove(struct probes *p, pid_t owner)
{
	int left = 0;

	if (!p || p->owner != owner)
		return 0;
	for (int i = p->nr - 1; i >= 0; i--) {
		struct probe_slot *s = &p->slot[i];
		int r;

		if (s->removed)
			continue;
		r = ctl_write(s->ctl, s->cmd, s->cmd_len);
		if (!r || r == -ENOENT)
			s->removed = 1;
		else
			left++;
	}
	return left;
}

static int probes__remove_all(pid_t owner)
{
	int left = 0;

	for (int i = 0; i < LIVE_MAX; i++)
		left += probes__remove(live[i], owner);
	return left;
}

int probes__cleanup(struct probes *p)
{
	return probes__remove(p, getpid());
}

int probes__cleanup_all(void)
{
	return probes__remove_all(getpid());
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * helper_fds - the helper keeps only its parent's lock fds (the groups stay
 * owned until their probes are gone); everything else is closed, above all
 * the perf fds that keep the events busy. Async-signal-safe.
 */
static void helper_fds(pid_t parent)
{
	int keep[LIVE_MAX], n = 0, null = open("/dev/null", O_RDWR);
	unsigned from = 3;

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	for (int i = 0; i < LIVE_MAX; i++) {
		struct probes *p = live[i];
		int j;

		if (!p || p->owner != parent || p->lock_fd < 3)
			continue;
		for (j = n++; j > 0 && keep[j - 1] > p->lock_fd; j--)
			keep[j] = keep[j - 1];
		keep[j] = p->lock_fd;
	}
	for (int i = 0; i < n; i++) {
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/*
 * helper_spawn - a process that removes this one's probes once it is dead.
 * Called where the probes are busy (perf fds open) and this process is
 * about to die: from a fatal signal's handler, from exit(). Async-signal-
 * safe: _Fork() runs no atfork handlers, the child only makes syscalls.
 */
static void helper_spawn(void)
{
	pid_t parent = getpid();
	int waited = 0;

	if (_Fork() != 0)
		return;
	setsid();	/* no terminal's Ctrl-C for the helper */
	helper_fds(parent);
	while (getppid() == parent && waited < HELPER_WAIT_MS) {
		sleep_ms(2);
		waited += 2;
	}
	for (waited = 0; probes__remove_all(parent) && waited < HELPER_RETRY_MS; waited += 10)
		sleep_ms(10);
	for (int i = 0; i < LIVE_MAX; i++) {
		struct probes *p = live[i];
		bool clean = p && p->owner == parent && p->lock_path[0];

		for (int j = 0; clean && j < p->nr; j++)
			clean = p->slot[j].removed;
		if (clean)
			unlink(p->lock_path);
	}
	_exit(0);
}

static void probes__atexit(void)
{
	if (probes__cleanup_all() > 0)
		helper_spawn();
}

static void probes__on_signal(int sig)
{
	int saved = errno;

	if (probes__cleanup_all() > 0)
		helper_spawn();
	errno = saved;
	/* SA_RESETHAND made the action the default: die of the signal, as without us */
	raise(sig);
}

/*
 * probes__hook - remove the probes at exit, and on every signal whose
 * default action ends the process, where that is still the disposition:
 * a signal someone handles (the session's signalfd blocks the ones it
 * reads, a profiler may catch SIGUSR2 to carry on) is left to them.
 */
static void probes__hook(void)
{
	static const int fatal[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1,
		SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ,
		SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS,
	};
	int nr = (int)ARRAY_SIZE(fatal) + SIGRTMAX - SIGRTMIN + 1;

	if (hooked)
		return;
	hooked = true;
	atexit(probes__atexit);
	for (int i = 0; i < nr; i++) {
		int sig = i < (int)ARRAY_SIZE(fatal) ? fatal[i] : SIGRTMIN + i - (int)ARRAY_SIZE(fatal);
		struct sigaction old, sa = { .sa_handler = probes__on_signal,
					     .sa_flags = SA_RESETHAND | SA_RESTART };

		if (sigaction(sig, NULL, &old) || old.sa_handler != SIG_DFL)
			continue;
		sigemptyset(&sa.sa_mask);
		sigaction(sig, &sa, NULL);
	}
}

/* ------------------------------------------------------------- registry */

struct probes *probes__new(FILE *note, struct err *err)
{
	struct probes *p = xzalloc(sizeof(*p));

	p->owner = getpid();
	p->note = note;
	p->lock_fd = -1;
	for (int i = 0; i < LIVE_MAX; i++) {
		if (live[i])
			continue;
		live[i] = p;
		return p;
	}
	free(p);
	err_set(err, EXIT_FAIL, "too many runs with probes in one process (at most %d)", LIVE_MAX);
	return NULL;
}

static void probes__unlist(struct probes *p)
{
	for (int i = 0; i < LIVE_MAX; i++)
		if (live[i] == p)
			live[i] = NULL;
	/* gone from the list before it is freed: a handler never sees it half-freed */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

int probes__delete(struct probes *p)
{
	int left;

	if (!p)
		return 0;
	if (p->owner != getpid()) {
		/* a forked child's copy: the probes and the lock are the parent's */
		probes__unlist(p);
		for (int i = 0; i < p->nr; i++)
			free(p->slot[i].key);
		if (p->lock_fd >= 0)
			close(p->lock_fd);
		free(p);
		return 0;
	}
	left = probes__cleanup(p);
	if (left)
		return left;	/* still listed: exit() or a signal retries */
	probes__unlist(p);
	/* unlinked while locked: nobody takes a lock on a file about to go */
	if (p->lock_fd >= 0) {
		unlink(p->lock_path);
		close(p->lock_fd);
	}
	for (int i = 0; i < p->nr; i++)
		free(p->slot[i].key);
	free(p);
	return 0;
}

const char *probes__group(const struct probes *p)
{
	return p->group;
}

static int probes__init(struct probes *p, struct err *err)
{
	const char *root;

	if (p->uprobe_ctl[0])
		return 0;
	root = tracefs__root(err);
	if (!root)
		return -1;
	snprintf(p->uprobe_ctl, sizeof(p->uprobe_ctl), "%s/uprobe_events", root);
	snprintf(p->kprobe_ctl, sizeof(p->kprobe_ctl), "%s/kprobe_events", root);
	return 0;
}

/* probes__slot_find - the slot with event name @event, or the one defined by @key */
static struct probe_slot *probes__slot_find(struct probes *p, const char *event, const char *key)
{
	for (int i = 0; i < p->nr; i++) {
		struct probe_slot *s = &p->slot[i];

		if (s->removed)
			continue;
		if ((event && !strcmp(s->event, event)) || (key && !strcmp(s->key, key)))
			return s;
	}
	return NULL;
}

static void probes__unique_name(struct probes *p, const char *base, char *out, size_t size)
{
	snprintf(out, size, "%s", base);
	for (int i = 1; probes__slot_find(p, out, NULL); i++)
		snprintf(out, size, "%.*s_%d", EVENT_BASE_MAX, base, i);
}

static int probes__write(struct probes *p, const char *root, const struct evspec *ev,
			 struct probe_def *def, const char *key, struct err *err)
{
	struct probe_slot *s = &p->slot[p->nr];
	const char *ctl = def->kernel ? p->kprobe_ctl : p->uprobe_ctl;
	char event[64], *line;
	int r;

	if (p->nr == PROBE_MAX)
		return err_set(err, EXIT_USAGE, "too many probes (at most %d per run)", PROBE_MAX);
	probes__unique_name(p, def->event, event, sizeof(event));
	line = xasprintf("%c:%s/%s %s%s%s", def->ret ? 'r' : 'p', p->group, event, def->place,
			 *def->args ? " " : "", def->args);
	error_log_clear(root);
	r = ctl_write(ctl, line, strlen(line));
	if (r) {
		char log[1024];

		err_set(err, EXIT_FAIL, "the kernel refused the probe '%s:%s': %s",
			evspec_kind_name(ev->kind), ev->name, strerror(-r));
		error_log_last(root, log, sizeof(log));
		if (log[0])
			err_detail(err, "%s", log);
		else
			err_detail(err, "  %s", line);
		err_hint(err, "check the function, the offset and the arguments "
			 "(Documentation/probes.md)");
		free(line);
		return -1;
	}
	free(line);
	memset(s, 0, sizeof(*s));
	s->cmd_len = (size_t)snprintf(s->cmd, sizeof(s->cmd), "-:%s/%s", p->group, event);
	s->ctl = ctl;
	snprintf(s->event, sizeof(s->event), "%s", event);
	s->key = xstrdup(key);
	/* the slot is complete before a signal handler can see it */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	p->nr++;
	snprintf(def->event, sizeof(def->event), "%s", event);
	return 0;
}

int probes__create(struct probes *p, struct evspec *ev, struct err *err)
{
	struct probe_def def;
	struct probe_slot *same;
	const char *root;
	char *key;

	if (probes__init(p, err))
		return -1;
	root = tracefs__root(err);
	if (probes__available(p, root, kind_is_kernel(ev->kind), ev, err))
		return -1;
	if (p->lock_fd < 0 && probes__own(p, err))
		return -1;
	probes__reap(p);
	if (probe__define(ev, NULL, &def, err)) {
		probe_def__free(&def);
		return -1;
	}
	key = xasprintf("%c%c %s %s", def.kernel ? 'k' : 'u', def.ret ? 'r' : 'p', def.place,
			def.args);
	same = probes__slot_find(p, NULL, key);
	/* hooked before the first write: no moment has a probe and no cleanup */
	probes__hook();
	if (same) {
		snprintf(def.event, sizeof(def.event), "%s", same->event);
	} else if (probes__write(p, root, ev, &def, key, err)) {
		free(key);
		probe_def__free(&def);
		return -1;
	}
	free(key);
	free(ev->sys);
	ev->sys = xstrdup(p->group);
	free(ev->name);
	ev->name = xstrdup(def.event);
	if (!ev->display && !ev->alias)
		ev->display = xstrdup(def.display);
	probe_def__free(&def);
	return 0;
}

/* ---------------------------------------------------------------- stale */

/* group_pid - pid of a "pp_<pid>" or "pp_<pid>_<n>" group, 0 for any other */
static pid_t group_pid(const char *group)
{
	char num[16];
	size_t n;
	u64 pid;

	if (strncmp(group, "pp_", 3))
		return 0;
	n = strspn(group + 3, "0123456789");
	if (!n || n >= sizeof(num) || (group[3 + n] && (group[3 + n] != '_' ||
	    !group[4 + n] || strspn(group + 4 + n, "0123456789") != strlen(group + 4 + n))))
		return 0;
	memcpy(num, group + 3, n);
	num[n] = '\0';
	if (parse_u64(num, &pid) || !pid || pid > INT_MAX)
		return 0;
	return (pid_t)pid;
}

/* what the reaper found out about a group, once per reap */
struct verdict {
	char group[128];
	pid_t pid;
	bool dead;
	int lock_fd;		/* held while a dead group's events are removed */
	char lock_path[PATH_MAX];
};

/* ours - the registry of this process whose group is @group */
static struct probes *ours(const char *group)
{
	for (int i = 0; i < LIVE_MAX; i++) {
		struct probes *p = live[i];

		if (p && p->owner == getpid() && p->lock_fd >= 0 && !strcmp(p->group, group))
			return p;
	}
	return NULL;
}

/*
 * group_judge - whether the run that owns @v->group is gone: its lock file
 * can be locked (nobody holds it), or, without a lock file, its pid is not
 * running (or is ours, and none of our registries has the group).
 */
static void group_judge(struct verdict *v)
{
	char proc[32];
	int fd;

	v->dead = false;
	v->lock_fd = -1;
	snprintf(v->lock_path, sizeof(v->lock_path), "%s/%s.lock", run_dir(), v->group);
	fd = open(v->lock_path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			close(fd);	/* held: the owner lives */
			return;
		}
		v->dead = true;
		v->lock_fd = fd;
		return;
	}
	if (v->pid == getpid()) {
		v->dead = !ours(v->group);	/* a lock file removed by hand: still ours */
		return;
	}
	snprintf(proc, sizeof(proc), "/proc/%d", (int)v->pid);
	v->dead = access(proc, F_OK) && errno == ENOENT;
}

/* verdict_of - the cached verdict on @group, judged on first sight */
static struct verdict *verdict_of(struct verdict *vs, int *nr, const char *group, pid_t pid,
				  struct verdict *spare)
{
	struct verdict *v;

	for (int i = 0; i < *nr; i++)
		if (!strcmp(vs[i].group, group))
			return &vs[i];
	v = *nr < REAP_GROUPS ? &vs[(*nr)++] : spare;
	if (v == spare && spare->lock_fd >= 0)
		close(spare->lock_fd);
	snprintf(v->group, sizeof(v->group), "%s", group);
	v->pid = pid;
	group_judge(v);
	return v;
}

/* verdict_done - a dead group's lock file goes with it, unlinked while locked */
static void verdict_done(struct verdict *v)
{
	if (v->lock_fd < 0)
		return;
	unlink(v->lock_path);
	close(v->lock_fd);
	v->lock_fd = -1;
}

static const char *reap_ctl(const char *root, const struct dyn_line *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s/dynamic_events", root);
	if (!access(buf, W_OK))
		return buf;
	snprintf(buf, size, "%s/%s", root, d->rest[0] == '/' ? "uprobe_events" : "kprobe_events");
	return buf;
}

/*
 * event_stale - @d is left by a gone run. In the group of @self (the
 * registry reaping, which has just taken the lock of a name a dead run of
 * our pid may have used) what @self did not make is a leftover; the groups
 * of the process's other registries are locked, so judged alive.
 */
static bool event_stale(const struct probes *self, const struct dyn_line *d, pid_t pid,
			struct verdict *vs, int *nr, struct verdict *spare)
{
	if (self && self->lock_fd >= 0 && !strcmp(d->group, self->group))
		return !probes__slot_find((struct probes *)self, d->event, NULL);
	return verdict_of(vs, nr, d->group, pid, spare)->dead;
}

/* lock_files_sweep - lock files of runs that died before making a probe */
static void lock_files_sweep(void)
{
	DIR *dir = opendir(run_dir());
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		struct verdict v = { 0 };
		size_t len = strlen(de->d_name);

		if (len < 6 || len - 5 >= sizeof(v.group) || strcmp(de->d_name + len - 5, ".lock"))
			continue;
		snprintf(v.group, sizeof(v.group), "%.*s", (int)(len - 5), de->d_name);
		if (!(v.pid = group_pid(v.group)) || ours(v.group))
			continue;
		group_judge(&v);
		if (v.lock_fd >= 0)
			verdict_done(&v);
	}
	closedir(dir);
}

static int reap(const struct probes *self, FILE *note, struct err *err)
{
	const char *root = tracefs__root(err);
	struct verdict *vs, spare = { .lock_fd = -1 };
	char *all, *line, *save = NULL;
	int removed = 0, nr = 0;

	if (!root)
		return -1;
	vs = xzalloc(REAP_GROUPS * sizeof(*vs));
	all = dyn_read(root);
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct dyn_line d;
		char ctl[PATH_MAX], cmd[300];
		pid_t pid;
		int n;

		if (!dyn_parse(line, &d) || !(pid = group_pid(d.group)) ||
		    !event_stale(self, &d, pid, vs, &nr, &spare))
			continue;
		n = snprintf(cmd, sizeof(cmd), "-:%s/%s", d.group, d.event);
		if (ctl_write(reap_ctl(root, &d, ctl, sizeof(ctl)), cmd, (size_t)n))
			continue;	/* in use, or gone meanwhile */
		removed++;
		if (note)
			fprintf(note, "perf-prof: removed probe '%s:%s' left by a run that did not "
				"end cleanly (pid %d)\n", d.group, d.event, (int)pid);
	}
	for (int i = 0; i < nr; i++)
		verdict_done(&vs[i]);
	verdict_done(&spare);
	lock_files_sweep();
	free(all);
	free(vs);
	return removed;
}

int probe__reap_stale(FILE *note, struct err *err)
{
	return reap(NULL, note, err);
}

int probes__reap(struct probes *p)
{
	if (p->reaped)
		return 0;
	p->reaped = true;
	return reap(p, p->note, NULL);
}
