/* SPDX-License-Identifier: GPL-2.0 */
/*
 * viewer.h - the web viewer's static files, embedded in the binary at build
 * time (scripts/embed.sh writes build/.../gen/viewer-assets.c from
 * daemon/viewer/ and Debian's Chart.js), and the lookup the HTTP side uses.
 */
#ifndef PP_DAEMON_VIEWER_H
#define PP_DAEMON_VIEWER_H

#include <stddef.h>

struct viewer_asset {
	const char *path;		/* its name under /viewer/ */
	const unsigned char *data;
	size_t len;
};

/* the generated table, ended by an entry whose path is NULL */
extern const struct viewer_asset viewer_assets[];

const struct viewer_asset *viewer__find(const char *path);
const char *viewer__type(const char *path);

#endif
