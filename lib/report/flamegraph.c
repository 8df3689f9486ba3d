// SPDX-License-Identifier: GPL-2.0
/*
 * flamegraph.c - merges stacks into a hashmap keyed by their folded text
 * and writes them as folded lines, or renders them as an interactive SVG:
 * frames are laid out from the sorted folded keys in one pass (a stack's
 * frames share a prefix with its neighbours), and a small embedded script
 * does zoom, hover details and regex search in the browser. The same
 * layout, nested, is d3-flame-graph's JSON tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flamegraph.h"
#include "hashmap.h"
#include "json.h"

#define SVG_WIDTH	1200
#define SVG_PAD		10
#define SVG_FRAME_H	16
#define SVG_TOP		40
#define SVG_BOTTOM	30
#define SVG_MIN_W	0.1	/* px: narrower frames are left out */

/* a stack as the writers see it: its folded text and its count */
struct stack {
	const char *key;	/* "comm;outer;...;inner" */
	size_t len;
	u64 count;
};

/* folded text (an owned string, the key) -> struct stack_val */
struct stack_val {
	u64 count;
	size_t len;
};

struct stack_table {
	struct hashmap *map;	/* NULL until the first stack */
	u64 total;
};

struct flamegraph {
	char *path;
	FILE *f;
	enum flamegraph_format fmt;
	bool stream;		/* @f is the caller's: flushed, never closed */
	char *unit;		/* what a count is; NULL: samples */
	struct stack_table cur;	/* since the last flush */
	struct stack_table all;	/* svg, json: everything flushed so far */
	char *scratch;
	size_t scratch_cap;
	u64 added;
	int write_errno;	/* the first failed write: the file is incomplete */
};

/* --- the stack table ----------------------------------------------------- */

static size_t table__nr(const struct stack_table *t)
{
	return t->map ? hashmap__nr(t->map) : 0;
}

/* Count @key; when it is new, @owned (if given) becomes the stored copy. */
static void table__add(struct stack_table *t, const char *key, size_t len, u64 count, char *owned)
{
	struct stack_val *v;

	t->total += count;
	if (!t->map)
		t->map = hashmap__new_ops(sizeof(*v), 0, &hashmap_str_ops);
	v = hashmap__find(t->map, (u64)(uintptr_t)key);
	if (v) {
		v->count += count;
		free(owned);
		return;
	}
	/* the stored key must outlive the caller's buffer: a copy of our own */
	owned = owned ? owned : xstrndup(key, len);
	v = hashmap__get(t->map, (u64)(uintptr_t)owned);
	if (!v) {
		free(owned);
		return;
	}
	v->count = count;
	v->len = len;
}

/* table__clear - forget every stack; @keys_too: their strings are still ours */
static void table__clear(struct stack_table *t, bool keys_too)
{
	struct stack_val *v;
	size_t iter;

	if (t->map && keys_too)
		hashmap__for_each(t->map, iter, v)
			free((char *)(uintptr_t)hashmap__key(v));
	hashmap__free(t->map);
	memset(t, 0, sizeof(*t));
}

/*
 * Frame-wise order: ';' sorts before every other byte, so all stacks below
 * a given frame path are adjacent ("a;b", "a;b;c" before "a;b-x").
 */
static int key_cmp(const void *a, const void *b)
{
	const u8 *x = (const u8 *)((const struct stack *)a)->key;
	const u8 *y = (const u8 *)((const struct stack *)b)->key;

	for (;; x++, y++) {
		int cx = *x == ';' ? 1 : *x ? *x + 1 : 0;
		int cy = *y == ';' ? 1 : *y ? *y + 1 : 0;

		if (cx != cy || !cx)
			return cx - cy;
	}
}

/* table__sorted - the stacks in frame-wise order, in an array to free() */
static struct stack *table__sorted(const struct stack_table *t)
{
	struct stack *v = xzalloc((table__nr(t) + 1) * sizeof(*v));
	const struct stack_val *sv;
	size_t n = 0, iter;

	if (t->map)
		hashmap__for_each(t->map, iter, sv)
			v[n++] = (struct stack){ (const char *)(uintptr_t)hashmap__key(sv), sv->len,
						 sv->count };
	qsort(v, n, sizeof(*v), key_cmp);
	return v;
}

/* --- adding -------------------------------------------------------------- */

static void scratch__reserve(struct flamegraph *fg, size_t need)
{
	if (need <= fg->scratch_cap)
		return;
	while (fg->scratch_cap < need)
		fg->scratch_cap = fg->scratch_cap ? fg->scratch_cap * 2 : 1024;
	fg->scratch = xrealloc(fg->scratch, fg->scratch_cap);
}

/* Append one frame name, made safe for the folded format. */
static size_t scratch__frame(struct flamegraph *fg, size_t pos, const char *name)
{
	size_t n;

	if (!name || !*name)
		name = "[unknown]";
	n = strlen(name);
	scratch__reserve(fg, pos + n + 2);
	if (pos)
		fg->scratch[pos++] = ';';
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		fg->scratch[pos++] = c == ';' ? ':' : (c == '\n' || c == '\r') ? ' ' : c;
	}
	fg->scratch[pos] = '\0';
	return pos;
}

void flamegraph__add(struct flamegraph *fg, const char *comm, const char *const *frames,
		     int nr, u64 count)
{
	size_t len = scratch__frame(fg, 0, comm);

	for (int i = 0; i < nr; i++)
		len = scratch__frame(fg, len, frames[i]);
	table__add(&fg->cur, fg->scratch, len, count, NULL);
	fg->added++;
}

void flamegraph__add_folded(struct flamegraph *fg, const char *stack, size_t len, u64 count)
{
	/* the text is a key as flamegraph__add() makes them: made safe again all the same */
	scratch__reserve(fg, len + 1);
	for (size_t i = 0; i < len; i++)
		fg->scratch[i] = stack[i] == '\n' || stack[i] == '\r' || !stack[i] ? ' ' : stack[i];
	fg->scratch[len] = '\0';
	table__add(&fg->cur, fg->scratch, len, count, NULL);
	fg->added++;
}

/* --- folded output ------------------------------------------------------- */

/* flamegraph__check - what was written so far reached the file (ENOSPC, EIO) */
static int flamegraph__check(struct flamegraph *fg, struct err *err)
{
	errno = 0;
	if (!fflush(fg->f) && !ferror(fg->f) && !fg->write_errno)
		return 0;
	if (!fg->write_errno)
		fg->write_errno = errno ? errno : EIO;
	err_set(err, EXIT_FAIL, "cannot write flame graph '%s': %s", fg->path,
		strerror(fg->write_errno));
	err_hint(err, "the other reports are complete; make room, or name a file on another "
		      "disk, and run again");
	return -1;
}

static int write_folded(struct flamegraph *fg, const char *label, struct err *err)
{
	struct stack *v = table__sorted(&fg->cur);

	for (size_t i = 0; i < table__nr(&fg->cur); i++) {
		if (label)
			fprintf(fg->f, "%s;", label);
		fprintf(fg->f, "%s %llu\n", v[i].key, (unsigned long long)v[i].count);
	}
	free(v);
	return flamegraph__check(fg, err);
}

/* the stacks of cur join all (under @label); cur's strings move or are freed */
static void move_to_all(struct flamegraph *fg, const char *label)
{
	const struct stack_val *sv;
	size_t iter;

	if (!fg->cur.map)
		return;
	hashmap__for_each(fg->cur.map, iter, sv) {
		char *key = (char *)(uintptr_t)hashmap__key(sv);

		if (label) {
			char *k = xasprintf("%s;%s", label, key);

			table__add(&fg->all, k, strlen(k), sv->count, k);
			free(key);
		} else {
			table__add(&fg->all, key, sv->len, sv->count, key);
		}
	}
}

int flamegraph__flush(struct flamegraph *fg, const char *label, struct err *err)
{
	char *safe = NULL;
	int ret = 0;

	if (label) {
		scratch__frame(fg, 0, label);
		safe = xstrdup(fg->scratch);
	}
	if (fg->fmt != FLAMEGRAPH_FOLDED)
		move_to_all(fg, safe);
	else if (table__nr(&fg->cur))
		ret = write_folded(fg, safe, err);
	table__clear(&fg->cur, fg->fmt == FLAMEGRAPH_FOLDED);
	fg->added = 0;
	free(safe);
	return ret;
}

/* --- SVG ----------------------------------------------------------------- */

struct node {
	const char *name;
	size_t len;
	u64 start;		/* in counts, from the left */
	u64 value;
	int depth;
};

struct tree {
	struct node *v;
	size_t nr, cap;
	int max_depth;
};

static size_t tree__push(struct tree *t, const char *name, size_t len, u64 start, int depth)
{
	if (t->nr == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->nr] = (struct node){ .name = name, .len = len, .start = start, .depth = depth };
	if (depth > t->max_depth)
		t->max_depth = depth;
	return t->nr++;
}

/*
 * Walk the sorted stacks keeping the current frame path: a stack reuses
 * the nodes of the prefix it shares with the previous one and opens new
 * nodes for the rest, so nodes come out parent first, left to right.
 */
static void tree__build(struct tree *t, const struct stack *v, size_t n, u64 total)
{
	size_t *path = NULL, path_cap = 0, depth = 0;
	u64 x = 0;

	tree__push(t, "all", 3, 0, 0);
	t->v[0].value = total;
	for (size_t i = 0; i < n; i++) {
		const char *p = v[i].key;
		size_t k = 0;
		bool same = true;

		while (*p) {
			const char *e = strchr(p, ';');
			size_t len = e ? (size_t)(e - p) : strlen(p);

			if (k + 2 > path_cap) {
				path_cap = path_cap ? path_cap * 2 : 64;
				path = xrealloc(path, path_cap * sizeof(*path));
			}
			if (same && k < depth && t->v[path[k]].len == len &&
			    !memcmp(t->v[path[k]].name, p, len)) {
				/* shared with the previous stack */
			} else {
				same = false;
				path[k] = tree__push(t, p, len, x, (int)k + 1);
			}
			t->v[path[k]].value += v[i].count;
			k++;
			p += len;
			if (*p == ';')
				p++;
		}
		depth = k;
		x += v[i].count;
	}
	free(path);
}

/* XML text: escape markup, replace control bytes and invalid UTF-8 by '?' */
static void xml_put(FILE *f, const char *s, size_t n)
{
	const u8 *p = (const u8 *)s, *end = p + n;

	while (p < end) {
		u8 c = *p;
		size_t seq = utf8_len(p, (size_t)(end - p));
		bool ok = seq && (seq > 1 || c >= 0x20 || c == '\t') && c != 0x7f;

		if (!ok) {
			fputc('?', f);
			p++;
			continue;
		}
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fwrite(p, 1, seq, f); break;
		}
		p += seq;
	}
}

/* Warm colours from the name, so a function keeps its colour everywhere. */
static void frame_color(const char *name, size_t len, int rgb[3])
{
	u64 h = fnv1a_bytes(FNV1A_INIT, name, len);

	rgb[0] = 205 + (int)(h % 51);
	rgb[1] = (int)((h >> 8) % 231);
	rgb[2] = (int)((h >> 16) % 56);
}

static const char svg_style[] =
	"<style type=\"text/css\">\n"
	"text { font-family: Verdana, sans-serif; font-size: 12px; fill: rgb(0,0,0); }\n"
	"#title { font-size: 17px; text-anchor: middle; }\n"
	"#unzoom, .f { cursor: pointer; }\n"
	".f:hover rect { stroke: rgb(0,0,0); stroke-width: 0.5; }\n"
	".parent { opacity: 0.6; }\n"
	".hide { display: none; }\n"
	"</style>\n";

/* The viewer: hover details, click to zoom, regex search; ?s=RE&x=NAME in the URL. */
static const char svg_script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"var svg, frames = [], details, matched, unzoom, box, total = 0;\n"
	"function frameOf(el) {\n"
	"  for (; el && el !== svg; el = el.parentNode) if (el._rect) return el;\n"
	"  return null;\n"
	"}\n"
	"function fit(name, w) {\n"
	"  var n = Math.floor((w - 6) / 7);\n"
	"  if (n < 3) return '';\n"
	"  return name.length <= n ? name : name.substring(0, n - 2) + '..';\n"
	"}\n"
	"function zoom(z) {\n"
	"  var zs = z ? z._s : 0, zv = z ? z._v : total, zd = z ? z._d : 0;\n"
	"  unzoom.setAttribute('class', z ? '' : 'hide');\n"
	"  frames.forEach(function (g) {\n"
	"    var inside = g._d >= zd && g._s >= zs && g._s + g._v <= zs + zv;\n"
	"    var above = g._d < zd && g._s <= zs && g._s + g._v >= zs + zv;\n"
	"    var x = PAD, w = 0;\n"
	"    if (inside) { x = PAD + (g._s - zs) / zv * WA; w = g._v / zv * WA; }\n"
	"    else if (above) w = WA;\n"
	"    if (w < 0.1) { g.style.display = 'none'; return; }\n"
	"    g.style.display = '';\n"
	"    g.setAttribute('class', above ? 'f parent' : 'f');\n"
	"    g._rect.setAttribute('x', x.toFixed(1));\n"
	"    g._rect.setAttribute('width', w.toFixed(1));\n"
	"    g._text.setAttribute('x', (x + 3).toFixed(1));\n"
	"    g._text.textContent = fit(g._name, w);\n"
	"  });\n"
	"}\n"
	"function search(term) {\n"
	"  var re = null, hits = [], sum = 0, end = -1;\n"
	"  if (term) { try { re = new RegExp(term); } catch (e) { re = null; } }\n"
	"  frames.forEach(function (g) {\n"
	"    var hit = re && re.test(g._name);\n"
	"    g._rect.setAttribute('fill', hit ? 'rgb(230,0,230)' : g._fill);\n"
	"    if (hit) hits.push(g);\n"
	"  });\n"
	"  if (!re) { matched.textContent = ' '; return; }\n"
	"  hits.sort(function (a, b) { return a._s - b._s; });\n"
	"  hits.forEach(function (g) {\n"
	"    var e = g._s + g._v;\n"
	"    if (g._s >= end) { sum += g._v; end = e; }\n"
	"    else if (e > end) { sum += e - end; end = e; }\n"
	"  });\n"
	"  matched.textContent = 'Matched: ' + (total ? 100 * sum / total : 0).toFixed(1) + '%';\n"
	"}\n"
	"function init(evt) {\n"
	"  svg = document.documentElement;\n"
	"  details = document.getElementById('details');\n"
	"  matched = document.getElementById('matched');\n"
	"  unzoom = document.getElementById('unzoom');\n"
	"  box = document.getElementById('search');\n"
	"  var list = document.getElementById('frames'), gs = list.children;\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var g = gs[i], t = g.getElementsByTagName('title')[0].textContent;\n"
	"    g._s = +g.getAttribute('data-s'); g._v = +g.getAttribute('data-v');\n"
	"    g._d = +g.getAttribute('data-d'); g._title = t;\n"
	"    g._name = t.replace(/ \\([0-9]+ [^,()]+, [0-9.]+%\\)$/, '');\n"
	"    g._rect = g.getElementsByTagName('rect')[0];\n"
	"    g._text = g.getElementsByTagName('text')[0];\n"
	"    g._fill = g._rect.getAttribute('fill');\n"
	"    frames.push(g);\n"
	"  }\n"
	"  if (frames.length) total = frames[0]._v;\n"
	"  list.addEventListener('mouseover', function (e) {\n"
	"    var g = frameOf(e.target); if (g) details.textContent = g._title; });\n"
	"  list.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
	"  list.addEventListener('click', function (e) {\n"
	"    var g = frameOf(e.target); if (g) zoom(g); });\n"
	"  unzoom.addEventListener('click', function () { zoom(null); });\n"
	"  if (box) box.addEventListener('input', function () { search(box.value); });\n"
	"  var q = new URLSearchParams(window.location.search), s = q.get('s'), x = q.get('x');\n"
	"  if (x) frames.some(function (g) {\n"
	"    if (g._name !== x) return false;\n"
	"    zoom(g);\n"
	"    return true;\n"
	"  });\n"
	"  if (s) { if (box) box.value = s; search(s); }\n"
	"}\n"
	"]]></script>\n";

static void svg__frame(FILE *f, const struct node *nd, u64 total, int height, const char *unit)
{
	double wa = SVG_WIDTH - 2 * SVG_PAD;
	/* shares clamped to the graph: sums of hostile weights may have wrapped around */
	double x = SVG_PAD + (nd->start >= total ? 1.0 : (double)nd->start / (double)total) * wa;
	double w = (nd->value >= total ? 1.0 : (double)nd->value / (double)total) * wa;
	int y = height - SVG_BOTTOM - (nd->depth + 1) * SVG_FRAME_H;
	int chars = w > 6 ? (int)((w - 6) / 7) : 0, rgb[3];
	size_t shown = nd->len;

	frame_color(nd->name, nd->len, rgb);
	if (!nd->depth)
		rgb[0] = 230, rgb[1] = 150, rgb[2] = 60;
	fprintf(f, "<g class=\"f\" data-s=\"%llu\" data-v=\"%llu\" data-d=\"%d\"><title>",
		(unsigned long long)nd->start, (unsigned long long)nd->value, nd->depth);
	xml_put(f, nd->name, nd->len);
	if (unit)
		fprintf(f, " (%llu ", (unsigned long long)nd->value), xml_put(f, unit, strlen(unit));
	else
		fprintf(f, " (%llu sample%s", (unsigned long long)nd->value, nd->value == 1 ? "" : "s");
	fprintf(f, ", %.2f%%)</title>", 100.0 * (double)nd->value / (double)total);
	fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"rgb(%d,%d,%d)\" "
		"rx=\"2\" ry=\"2\"/><text x=\"%.1f\" y=\"%d\">", x, y, w, SVG_FRAME_H - 1,
		rgb[0], rgb[1], rgb[2], x + 3, y + SVG_FRAME_H - 5);
	/* the script refits labels on zoom; this is the unzoomed view */
	if (chars < 3)
		shown = 0;
	else if ((int)nd->len > chars)
		shown = (size_t)chars - 2;
	xml_put(f, nd->name, shown);
	if (shown && shown < nd->len)
		fputs("..", f);
	fputs("</text></g>\n", f);
}

static void svg__write(struct flamegraph *fg)
{
	struct stack *v = table__sorted(&fg->all);
	struct tree t = { 0 };
	u64 total = fg->all.total;
	int height;
	FILE *f = fg->f;

	tree__build(&t, v, table__nr(&fg->all), total);
	height = SVG_TOP + (t.max_depth + 1) * SVG_FRAME_H + SVG_BOTTOM;
	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"onload=\"init(evt)\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		SVG_WIDTH, height, SVG_WIDTH, height);
	fputs(svg_style, f);
	fprintf(f, "<script type=\"text/ecmascript\">var PAD = %d, WA = %d;</script>\n", SVG_PAD,
		SVG_WIDTH - 2 * SVG_PAD);
	fputs(svg_script, f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"rgb(248,248,240)\"/>\n"
		"<text id=\"title\" x=\"%d\" y=\"24\">Flame Graph</text>\n"
		"<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"24\">Reset Zoom</text>\n"
		"<foreignObject x=\"%d\" y=\"8\" width=\"250\" height=\"24\">"
		"<input xmlns=\"http://www.w3.org/1999/xhtml\" id=\"search\" type=\"text\" "
		"placeholder=\"Search (regex)\" "
		"style=\"width:236px;font:12px Verdana,sans-serif\"/>"
		"</foreignObject>\n"
		"<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
		"<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"> </text>\n",
		SVG_WIDTH, height, SVG_WIDTH / 2, SVG_PAD, SVG_WIDTH - SVG_PAD - 250, SVG_PAD,
		height - 10, SVG_WIDTH - SVG_PAD, height - 10);
	fputs("<g id=\"frames\">\n", f);
	for (size_t i = 0; total && i < t.nr; i++) {
		double w = (double)t.v[i].value / (double)total * (SVG_WIDTH - 2 * SVG_PAD);

		if (w >= SVG_MIN_W)
			svg__frame(f, &t.v[i], total, height, fg->unit);
	}
	fputs("</g>\n", f);
	if (!total)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no stacks</text>\n",
			SVG_WIDTH / 2, height / 2);
	fputs("</svg>\n", f);
	free(t.v);
	free(v);
}

/* --- JSON ---------------------------------------------------------------- */

/*
 * d3-flame-graph's tree, {"name","value","children"} nested, root "root":
 * the SVG's nodes come parent first, left to right, with their depth, so
 * a node closes the deeper ones opened before it.
 */
static void json__write(struct flamegraph *fg)
{
	struct stack *v = table__sorted(&fg->all);
	struct tree t = { 0 };
	FILE *f = fg->f;
	int open = 0;

	tree__build(&t, v, table__nr(&fg->all), fg->all.total);
	t.v[0].name = "root";
	t.v[0].len = 4;
	for (size_t i = 0; i < t.nr; i++) {
		int d = t.v[i].depth;

		if (i && d > open) {
			fputs(",\"children\":[", f);
		} else if (i) {
			fputc('}', f);
			for (int k = open; k > d; k--)
				fputs("]}", f);
			fputc(',', f);
		}
		fputs("{\"name\":", f);
		json_escape(f, t.v[i].name, t.v[i].len);
		fprintf(f, ",\"value\":%llu", (unsigned long long)t.v[i].value);
		open = d;
	}
	fputc('}', f);
	for (int k = open; k > 0; k--)
		fputs("]}", f);
	free(t.v);
	free(v);
}

/* --- life cycle ---------------------------------------------------------- */

struct flamegraph *flamegraph__new(const char *path, struct err *err)
{
	struct flamegraph *fg;
	int fd;

	if (!path || !*path) {
		err_set(err, EXIT_USAGE, "empty flame graph file name");
		err_hint(err, "name a FILE.folded or a FILE.svg");
		return NULL;
	}
	/* the name says the format; any other name is refused, not renamed */
	if (!str_ends_with(path, ".svg") && !str_ends_with(path, ".folded")) {
		err_set(err, EXIT_USAGE, "flame graph file '%s' has no known extension", path);
		err_hint(err, "end the name with .folded (folded stacks, one 'frame;...;frame "
			      "COUNT' a line), .svg (an interactive flame graph) or .pb.gz (a "
			      "pprof profile)");
		return NULL;
	}
	fg = xzalloc(sizeof(*fg));
	fg->fmt = str_ends_with(path, ".svg") ? FLAMEGRAPH_SVG : FLAMEGRAPH_FOLDED;
	fg->path = xstrdup(path);
	fd = open(fg->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0)
		fg->f = fdopen(fd, "w");
	if (!fg->f) {
		err_set(err, EXIT_USAGE, "cannot create '%s': %s", fg->path, strerror(errno));
		if (errno == ELOOP)
			err_hint(err, "the path is a symbolic link; name a regular file");
		if (fd >= 0)
			close(fd);
		free(fg->path);
		free(fg);
		return NULL;
	}
	return fg;
}

struct flamegraph *flamegraph__new_stream(FILE *f, enum flamegraph_format fmt)
{
	struct flamegraph *fg = xzalloc(sizeof(*fg));

	fg->f = f;
	fg->fmt = fmt;
	fg->stream = true;
	fg->path = xstrdup("-");
	return fg;
}

const char *flamegraph__path(const struct flamegraph *fg)
{
	return fg->path;
}

void flamegraph__set_unit(struct flamegraph *fg, const char *unit)
{
	free(fg->unit);
	fg->unit = unit ? xstrdup(unit) : NULL;
}

void flamegraph__delete(struct flamegraph *fg)
{
	if (!fg)
		return;
	if (fg->f && !fg->stream)
		fclose(fg->f);
	table__clear(&fg->cur, true);
	table__clear(&fg->all, true);
	free(fg->scratch);
	free(fg->unit);
	free(fg->path);
	free(fg);
}

int flamegraph__close(struct flamegraph *fg, struct err *err)
{
	int ret = flamegraph__flush(fg, NULL, err);

	if (!ret && fg->fmt == FLAMEGRAPH_SVG)
		svg__write(fg);
	else if (!ret && fg->fmt == FLAMEGRAPH_JSON)
		json__write(fg);
	/* also when an earlier snapshot failed: the file is incomplete */
	if (!ret)
		ret = flamegraph__check(fg, err);
	/* a network file system may say only now that the data did not land */
	if (!fg->stream && fclose(fg->f) && !ret)
		ret = err_set(err, EXIT_FAIL, "cannot write flame graph '%s': %s", fg->path,
			      strerror(errno));
	fg->f = NULL;
	flamegraph__delete(fg);
	return ret;
}

void flamegraph__stats(const struct flamegraph *fg, struct flamegraph_stats *st)
{
	st->stacks = fg->added;
	st->distinct = table__nr(&fg->cur);
	st->total = fg->cur.total;
}
