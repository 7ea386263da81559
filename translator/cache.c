/*
 * cache.c - where stap keeps what it builds once and reuses: the runtime
 * object per kernel (build.c) and the DWARF index per build-id
 * (dwarf_index.c).
 */
#include <stdlib.h>
#include "stap.h"

/* $STAP_CACHE, $XDG_CACHE_HOME/stap, or ~/.cache/stap */
const char *stap_cache_root(void)
{
	const char *env = getenv("STAP_CACHE");
	if (env && *env)
		return env;
	env = getenv("XDG_CACHE_HOME");
	if (env && *env)
		return arena_printf("%s/stap", env);
	env = getenv("HOME");
	return arena_printf("%s/.cache/stap", env && *env ? env : "/tmp");
}
