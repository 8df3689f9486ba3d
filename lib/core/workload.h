/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workload.h - the command after "--": forked at start-up, held before
 * exec until the events are enabled, then released. An exec failure is
 * reported back through a close-on-exec pipe, so a mistyped command is an
 * error and never a silent empty run.
 */
#ifndef PERF_PROF_WORKLOAD_H
#define PERF_PROF_WORKLOAD_H

#include <sys/types.h>

#include "util.h"

struct workload {
	pid_t pid;
	int go_fd;	/* write end: releases the child */
	int status_fd;	/* read end: errno of a failed exec, EOF on success */
	int exit_status;	/* wait status once reaped */
	bool reaped;
};

/**
 * workload__check - @argv[0] can be executed (searched in PATH like
 * execvp). -1 with @err (EXIT_USAGE) when it cannot.
 */
int workload__check(char **argv, struct err *err);

/**
 * workload__prepare - fork the child; it waits for workload__start().
 * @sigmask: the signal mask the child restores before exec.
 */
int workload__prepare(struct workload *w, char **argv, const void *sigmask, struct err *err);

/**
 * workload__start - let the child exec; returns -1 with @err when the exec
 * failed.
 */
int workload__start(struct workload *w, char **argv, struct err *err);

/* workload__reap - non-blocking wait; true once the child has exited */
bool workload__reap(struct workload *w);

/* workload__kill - terminate a child that is still held or running */
void workload__kill(struct workload *w);

#endif
