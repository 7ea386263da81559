/*
 * diag.c - every message about the user's script goes through here.
 *
 * Format, as gcc and clang print it, with SystemTap's words in it:
 *
 *   script.stp:3:17: error: parse error: expected ')', found '}'
 *       printf("%d\n", x }
 *                        ^
 *
 * --color paints "error:", "warning:", the source line and the caret
 * with SystemTap's colors, or those of $SYSTEMTAP_COLORS.
 */
#include <stdlib.h>
#include <string.h>
#include "stap.h"

int error_count;
int warning_count;
bool warnings_are_errors;
bool warnings_off;
int max_errors = 20;
bool diag_color;

/* $SYSTEMTAP_COLORS ("error=01;31:warning=00;33") is valid: keys, '=', SGR digits */
static bool valid_colors(const char *env)
{
	if (!*env)
		return false;
	for (const char *p = env; *p;) {
		size_t key = strspn(p, "abcdefghijklmnopqrstuvwxyz");
		size_t val = p[key] == '=' ? strspn(p + key + 1, "0123456789;") : 0;
		if (!key || p[key] != '=' || (p[key + 1 + val] && p[key + 1 + val] != ':'))
			return false;
		p += key + 1 + val;
		p += *p == ':';
	}
	return true;
}

/* The SGR parameters for error, warning, source or caret; NULL: none */
static const char *color_of(const char *key)
{
	static const char *const defaults[][2] = {
		{ "error", "01;31" }, { "warning", "00;33" }, { "source", "00;34" },
		{ "caret", "01" },
	};
	const char *env = getenv("SYSTEMTAP_COLORS");
	if (!env) {
		for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
			if (!strcmp(defaults[i][0], key))
				return defaults[i][1];
		return NULL;
	}
	if (!valid_colors(env))
		return NULL;	/* as in SystemTap: empty or invalid turns colors off */
	size_t n = strlen(key);
	for (const char *p = env; *p; p += strcspn(p, ":"), p += *p == ':')
		if (!strncmp(p, key, n) && p[n] == '=')
			return arena_strndup(p + n + 1, strcspn(p + n + 1, ":"));
	return NULL;
}

static bool painting;	/* color_on set a color that color_off must reset */

static void color_on(const char *key)
{
	const char *sgr = diag_color ? color_of(key) : NULL;
	if (sgr)
		fprintf(stderr, "\033[%sm", sgr);
	painting = sgr != NULL;
}

static void color_off(void)
{
	if (painting)
		fputs("\033[m", stderr);
	painting = false;
}

static void print_source_line(Loc loc)
{
	if (!loc.file || !loc.file->text || loc.line <= 0)
		return;
	const char *p = loc.file->text, *stop = p + loc.file->len;
	for (int line = 1; line < loc.line && p < stop; p++)
		if (*p == '\n')
			line++;
	const char *end = memchr(p, '\n', stop - p);
	int len = end ? (int)(end - p) : (int)(stop - p);
	fputs("    ", stderr);
	color_on("source");
	/* a NUL byte in the line would end it early */
	for (int i = 0; i < len; i++)
		fputc(p[i] ? p[i] : '?', stderr);
	color_off();
	fputs("\n    ", stderr);
	/* keep tabs so that the caret lines up with the text above */
	for (int i = 0; i < loc.col - 1 && i < len; i++)
		fputc(p[i] == '\t' ? '\t' : ' ', stderr);
	color_on("caret");
	fputc('^', stderr);
	color_off();
	fputc('\n', stderr);
}

static void print_loc(Loc loc)
{
	if (loc.file)
		fprintf(stderr, "%s:%d:%d: ", loc.file->name, loc.line, loc.col);
	else
		fputs("stap: ", stderr);
}

/* Counts a printed error: the limit is on what the user has to read. */
static void count_error(void)
{
	static int printed;
	error_count++;
	if (++printed >= max_errors) {
		fprintf(stderr, "stap: too many errors, stopping\n");
		exit(1);
	}
}

/*
 * Was this very error reported already?  A probe body is resolved once per
 * address its point matches (target variables differ), so an error in the
 * body would otherwise be printed once for each.
 */
static bool seen_before(Loc loc, const char *kind, const char *text)
{
	static Vec seen;
	const char *key = arena_printf("%s:%d:%d:%s:%s", loc.file ? loc.file->name : "",
				       loc.line, loc.col, kind ? kind : "", text);
	for (int i = 0; i < seen.len; i++)
		if (strcmp(seen.items[i], key) == 0)
			return true;
	vec_push(&seen, (void *)key);
	return false;
}

void error_at(Loc loc, const char *kind, const char *fmt, ...)
{
	va_list ap;
	char text[2048];
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (seen_before(loc, kind, text)) {
		error_count++;	/* still an error for the pass that checks */
		return;
	}
	print_loc(loc);
	color_on("error");
	fputs("error: ", stderr);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	color_off();
	fputs(text, stderr);
	fputc('\n', stderr);
	print_source_line(loc);
	count_error();
}

void error_plain(const char *kind, const char *fmt, ...)
{
	va_list ap;
	fputs("stap: ", stderr);
	color_on("error");
	fputs("error: ", stderr);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	color_off();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	count_error();
}

static bool warning_begin(void)
{
	if (warnings_off)
		return false;
	warning_count++;
	return true;
}

static void warning_end(void)
{
	if (warnings_are_errors)
		count_error();
}

void warn_at(Loc loc, const char *fmt, ...)
{
	va_list ap;
	if (!warning_begin())
		return;
	print_loc(loc);
	color_on(warnings_are_errors ? "error" : "warning");
	fputs(warnings_are_errors ? "error: " : "warning: ", stderr);
	color_off();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_source_line(loc);
	warning_end();
}

void warn_plain(const char *fmt, ...)
{
	va_list ap;
	if (!warning_begin())
		return;
	fputs("stap: ", stderr);
	color_on(warnings_are_errors ? "error" : "warning");
	fputs(warnings_are_errors ? "error: " : "warning: ", stderr);
	color_off();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	warning_end();
}

void note_at(Loc loc, const char *fmt, ...)
{
	va_list ap;
	print_loc(loc);
	fputs("note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_source_line(loc);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	fputs("stap: ", stderr);
	color_on("error");
	fputs("error: ", stderr);
	color_off();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * The edit distance of a and b, or limit + 1 if it is more than limit: a
 * row whose every entry is over the limit ends the count, so comparing a
 * name with the kernel's 50000 functions costs little.
 */
static int edit_distance(const char *a, const char *b, int limit)
{
	int la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64 || abs(la - lb) > limit)
		return limit + 1;
	int row[65];
	for (int j = 0; j <= lb; j++)
		row[j] = j;
	for (int i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = i;
		int row_min = i;
		for (int j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
			if (best < row_min)
				row_min = best;
		}
		if (row_min > limit)
			return limit + 1;
	}
	return row[lb] <= limit ? row[lb] : limit + 1;
}

/* Close enough to be a typo: a third of the name, at least one edit. */
static int max_distance(const char *name)
{
	int n = strlen(name) / 3;
	return n < 1 ? 1 : n;
}

const char *closest_name(const char *name, const char **cands, int n)
{
	const char *best = NULL;
	int best_d = max_distance(name) + 1;
	for (int i = 0; i < n; i++) {
		int d = edit_distance(name, cands[i], best_d - 1);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best;
}

/* Up to max of the candidates close to name, closest first, each once. */
const char *similar_names(const char *name, const char **cands, int n, int max)
{
	int limit = max_distance(name);
	int *dist = arena_alloc((n ? n : 1) * sizeof(*dist));
	for (int i = 0; i < n; i++)
		dist[i] = edit_distance(name, cands[i], limit);
	Buf b = {0};
	int found = 0;
	for (int d = 0; d <= limit && found < max; d++) {
		for (int i = 0; i < n && found < max; i++) {
			if (dist[i] != d)
				continue;
			bool dup = false;
			for (int j = 0; j < i; j++)
				if (strcmp(cands[j], cands[i]) == 0)
					dup = true;
			if (dup)
				continue;
			if (found++)
				buf_puts(&b, ", ");
			buf_puts(&b, cands[i]);
		}
	}
	return found ? b.s : NULL;
}
