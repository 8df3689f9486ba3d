// SPDX-License-Identifier: GPL-2.0
/*
 * comm.c - pid -> command name. An open-addressing table keyed by pid;
 * names are kept inline (16 bytes, the kernel's TASK_COMM_LEN), so a lookup
 * never allocates. /proc/PID/comm is read once for a pid seen first.
 */
#include <stdlib.h>
#include <string.h>

#include "comm.h"

#define COMM_LEN 16

struct comm_slot {
	int pid;	/* -1: empty */
	int parent;	/* forked from; its name is ours until we get one */
	bool gone;	/* exited */
	u32 gone_gen;	/* comm_gc() generation it exited in */
	char comm[COMM_LEN];
};

static struct comm_slot *slots;
static size_t nr_slots, used;
static u32 generation;

static inline size_t comm_hash(int pid)
{
	return ((u32)pid * 2654435761u) & (nr_slots - 1);
}

static struct comm_slot *comm_find(int pid, bool insert);

/* comm_rehash - rebuild into @size slots, dropping tasks gone before @keep_gen */
static void comm_rehash(size_t size, u32 keep_gen)
{
	struct comm_slot *old = slots;
	size_t old_n = nr_slots;

	nr_slots = size;
	slots = xzalloc(nr_slots * sizeof(*slots));
	for (size_t i = 0; i < nr_slots; i++)
		slots[i].pid = -1;
	used = 0;
	for (size_t i = 0; i < old_n; i++) {
		if (old[i].pid < 0 || (old[i].gone && old[i].gone_gen < keep_gen))
			continue;
		*comm_find(old[i].pid, true) = old[i];
	}
	free(old);
}

static void comm_grow(void)
{
	comm_rehash(nr_slots ? nr_slots * 2 : 4096, 0);
}

void comm_gc(void)
{
	size_t live = 0, size = 4096;

	/* keep tasks that exited since the previous call: late samples name them */
	for (size_t i = 0; i < nr_slots; i++)
		if (slots[i].pid >= 0 && !(slots[i].gone && slots[i].gone_gen < generation))
			live++;
	if (live < used) {
		while (size < live * 2)
			size *= 2;
		comm_rehash(size, generation);
	}
	generation++;
}

static struct comm_slot *comm_find(int pid, bool insert)
{
	size_t i;

	if (!nr_slots || (insert && (used + 1) * 4 > nr_slots * 3))
		comm_grow();
	for (i = comm_hash(pid);; i = (i + 1) & (nr_slots - 1)) {
		if (slots[i].pid == pid)
			return &slots[i];
		if (slots[i].pid < 0)
			break;
	}
	if (!insert)
		return NULL;
	slots[i].pid = pid;
	slots[i].parent = 0;
	slots[i].gone = false;
	slots[i].comm[0] = '\0';
	used++;
	return &slots[i];
}

static void comm_copy(char *dst, const char *src)
{
	size_t n = strnlen(src, COMM_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *comm_get(int pid)
{
	struct comm_slot *s;
	char path[64], *buf;

	if (pid == 0)
		return "<idle>";
	if (pid < 0)
		return "<...>";
	s = nr_slots ? comm_find(pid, false) : NULL;
	/* a forked task without a name of its own has its parent's (bounded walk) */
	for (int depth = 0; s && !s->comm[0] && s->parent > 0 && depth < 8; depth++) {
		int parent = s->parent;

		if (parent == pid)
			break;
		s = comm_find(parent, false);
		if (!s)
			return comm_get(parent);
	}
	if (s && s->comm[0])
		return s->comm;
	if (s)
		return "<...>";
	s = comm_find(pid, true);
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

void comm_set(int pid, const char *comm)
{
	struct comm_slot *s;

	if (pid <= 0)
		return;
	s = comm_find(pid, true);
	comm_copy(s->comm, comm);
	s->gone = false;
}

void comm_fork(int pid, int parent)
{
	struct comm_slot *s;

	if (pid <= 0 || pid == parent)
		return;
	s = comm_find(pid, true);
	s->comm[0] = '\0';
	s->parent = parent;
	s->gone = false;
}

void comm_exit(int pid)
{
	struct comm_slot *s = nr_slots ? comm_find(pid, false) : NULL;

	if (s) {
		s->gone = true;
		s->gone_gen = generation;
	}
}

size_t comm_nr(void)
{
	return used;
}

void comm_reset(void)
{
	free(slots);
	slots = NULL;
	nr_slots = used = 0;
}
