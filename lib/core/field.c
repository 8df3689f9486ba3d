// SPDX-License-Identifier: GPL-2.0
/*
 * field.c - which tracepoint fields are plain integers (see include/field.h).
 */
#include <traceevent/event-parse.h>

#include "field.h"

bool field__scalar(struct field *f, const struct tep_format_field *tf)
{
	if (!tf || (tf->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_STRING)))
		return false;
	/* sizes and offsets come from the kernel: accept only what a record can hold */
	if (tf->offset < 0 || tf->offset > 0xffff)
		return false;
	if (tf->size != 1 && tf->size != 2 && tf->size != 4 && tf->size != 8)
		return false;
	f->off = (u32)tf->offset;
	f->size = (u32)tf->size;
	f->is_signed = tf->flags & TEP_FIELD_IS_SIGNED;
	return true;
}
