/*
 * builtins.c - the functions the translator itself implements.
 *
 * Only the print family lives here: its format strings are checked and
 * compiled at translation time.  Everything else a script calls, exit()
 * included, is a library function in tapsets/.
 */
#include <string.h>
#include "stap.h"

static const Builtin builtins[] = {
	{ "print", 0, -1, TY_UNKNOWN, TY_UNKNOWN },
	{ "println", 0, -1, TY_UNKNOWN, TY_UNKNOWN },
	{ "printf", 1, -1, TY_UNKNOWN, TY_UNKNOWN },
	{ "printd", 1, -1, TY_UNKNOWN, TY_UNKNOWN },
	{ "printdln", 1, -1, TY_UNKNOWN, TY_UNKNOWN },
	{ "sprint", 0, -1, TY_STRING, TY_UNKNOWN },
	{ "sprintln", 0, -1, TY_STRING, TY_UNKNOWN },
	{ "sprintf", 1, -1, TY_STRING, TY_UNKNOWN },
	{ "sprintd", 1, -1, TY_STRING, TY_UNKNOWN },
	{ "sprintdln", 1, -1, TY_STRING, TY_UNKNOWN },
};

const Builtin *find_builtin(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}
