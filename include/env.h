/* SPDX-License-Identifier: GPL-2.0 */
/*
 * env.h - what a run lends to the code that turns numbers into names while
 * it filters and reports: its task table, its kernel symbols and, when its
 * events sample stacks, its user symbols. Everything here belongs to one
 * run; several runs in one process each have their own.
 */
#ifndef PERF_PROF_ENV_H
#define PERF_PROF_ENV_H

#include <stdio.h>

struct tasks;
struct ksyms;
struct syms;

/**
 * struct run_env - one run's naming context
 * @tasks: tid -> comm (never NULL in a run)
 * @ksyms: kernel symbols (never NULL in a run; read on first use)
 * @syms:  user symbols, NULL unless some event samples stacks
 * @out:   the run's report stream (where printf() in expressions writes)
 */
struct run_env {
	struct tasks *tasks;
	struct ksyms *ksyms;
	struct syms *syms;
	FILE *out;
};

#endif
