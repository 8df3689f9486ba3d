// SPDX-License-Identifier: GPL-2.0
/*
 * viewer.c - finds an embedded viewer file by its URL path and names its
 * media type. The files themselves are generated into the build tree, so
 * the daemon serves the viewer with nothing installed at run time.
 */
#include <string.h>

#include "viewer.h"

const struct viewer_asset *viewer__find(const char *path)
{
	if (!strcmp(path, "/"))
		path = "index.html";
	for (const struct viewer_asset *a = viewer_assets; a->path; a++)
		if (!strcmp(a->path, path))
			return a;
	return NULL;
}

const char *viewer__type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "text/html; charset=utf-8";	/* "/" is the page */
}
