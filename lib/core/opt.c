// SPDX-License-Identifier: GPL-2.0
/*
 * opt.c - the option parser: long options (--name, --name=ARG, --name ARG,
 * --no-name for booleans), bundled short flags (-vv, -C0, -C 0), several
 * tables at once (common + profiler), strict value checking.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"

static void *opt_dst(const struct opt_set *set, const struct opt *o)
{
	return (char *)set->base + o->offset;
}

static bool opt_takes_arg(const struct opt *o)
{
	return o->type != OPT_BOOL && o->type != OPT_COUNT;
}

static const char *opt_name(const struct opt *o, char *buf, size_t len)
{
	if (o->long_name)
		snprintf(buf, len, "--%s", o->long_name);
	else
		snprintf(buf, len, "-%c", o->short_name);
	return buf;
}

static int opt_store(const struct opt_set *set, const struct opt *o, const char *arg, bool neg,
		     struct err *err)
{
	void *dst = opt_dst(set, o);
	char name[64];
	u64 v;

	opt_name(o, name, sizeof(name));
	switch (o->type) {
	case OPT_BOOL:
		*(bool *)dst = !neg;
		return 0;
	case OPT_COUNT:
		(*(int *)dst)++;
		return 0;
	case OPT_INT: {
		const char *p = arg;

		if (*p == '-')
			p++;
		if (parse_u64(p, &v) || v > 0x7fffffff || !isdigit((unsigned char)*p)) {
			err_set(err, EXIT_USAGE, "invalid value '%s' for %s: not an integer", arg, name);
			return -1;
		}
		*(int *)dst = arg[0] == '-' ? -(int)v : (int)v;
		return 0;
	}
	case OPT_U64:
		if (parse_u64(arg, &v)) {
			err_set(err, EXIT_USAGE, "invalid value '%s' for %s: not a non-negative integer",
				arg, name);
			return -1;
		}
		*(u64 *)dst = v;
		return 0;
	case OPT_DURATION:
		if (parse_duration(arg, &v)) {
			err_set(err, EXIT_USAGE, "invalid duration '%s' for %s", arg, name);
			err_hint(err, "use a number with a unit: ns, us, ms or s (e.g. 500us, 1.5ms)");
			return -1;
		}
		*(u64 *)dst = v;
		return 0;
	case OPT_STRING:
		*(const char **)dst = arg;
		return 0;
	case OPT_STRLIST: {
		struct strlist *l = dst;

		l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
		l->v[l->n++] = arg;
		return 0;
	}
	case OPT_CALLBACK:
		return o->cb(o, arg, dst, err);
	case OPT_END:
		break;
	}
	return -1;
}

static const struct opt *opt_find_long(struct opt_set *sets, int nr, const char *name, size_t len,
				       const struct opt_set **set, bool *neg)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int s = 0; s < nr; s++) {
			for (const struct opt *o = sets[s].opts; o && o->type != OPT_END; o++) {
				const char *n = name;
				size_t l = len;

				if (!o->long_name)
					continue;
				if (pass == 1) {
					/* --no-NAME for booleans */
					if (o->type != OPT_BOOL || l < 4 || strncmp(n, "no-", 3))
						continue;
					n += 3;
					l -= 3;
				}
				if (strlen(o->long_name) == l && !strncmp(o->long_name, n, l)) {
					*set = &sets[s];
					*neg = pass == 1;
					return o;
				}
			}
		}
	}
	return NULL;
}

static const struct opt *opt_find_short(struct opt_set *sets, int nr, int c,
					const struct opt_set **set)
{
	for (int s = 0; s < nr; s++)
		for (const struct opt *o = sets[s].opts; o && o->type != OPT_END; o++)
			if (o->short_name == c) {
				*set = &sets[s];
				return o;
			}
	return NULL;
}

/* opt_unknown_long - the error for --@word, with the closest option as a hint */
static int opt_unknown_long(const struct opt_set *sets, int nr, const char *word, size_t len,
			    struct err *err)
{
	char **names = NULL, *w = xstrndup(word, len);
	const char *best;
	int n = 0;

	for (int s = 0; s < nr; s++) {
		for (const struct opt *o = sets[s].opts; o && o->type != OPT_END; o++) {
			if (!o->long_name)
				continue;
			names = xrealloc(names, (size_t)(n + 2) * sizeof(*names));
			names[n++] = xstrdup(o->long_name);
			/* --no-NAME is an option too */
			if (o->type == OPT_BOOL)
				names[n++] = xasprintf("no-%s", o->long_name);
		}
	}
	err_set(err, EXIT_USAGE, "unknown option '--%s'", w);
	best = str_suggest(w, (const char *const *)names, n);
	if (best)
		err_hint(err, "did you mean '--%s'?", best);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(w);
	return -1;
}

static int opt_long(int argc, char **argv, int *i, struct opt_set *sets, int nr, struct err *err)
{
	const char *word = argv[*i] + 2, *eq = strchr(word, '=');
	size_t len = eq ? (size_t)(eq - word) : strlen(word);
	const struct opt_set *set;
	const struct opt *o;
	const char *arg = NULL;
	bool neg;

	o = opt_find_long(sets, nr, word, len, &set, &neg);
	if (!o)
		return opt_unknown_long(sets, nr, word, len, err);
	if (!opt_takes_arg(o)) {
		if (eq) {
			err_set(err, EXIT_USAGE, "option '--%.*s' takes no value", (int)len, word);
			return -1;
		}
	} else if (eq) {
		arg = eq + 1;
	} else if (o->optional_arg) {
		arg = NULL;
	} else if (*i + 1 < argc) {
		arg = argv[++*i];
	} else {
		err_set(err, EXIT_USAGE, "option '--%s' requires a value", o->long_name);
		return -1;
	}
	return opt_store(set, o, arg, neg, err);
}

static int opt_short(int argc, char **argv, int *i, struct opt_set *sets, int nr, struct err *err)
{
	const char *p = argv[*i] + 1;

	for (; *p; p++) {
		const struct opt_set *set;
		const struct opt *o = opt_find_short(sets, nr, *p, &set);

		if (!o) {
			err_set(err, EXIT_USAGE, "unknown option '-%c'", *p);
			return -1;
		}
		if (!opt_takes_arg(o)) {
			if (opt_store(set, o, NULL, false, err))
				return -1;
			continue;
		}
		if (p[1])
			return opt_store(set, o, p + 1, false, err);
		if (*i + 1 >= argc) {
			err_set(err, EXIT_USAGE, "option '-%c' requires a value", *p);
			return -1;
		}
		return opt_store(set, o, argv[++*i], false, err);
	}
	return 0;
}

int opt_parse(int argc, char **argv, struct opt_set *sets, int nr_sets, int *rest,
	      const char *stop_word, bool *saw_stop_word, struct err *err)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "--")) {
			i++;
			break;
		}
		if (stop_word && !strcmp(w, stop_word)) {
			*saw_stop_word = true;
			continue;
		}
		if (w[0] != '-' || !w[1])
			break;
		if (w[1] == '-') {
			if (opt_long(argc, argv, &i, sets, nr_sets, err))
				return -1;
		} else if (opt_short(argc, argv, &i, sets, nr_sets, err)) {
			return -1;
		}
	}
	*rest = i;
	return 0;
}

void opt_usage(FILE *out, const struct opt_set *sets, int nr_sets)
{
	for (int s = 0; s < nr_sets; s++) {
		if (!sets[s].opts || sets[s].opts[0].type == OPT_END)
			continue;
		fprintf(out, "\n%s\n", sets[s].title);
		for (const struct opt *o = sets[s].opts; o->type != OPT_END; o++) {
			char left[64];
			int n = 0;

			if (o->short_name)
				n += snprintf(left + n, sizeof(left) - (size_t)n, "-%c", o->short_name);
			if (o->long_name)
				n += snprintf(left + n, sizeof(left) - (size_t)n, "%s--%s",
					      o->short_name ? ", " : "    ", o->long_name);
			if (o->argh && n < (int)sizeof(left))
				snprintf(left + n, sizeof(left) - (size_t)n, o->optional_arg ? "[=%s]" : " %s",
					 o->argh);
			fprintf(out, "    %-26s %s\n", left, o->help);
		}
	}
}

static const char *opt_kind(const struct opt *o)
{
	if (o->type == OPT_BOOL)
		return "bool";
	if (o->type == OPT_COUNT)
		return "count";
	return o->optional_arg ? "optional" : "value";
}

void opt_list(FILE *out, const struct opt_set *sets, int nr_sets)
{
	for (int s = 0; s < nr_sets; s++) {
		for (const struct opt *o = sets[s].opts; o && o->type != OPT_END; o++) {
			char sname[3] = "-";

			if (o->short_name)
				snprintf(sname, sizeof(sname), "-%c", o->short_name);
			fprintf(out, "%s\t%s\t%s\t%s%s\t%s\t%s\n", sets[s].title, opt_kind(o), sname,
				o->long_name ? "--" : "-", o->long_name ? o->long_name : "",
				o->argh ? o->argh : "-", o->help ? o->help : "-");
		}
	}
}

void opt_free(struct opt_set *sets, int nr_sets)
{
	for (int s = 0; s < nr_sets; s++) {
		for (const struct opt *o = sets[s].opts; o && o->type != OPT_END; o++) {
			struct strlist *l;

			if (o->type != OPT_STRLIST || !sets[s].base)
				continue;
			l = opt_dst(&sets[s], o);
			free(l->v);
			l->v = NULL;
			l->n = 0;
		}
	}
}
