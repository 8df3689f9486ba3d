// SPDX-License-Identifier: GPL-2.0
/*
 * tasks.c - the run's task table: tid -> command name and parent. A
 * hashmap keyed by tid; names are kept inline (16 bytes, the kernel's
 * TASK_COMM_LEN), so a lookup never allocates. /proc/TID/comm is
 * read once for a tid seen first. Fed by the run's side-band records.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "tasks.h"

#define COMM_LEN 16

struct task {
	int parent;	/* forked from; its name is ours until we get one */
	bool gone;	/* exited */
	u32 gone_gen;	/* tasks__gc() generation it exited in */
	u64 died;	/* the exit record's time, 0 if not known */
	char comm[COMM_LEN];
};

struct tasks {
	struct hashmap *map;	/* tid -> struct task */
	u32 generation;
};

struct tasks *tasks__new(void)
{
	struct tasks *t = xzalloc(sizeof(struct tasks));

	t->map = hashmap__new(sizeof(struct task), 0);
	return t;
}

void tasks__delete(struct tasks *t)
{
	if (!t)
		return;
	hashmap__free(t->map);
	free(t);
}

static bool task_kept(const struct task *s, u32 keep_gen)
{
	return !(s->gone && s->gone_gen < keep_gen);
}

void tasks__gc(struct tasks *t)
{
	struct task *s;
	size_t live = 0, iter;

	/* keep tasks that exited since the previous call: late samples name them */
	hashmap__for_each(t->map, iter, s)
		live += task_kept(s, t->generation);
	if (live < hashmap__nr(t->map)) {
		/* a new table rather than deletes: memory shrinks back with the tasks */
		struct hashmap *keep = hashmap__new(sizeof(*s), 0);

		hashmap__for_each(t->map, iter, s)
			if (task_kept(s, t->generation))
				*(struct task *)hashmap__get(keep, hashmap__key(s)) = *s;
		hashmap__free(t->map);
		t->map = keep;
	}
	t->generation++;
}

static struct task *tasks__find(struct tasks *t, int pid, bool insert)
{
	struct task *s;
	bool created;

	if (!insert)
		return hashmap__find(t->map, (u64)pid);
	s = hashmap__get_new(t->map, (u64)pid, &created);
	if (s && created) {
		s->parent = 0;
		s->gone = false;
		s->comm[0] = '\0';
	}
	return s;
}

static void comm_copy(char *dst, const char *src)
{
	size_t n = strnlen(src, COMM_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *tasks__comm(struct tasks *t, int pid)
{
	struct task *s;
	char path[64], *buf;

	if (pid == 0)
		return "<idle>";
	if (pid < 0 || !t)
		return "<...>";
	s = tasks__find(t, pid, false);
	/* a forked task without a name of its own has its parent's (bounded walk) */
	for (int depth = 0; s && !s->comm[0] && s->parent > 0 && depth < 8; depth++) {
		int parent = s->parent;

		if (parent == pid)
			break;
		s = tasks__find(t, parent, false);
		if (!s)
			return tasks__comm(t, parent);
	}
	if (s && s->comm[0])
		return s->comm;
	if (s)
		return "<...>";
	s = tasks__find(t, pid, true);
	if (!s)
		return "<...>";
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	buf = read_file(path, NULL);
	if (buf) {
		buf[strcspn(buf, "\n")] = '\0';
		comm_copy(s->comm, buf);
		free(buf);
	} else {
		comm_copy(s->comm, "<...>");
		s->gone = true;
	}
	return s->comm;
}

void tasks__set_comm(struct tasks *t, int pid, const char *comm)
{
	struct task *s;

	if (pid <= 0)
		return;
	s = tasks__find(t, pid, true);
	if (!s)
		return;
	comm_copy(s->comm, comm);
	s->gone = false;
}

/*
 * Rings are read one CPU after the other unless the run orders records, so a task's
 * records may come out of order: its exec's COMM (on the CPU it runs on) before the FORK
 * its parent's CPU wrote, or even its EXIT before that FORK. Neither may be undone by the
 * late FORK: a name from a COMM is kept, an exit whose time is after the fork stays.
 */
void tasks__fork(struct tasks *t, int pid, int parent, u64 time)
{
	struct task *s;

	if (pid <= 0 || pid == parent)
		return;
	s = tasks__find(t, pid, true);
	if (!s)
		return;
	if (s->gone && time && s->died >= time) {
		/* this very task's exit was read first */
		if (!s->parent)
			s->parent = parent;
		return;
	}
	if (!s->gone && !s->parent && s->comm[0]) {
		/* named by its own COMM record, read before this FORK */
		s->parent = parent;
		return;
	}
	s->comm[0] = '\0';
	s->parent = parent;
	s->gone = false;
	s->died = 0;
}

void tasks__exit(struct tasks *t, int pid, u64 time)
{
	struct task *s = tasks__find(t, pid, false);

	if (s) {
		s->gone = true;
		s->gone_gen = t->generation;
		s->died = time;
	}
}

int tasks__seed_proc(struct tasks *t)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int n = 0;

	if (!proc)
		return 0;
	while ((p = readdir(proc))) {
		char path[600], *buf;
		DIR *task;
		struct dirent *th;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		task = opendir(path);
		if (!task)
			continue;	/* it exited meanwhile */
		while ((th = readdir(task))) {
			if (th->d_name[0] < '1' || th->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/comm", p->d_name, th->d_name);
			buf = read_file(path, NULL);
			if (!buf)
				continue;
			buf[strcspn(buf, "\n")] = '\0';
			tasks__set_comm(t, atoi(th->d_name), buf);
			free(buf);
			n++;
		}
		closedir(task);
	}
	closedir(proc);
	return n;
}

size_t tasks__nr(const struct tasks *t)
{
	return hashmap__nr(t->map);
}
