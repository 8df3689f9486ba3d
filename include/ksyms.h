/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksyms.h - kernel address -> symbol resolution.
 *
 * /proc/kallsyms (modules included), loaded on first use and searched with
 * a binary search. A table belongs to one run (struct ksyms); a NULL table
 * knows no symbol.
 */
#ifndef PERF_PROF_KSYMS_H
#define PERF_PROF_KSYMS_H

#include "util.h"

struct ksyms;

/* ksyms__new - an empty table; /proc/kallsyms is read on the first lookup */
struct ksyms *ksyms__new(void);

/* ksyms__new_path - the same from a file in /proc/kallsyms' format (tests) */
struct ksyms *ksyms__new_path(const char *path);

/* ksyms__load_now - read /proc/kallsyms now rather than in the first sample */
void ksyms__load_now(struct ksyms *ks);

/**
 * ksyms__name - kernel symbol containing @addr.
 * @off: when not NULL, receives @addr minus the symbol start
 * @mod: when not NULL, receives the module name ("" for the core kernel)
 * Returns the name, or NULL when @addr is not inside any known symbol.
 */
const char *ksyms__name(struct ksyms *ks, u64 addr, u64 *off, const char **mod);

/* ksyms__addr - address of kernel symbol @name, 0 when unknown */
u64 ksyms__addr(struct ksyms *ks, const char *name);

/* ksyms__delete - free the table */
void ksyms__delete(struct ksyms *ks);

#endif
