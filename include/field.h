/* SPDX-License-Identifier: GPL-2.0 */
/*
 * field.h - reading an integer out of a tracepoint record: the one place
 * that knows how a field of 1, 2, 4 or 8 bytes, signed or not, an element
 * of an array, or the (offset, length) word of a __data_loc/__rel_loc
 * field is laid out. Used by every profiler's direct field reads, by the
 * expression VM's generic loads and by trace's JSON writer.
 *
 * Everything on the per-event path is inline and bounds-checked against
 * the record's size: the kernel's layout is trusted only as far as the
 * bytes it delivered.
 */
#ifndef PERF_PROF_FIELD_H
#define PERF_PROF_FIELD_H

#include <string.h>

#include "util.h"

struct tep_format_field;

/**
 * struct field - a scalar integer field, resolved once from its format
 * @off:       offset in the record, at most 0xffff (as field__scalar() sets it)
 * @size:      1, 2, 4 or 8 bytes
 * @is_signed: sign-extended when read
 */
struct field {
	u32 off;
	u32 size;
	bool is_signed;
};

/**
 * field__load - the integer of @size bytes (1, 2, 4, anything else: 8) at
 * @p, sign-extended to 64 bits when @is_signed; @p need not be aligned
 */
static inline u64 field__load(const void *p, unsigned size, bool is_signed)
{
	/* pids and counts first: most keys and values are 4 or 8 bytes */
	if (likely(size == 4)) {
		u32 v;

		memcpy(&v, p, 4);
		return is_signed ? (u64)(s64)(s32)v : v;
	}
	if (size == 8) {
		u64 v;

		memcpy(&v, p, 8);
		return v;
	}
	if (size == 2) {
		u16 v;

		memcpy(&v, p, 2);
		return is_signed ? (u64)(s64)(s16)v : v;
	}
	return is_signed ? (u64)(s64)*(const s8 *)p : *(const u8 *)p;
}

/**
 * field__read - the value of @f in the record @raw of @raw_size bytes.
 * Returns 0, or -1 when the field lies outside the record.
 */
static inline int field__read(const struct field *f, const void *raw, u32 raw_size, s64 *out)
{
	/* @off <= 0xffff and @size <= 8: the sum can't wrap; no pointer past the record is made */
	if (unlikely(f->off + f->size > raw_size))
		return -1;
	*out = (s64)field__load((const u8 *)raw + f->off, f->size, f->is_signed);
	return 0;
}

/**
 * field__dyn - where the data of the __data_loc (or, @rel, __rel_loc)
 * field at @off lies: the u32 there holds the offset (low 16 bits; for
 * __rel_loc relative to the end of that u32) and the length in bytes (high
 * 16). Returns false when the word or the data is outside the record.
 */
static inline bool field__dyn(const void *raw, u32 raw_size, u32 off, bool rel, u32 *data_off,
			      u32 *len)
{
	u32 w;

	if ((u64)off + 4 > raw_size)
		return false;
	w = (u32)field__load((const u8 *)raw + off, 4, false);
	*data_off = (w & 0xffff) + (rel ? off + 4 : 0);
	*len = w >> 16;
	return (u64)*data_off + *len <= raw_size;
}

/**
 * field__scalar - whether @tf is an integer field field__read() can take
 * (1, 2, 4 or 8 bytes; no array, string or __data_loc; an offset a record
 * can have), and if so @f for it
 */
bool field__scalar(struct field *f, const struct tep_format_field *tf);

#endif
