// SPDX-License-Identifier: GPL-2.0
/*
 * test-flamegraph.c - folded output (merging, order, sanitizing, snapshots,
 * file creation rules), the SVG (well-formed XML checked by python3's
 * xml.etree, every frame present with the right count and depth), and a
 * caller's stream: folded lines and d3-flame-graph's JSON tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "flamegraph.h"
#include "harness.h"

static char fg_dir[] = "/tmp/perf-prof-fg.XXXXXX";
static bool fg_dir_made;

/* The returned buffer is reused by the next call: copy what must last. */
static const char *tmp_path(const char *name)
{
	static char buf[256];

	if (!fg_dir_made && !mkdtemp(fg_dir))
		return NULL;
	fg_dir_made = true;
	snprintf(buf, sizeof(buf), "%s/%s", fg_dir, name);
	return buf;
}

static char *slurp(const char *path)
{
	return read_file(path, NULL);
}

static void add(struct flamegraph *fg, const char *comm, const char *csv, u64 n)
{
	const char *frames[32];
	char buf[512], *save = NULL, *tok;
	int nr = 0;

	snprintf(buf, sizeof(buf), "%s", csv);
	for (tok = strtok_r(buf, ",", &save); tok && nr < 32; tok = strtok_r(NULL, ",", &save))
		frames[nr++] = tok;
	flamegraph__add(fg, comm, frames, nr, n);
}

TEST(folded_merges_and_sorts)
{
	struct err err = { 0 };
	const char *path = tmp_path("a.folded");
	struct flamegraph_stats st;
	struct flamegraph *fg;
	char *text;
	u64 sum = 0;

	fg = flamegraph__new(path, &err);
	CHECK(fg != NULL);
	if (!fg)
		return;
	CHECK_STR(flamegraph__path(fg), path);
	add(fg, "app", "main,work,leaf", 1);
	add(fg, "app", "main,idle", 1);
	add(fg, "app", "main,work,leaf", 1);
	add(fg, "app", "main,work", 1);
	add(fg, "app", "main,work-x", 1);
	add(fg, "bash", "main", 1);
	add(fg, "app", "main,work,leaf", 3);
	flamegraph__stats(fg, &st);
	CHECK_U64(st.stacks, 7);
	CHECK_U64(st.distinct, 5);
	CHECK_U64(st.total, 9);
	CHECK_INT(flamegraph__close(fg, &err), 0);
	text = slurp(path);
	/* frame-wise order: "main;work" and its children before "main;work-x" */
	CHECK_STR(text, "app;main;idle 1\n"
			"app;main;work 1\n"
			"app;main;work;leaf 5\n"
			"app;main;work-x 1\n"
			"bash;main 1\n");
	for (char *p = text; p && (p = strchr(p, ' ')); p++)
		sum += strtoull(p + 1, NULL, 10);
	CHECK_U64(sum, 9);
	free(text);
}

TEST(folded_suffix_and_sanitize)
{
	struct err err = { 0 };
	const char *frames[] = { "a;b", "line\nbreak", NULL, "" };
	struct flamegraph *fg;
	char *text, want[320];
	struct stat st;

	/* a name without .folded or .svg is refused up front, and nothing is created */
	fg = flamegraph__new(tmp_path("plain"), &err);
	CHECK(fg == NULL);
	CHECK_INT(err.code, EXIT_USAGE);
	snprintf(want, sizeof(want), "flame graph file '%s' has no known extension",
		 tmp_path("plain"));
	CHECK_STR(err.msg, want);
	CHECK_CONTAINS(err.hint, ".folded");
	CHECK_CONTAINS(err.hint, ".svg");
	CHECK(stat(tmp_path("plain"), &st) != 0 && stat(tmp_path("plain.folded"), &st) != 0);
	fg = flamegraph__new(tmp_path("plain.svg.txt"), &err);
	CHECK(fg == NULL);
	CHECK_INT(err.code, EXIT_USAGE);

	fg = flamegraph__new(tmp_path("plain.folded"), &err);
	CHECK(fg != NULL);
	if (!fg)
		return;
	CHECK_STR(flamegraph__path(fg), tmp_path("plain.folded"));
	flamegraph__add(fg, NULL, frames, 4, 2);
	flamegraph__add(fg, "x", NULL, 0, 1);
	CHECK_INT(flamegraph__close(fg, &err), 0);
	text = slurp(tmp_path("plain.folded"));
	CHECK_STR(text, "[unknown];a:b;line break;[unknown];[unknown] 2\nx 1\n");
	free(text);
}

TEST(folded_snapshots)
{
	struct err err = { 0 };
	struct flamegraph *fg = flamegraph__new(tmp_path("snap.folded"), &err);
	struct flamegraph_stats st;
	char *text;

	CHECK(fg != NULL);
	if (!fg)
		return;
	add(fg, "c", "f,g", 2);
	CHECK_INT(flamegraph__flush(fg, "10:00:01", &err), 0);
	flamegraph__stats(fg, &st);
	CHECK_U64(st.total, 0);
	add(fg, "c", "f", 1);
	add(fg, "c", "f,g", 4);
	CHECK_INT(flamegraph__flush(fg, "10:00;02", &err), 0);
	add(fg, "c", "h", 1);
	CHECK_INT(flamegraph__close(fg, &err), 0);
	text = slurp(tmp_path("snap.folded"));
	CHECK_STR(text, "10:00:01;c;f;g 2\n"
			"10:00:02;c;f 1\n"
			"10:00:02;c;f;g 4\n"
			"c;h 1\n");
	free(text);
}

TEST(create_rules)
{
	struct err err = { 0 };
	char target[256], link[256];
	struct stat st;
	struct flamegraph *fg;
	char *text;
	int fd;

	snprintf(target, sizeof(target), "%s", tmp_path("target"));
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "keep\n", 5) == 5);
	close(fd);
	snprintf(link, sizeof(link), "%s", tmp_path("link.folded"));
	unlink(link);
	CHECK_INT(symlink(target, link), 0);
	fg = flamegraph__new(link, &err);
	CHECK(fg == NULL);
	CHECK_INT(err.code, EXIT_USAGE);
	CHECK_CONTAINS(err.msg, "cannot create");
	CHECK_CONTAINS(err.hint, "symbolic link");
	text = slurp(target);
	CHECK_STR(text, "keep\n");
	free(text);
	flamegraph__delete(fg);

	umask(022);
	fg = flamegraph__new(tmp_path("mode.folded"), &err);
	CHECK(fg != NULL);
	flamegraph__close(fg, &err);
	CHECK_INT(stat(tmp_path("mode.folded"), &st), 0);
	CHECK_INT(st.st_mode & 0777, 0644);

	fg = flamegraph__new(tmp_path("nodir/x.svg"), &err);
	CHECK(fg == NULL);
	CHECK_CONTAINS(err.msg, "No such file or directory");
}

/* a write that fails (ENOSPC: the /dev/full device under a .folded/.svg name) is an error */
TEST(write_errors)
{
	static const char *const names[] = { "full.folded", "full.svg" };
	struct err err = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct flamegraph *fg;
		char path[256];

		snprintf(path, sizeof(path), "%s", tmp_path(names[i]));
		unlink(path);
		if (mknod(path, S_IFCHR | 0644, makedev(1, 7)))
			SKIP("cannot create a /dev/full device node (needs root)");
		fg = flamegraph__new(path, &err);
		CHECK(fg != NULL);
		if (!fg)
			continue;
		add(fg, "app", "main,work", 3);
		/* folded: written at the flush; SVG: at the close */
		CHECK_INT(flamegraph__flush(fg, NULL, &err), i == 0 ? -1 : 0);
		CHECK_INT(flamegraph__close(fg, &err), -1);
		CHECK_INT(err.code, EXIT_FAIL);
		CHECK_CONTAINS(err.msg, "No space left on device");
		CHECK_CONTAINS(err.msg, path);
		unlink(path);
	}
}

/*
 * Parse the SVG with python3's XML parser and print, per frame group,
 * "depth name count" in document order, plus the root's percentage text.
 */
static const char svg_dump_py[] =
	"import sys, re, xml.etree.ElementTree as ET\n"
	"ns = '{http://www.w3.org/2000/svg}'\n"
	"root = ET.parse(sys.argv[1]).getroot()\n"
	"out = open(sys.argv[2], 'w')\n"
	"for g in root.iter(ns + 'g'):\n"
	"    if g.get('class') != 'f': continue\n"
	"    t = g.find(ns + 'title').text\n"
	"    m = re.match(r'^(.*) \\((\\d+) samples?, ([0-9.]+)%\\)$', t)\n"
	"    assert int(m.group(2)) == int(g.get('data-v'))\n"
	"    assert g.find(ns + 'rect') is not None\n"
	"    out.write('%s %s %s\\n' % (g.get('data-d'), m.group(1), m.group(2)))\n"
	"assert root.find(ns + 'script') is not None\n"
	"assert root.find(ns + 'foreignObject') is not None\n";

static int run_python_dump(const char *svg, const char *out)
{
	const char *py = tmp_path("dump.py");
	char cmd[1024];
	FILE *f = fopen(py, "w");

	if (!f)
		return -1;
	fputs(svg_dump_py, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 %s %s %s", py, svg, out);
	return system(cmd);
}

TEST(svg_wellformed_and_complete)
{
	struct err err = { 0 };
	char svg[256], dump[256];
	struct flamegraph *fg;
	char *text;

	if (system("python3 -c 'import xml.etree' 2>/dev/null"))
		SKIP("python3 not available");
	snprintf(svg, sizeof(svg), "%s", tmp_path("t.svg"));
	snprintf(dump, sizeof(dump), "%s", tmp_path("t.dump"));
	fg = flamegraph__new(svg, &err);
	CHECK(fg != NULL);
	if (!fg)
		return;
	add(fg, "app", "main,f<int>", 3);
	add(fg, "app", "main,g&\"h'", 2);
	add(fg, "b\x01z", "main,f<int>", 1);
	add(fg, "app", "main,\xc3\xa9t\xe9", 1);
	CHECK_INT(flamegraph__close(fg, &err), 0);
	CHECK_INT(run_python_dump(svg, dump), 0);
	text = slurp(dump);
	/* document order: parents first, stacks in frame-wise sorted order */
	CHECK_STR(text, "0 all 7\n"
			"1 app 6\n"
			"2 main 6\n"
			"3 f<int> 3\n"
			"3 g&\"h' 2\n"
			"3 \xc3\xa9t? 1\n"
			"1 b?z 1\n"
			"2 main 1\n"
			"3 f<int> 1\n");
	free(text);
	text = slurp(svg);
	CHECK_CONTAINS(text, "<title>all (7 samples, 100.00%)</title>");
	CHECK_CONTAINS(text, "<title>f&lt;int&gt; (3 samples, 42.86%)</title>");
	CHECK_CONTAINS(text, "onload=\"init(evt)\"");
	free(text);
}

TEST(svg_snapshots_and_empty)
{
	struct err err = { 0 };
	char svg[256], dump[256];
	struct flamegraph *fg;
	char *text;

	if (system("python3 -c 'import xml.etree' 2>/dev/null"))
		SKIP("python3 not available");
	snprintf(svg, sizeof(svg), "%s", tmp_path("s.svg"));
	snprintf(dump, sizeof(dump), "%s", tmp_path("s.dump"));
	fg = flamegraph__new(svg, &err);
	CHECK(fg != NULL);
	if (!fg)
		return;
	add(fg, "a", "x", 1);
	CHECK_INT(flamegraph__flush(fg, "t1", &err), 0);
	add(fg, "a", "x", 2);
	CHECK_INT(flamegraph__flush(fg, "t2", &err), 0);
	CHECK_INT(flamegraph__close(fg, &err), 0);
	CHECK_INT(run_python_dump(svg, dump), 0);
	text = slurp(dump);
	CHECK_STR(text, "0 all 3\n1 t1 1\n2 a 1\n3 x 1\n1 t2 2\n2 a 2\n3 x 2\n");
	free(text);

	fg = flamegraph__new(svg, &err);
	CHECK(fg != NULL);
	if (!fg)
		return;
	CHECK_INT(flamegraph__close(fg, &err), 0);
	CHECK_INT(run_python_dump(svg, dump), 0);
	text = slurp(dump);
	CHECK_STR(text, "");
	free(text);
	text = slurp(svg);
	CHECK_CONTAINS(text, "no stacks");
	free(text);
}

/* into a caller's stream: folded lines as they are flushed, the stream left open */
TEST(stream_folded_and_add_folded)
{
	struct err err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct flamegraph *fg = flamegraph__new_stream(f, FLAMEGRAPH_FOLDED);

	CHECK_STR(flamegraph__path(fg), "-");
	add(fg, "c", "f,g", 2);
	flamegraph__add_folded(fg, "c;f;g", 5, 3);
	/* a line break cannot reach the output; only @len bytes count */
	flamegraph__add_folded(fg, "c;h\nx;zz", 5, 1);
	CHECK_INT(flamegraph__close(fg, &err), 0);
	fputs("after", f);
	CHECK_INT(fclose(f), 0);
	CHECK_STR(buf, "c;f;g 5\nc;h x 1\nafter");
	free(buf);
}

/*
 * d3-flame-graph's tree: nested as the SVG's frames are, values the sums,
 * names escaped (invalid UTF-8 as U+FFFD); python3's json reads it back
 */
TEST(stream_json_tree)
{
	struct err err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct flamegraph *fg = flamegraph__new_stream(f, FLAMEGRAPH_JSON);

	add(fg, "app", "main,f", 3);
	add(fg, "app", "main,g\"", 2);
	add(fg, "app", "main,f,deep", 1);
	add(fg, "b", "m\xe9", 1);
	CHECK_INT(flamegraph__close(fg, &err), 0);
	CHECK_INT(fclose(f), 0);
	CHECK_STR(buf, "{\"name\":\"root\",\"value\":7,\"children\":["
		       "{\"name\":\"app\",\"value\":6,\"children\":["
		       "{\"name\":\"main\",\"value\":6,\"children\":["
		       "{\"name\":\"f\",\"value\":4,\"children\":["
		       "{\"name\":\"deep\",\"value\":1}]},"
		       "{\"name\":\"g\\\"\",\"value\":2}]}]},"
		       "{\"name\":\"b\",\"value\":1,\"children\":["
		       "{\"name\":\"m\\ufffd\",\"value\":1}]}]}");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	fg = flamegraph__new_stream(f, FLAMEGRAPH_JSON);
	CHECK_INT(flamegraph__close(fg, &err), 0);
	CHECK_INT(fclose(f), 0);
	CHECK_STR(buf, "{\"name\":\"root\",\"value\":0}");
	free(buf);
}

TEST(add_cost)
{
	struct err err = { 0 };
	const char *frames[] = { "_start", "__libc_start_main", "main", "run", "work",
				 "compute", "inner_loop", "leaf" };
	struct flamegraph *fg = flamegraph__new(tmp_path("cost.folded"), &err);
	struct flamegraph_stats st;
	const int n = 200000;
	u64 t0, t1;

	CHECK(fg != NULL);
	if (!fg)
		return;
	t0 = now_ns();
	for (int i = 0; i < n; i++)
		flamegraph__add(fg, "bench", frames, 8 - (i & 3), 1);
	t1 = now_ns();
	flamegraph__stats(fg, &st);
	CHECK_U64(st.total, (u64)n);
	CHECK_U64(st.distinct, 4);
	printf("# flamegraph__add, 8 frames, merged: %.0f ns\n", (double)(t1 - t0) / n);
	flamegraph__delete(fg);
}

TEST(zz_cleanup)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", fg_dir);
	CHECK_INT(system(cmd), 0);
}
