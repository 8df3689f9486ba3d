// SPDX-License-Identifier: GPL-2.0
/*
 * test-field.c - reading integers out of records (include/field.h): every
 * size signed and unsigned, unaligned, bounds against the record's size,
 * __data_loc and __rel_loc words, and which format fields are plain
 * integers.
 */
#include <string.h>
#include <traceevent/event-parse.h>

#include "field.h"
#include "harness.h"

TEST(field_load_sizes_and_signs)
{
	u8 rec[32];

	memset(rec, 0xff, sizeof(rec));
	/* at an odd offset: loads need no alignment */
	CHECK_U64(field__load(rec + 1, 1, false), 0xff);
	CHECK_INT((s64)field__load(rec + 1, 1, true), -1);
	CHECK_U64(field__load(rec + 3, 2, false), 0xffff);
	CHECK_INT((s64)field__load(rec + 3, 2, true), -1);
	CHECK_U64(field__load(rec + 5, 4, false), 0xffffffffULL);
	CHECK_INT((s64)field__load(rec + 5, 4, true), -1);
	CHECK_U64(field__load(rec + 9, 8, false), UINT64_MAX);
	rec[9] = 0x34;
	rec[10] = 0x12;
	CHECK_U64(field__load(rec + 9, 2, true), 0x1234);
}

static volatile unsigned far_off = 0xffff;

TEST(field_read_bounds)
{
	struct field f = { .off = 4, .size = 4, .is_signed = true };
	u8 rec[8] = { 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff };
	s64 v = 0;

	CHECK_INT(field__read(&f, rec, 8, &v), 0);
	CHECK_INT(v, -2);
	/* one byte short: the field is not in the record */
	CHECK_INT(field__read(&f, rec, 7, &v), -1);
	/* through a volatile: gcc's sanitizer builds would see the (refused) read as constant */
	f.off = far_off;
	CHECK_INT(field__read(&f, rec, 8, &v), -1);
	f.off = 4;
	f.size = 8;
	CHECK_INT(field__read(&f, rec, 8, &v), -1);
}

TEST(field_data_loc)
{
	u8 rec[32] = { 0 };
	u32 w = (5u << 16) | 20, off, len;

	memcpy(rec + 8, &w, 4);
	memcpy(rec + 20, "hello", 5);
	CHECK(field__dyn(rec, 32, 8, false, &off, &len));
	CHECK_INT(off, 20);
	CHECK_INT(len, 5);
	/* __rel_loc: the offset counts from the end of the word */
	w = (5u << 16) | 8;
	memcpy(rec + 8, &w, 4);
	CHECK(field__dyn(rec, 32, 8, true, &off, &len));
	CHECK_INT(off, 20);
	/* data past the end of the record, a word past the end */
	CHECK(!field__dyn(rec, 24, 8, true, &off, &len));
	CHECK(!field__dyn(rec, 10, 8, false, &off, &len));
}

TEST(field_scalar_formats)
{
	struct tep_format_field tf;
	struct field f;

	memset(&tf, 0, sizeof(tf));
	tf.offset = 16;
	tf.size = 4;
	tf.flags = TEP_FIELD_IS_SIGNED;
	CHECK(field__scalar(&f, &tf));
	CHECK_INT(f.off, 16);
	CHECK_INT(f.size, 4);
	CHECK(f.is_signed);
	tf.size = 3;
	CHECK(!field__scalar(&f, &tf));
	tf.size = 8;
	tf.flags = TEP_FIELD_IS_ARRAY;
	CHECK(!field__scalar(&f, &tf));
	tf.flags = TEP_FIELD_IS_DYNAMIC;
	CHECK(!field__scalar(&f, &tf));
	tf.flags = 0;
	tf.offset = 0x10000;
	CHECK(!field__scalar(&f, &tf));
	CHECK(!field__scalar(&f, NULL));
}
