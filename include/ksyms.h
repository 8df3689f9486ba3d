/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksyms.h - kernel address -> symbol resolution.
 *
 * Kernel: /proc/kallsyms (modules included), loaded once on first use and
 * searched with a binary search.
 */
#ifndef PERF_PROF_KSYMS_H
#define PERF_PROF_KSYMS_H

#include "util.h"

/**
 * ksyms__name - kernel symbol containing @addr.
 * @off: when not NULL, receives @addr minus the symbol start
 * @mod: when not NULL, receives the module name ("" for the core kernel)
 * Returns the name, or NULL when @addr is not inside any known symbol.
 */
const char *ksyms__name(u64 addr, u64 *off, const char **mod);

/* ksyms__addr - address of kernel symbol @name, 0 when unknown */
u64 ksyms__addr(const char *name);

/* ksyms__free - drop the loaded table (tests, exit) */
void ksyms__free(void);

#endif
