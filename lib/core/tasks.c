// SPDX-License-Identifier: GPL-2.0
/*
 * tasks.c - the run's task table: tid -> command name and parent. An
 * open-addressing table keyed by tid; names are kept inline (16 bytes, the
 * kernel's TASK_COMM_LEN), so a lookup never allocates. /proc/TID/comm is
 * read once for a tid seen first. Fed by the run's side-band records.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "tasks.h"

#define COMM_LEN 16

struct task_slot {
	int pid;	/* -1: empty */
	int parent;	/* forked from; its name is ours until we get one */
	bool gone;	/* exited */
	u32 gone_gen;	/* tasks__gc() generation it exited in */
	char comm[COMM_LEN];
};

struct tasks {
	struct task_slot *slots;
	size_t nr_slots, used;
	u32 generation;
};

struct tasks *tasks__new(void)
{
	return xzalloc(sizeof(struct tasks));
}

void tasks__delete(struct tasks *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

static inline size_t tasks__hash(const struct tasks *t, int pid)
{
	return ((u32)pid * 2654435761u) & (t->nr_slots - 1);
}

static struct task_slot *tasks__find(struct tasks *t, int pid, bool insert);

/* tasks__rehash - rebuild into @size slots, dropping tasks gone before @keep_gen */
static void tasks__rehash(struct tasks *t, size_t size, u32 keep_gen)
{
	struct task_slot *old = t->slots;
	size_t old_n = t->nr_slots;

	t->nr_slots = size;
	t->slots = xzalloc(t->nr_slots * sizeof(*t->slots));
	for (size_t i = 0; i < t->nr_slots; i++)
		t->slots[i].pid = -1;
	t->used = 0;
	for (size_t i = 0; i < old_n; i++) {
		if (old[i].pid < 0 || (old[i].gone && old[i].gone_gen < keep_gen))
			continue;
		*tasks__find(t, old[i].pid, true) = old[i];
	}
	free(old);
}

static void tasks__grow(struct tasks *t)
{
	tasks__rehash(t, t->nr_slots ? t->nr_slots * 2 : 4096, 0);
}

void tasks__gc(struct tasks *t)
{
	size_t live = 0, size = 4096;

	/* keep tasks that exited since the previous call: late samples name them */
	for (size_t i = 0; i < t->nr_slots; i++)
		if (t->slots[i].pid >= 0 && !(t->slots[i].gone && t->slots[i].gone_gen < t->generation))
			live++;
	if (live < t->used) {
		while (size < live * 2)
			size *= 2;
		tasks__rehash(t, size, t->generation);
	}
	t->generation++;
}

static struct task_slot *tasks__find(struct tasks *t, int pid, bool insert)
{
	size_t i;

	if (!t->nr_slots || (insert && (t->used + 1) * 4 > t->nr_slots * 3))
		tasks__grow(t);
	for (i = tasks__hash(t, pid);; i = (i + 1) & (t->nr_slots - 1)) {
		if (t->slots[i].pid == pid)
			return &t->slots[i];
		if (t->slots[i].pid < 0)
			break;
	}
	if (!insert)
		return NULL;
	t->slots[i].pid = pid;
	t->slots[i].parent = 0;
	t->slots[i].gone = false;
	t->slots[i].comm[0] = '\0';
	t->used++;
	return &t->slots[i];
}

static void comm_copy(char *dst, const char *src)
{
	size_t n = strnlen(src, COMM_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *tasks__comm(struct tasks *t, int pid)
{
	struct task_slot *s;
	char path[64], *buf;

	if (pid == 0)
		return "<idle>";
	if (pid < 0 || !t)
		return "<...>";
	s = t->nr_slots ? tasks__find(t, pid, false) : NULL;
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
	struct task_slot *s;

	if (pid <= 0)
		return;
	s = tasks__find(t, pid, true);
	comm_copy(s->comm, comm);
	s->gone = false;
}

void tasks__fork(struct tasks *t, int pid, int parent)
{
	struct task_slot *s;

	if (pid <= 0 || pid == parent)
		return;
	s = tasks__find(t, pid, true);
	s->comm[0] = '\0';
	s->parent = parent;
	s->gone = false;
}

void tasks__exit(struct tasks *t, int pid)
{
	struct task_slot *s = t->nr_slots ? tasks__find(t, pid, false) : NULL;

	if (s) {
		s->gone = true;
		s->gone_gen = t->generation;
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
	return t->used;
}
