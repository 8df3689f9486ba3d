/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elfutil.h - small libelf lookups shared by the symbol tables and the
 * probe resolver.
 */
#ifndef PERF_PROF_ELFUTIL_H
#define PERF_PROF_ELFUTIL_H

#include <gelf.h>

/* elf__section - the section called @name (header in @out), or NULL */
Elf_Scn *elf__section(Elf *elf, const char *name, GElf_Shdr *out);

/* elf__section_type - the first section of type @type (header in @out), or NULL */
Elf_Scn *elf__section_type(Elf *elf, Elf64_Word type, GElf_Shdr *out);

#endif
