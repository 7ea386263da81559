/*
 * cache.c - where stap keeps what it builds once and reuses: the runtime
 * object per kernel (build.c) and the DWARF index per build-id
 * (dwarf_index.c); and what --disable-cache and --poison-cache do to
 * it (--clean-cache is build.c's clean_cache).
 */
#include <stdlib.h>
#include "stap.h"

int cache_mode = CACHE_USE;
const char *cache_private_dir;

/* $STAP_CACHE, $XDG_CACHE_HOME/stap, or ~/.cache/stap */
const char *stap_cache_root(void)
{
	if (cache_mode == CACHE_DISABLED && cache_private_dir)
		return cache_private_dir;
	const char *env = getenv("STAP_CACHE");
	if (env && *env)
		return env;
	env = getenv("XDG_CACHE_HOME");
	if (env && *env)
		return arena_printf("%s/stap", env);
	env = getenv("HOME");
	return arena_printf("%s/.cache/stap", env && *env ? env : "/tmp");
}

/* May a cache entry that exists be used? Not with --poison-cache. */
bool cache_readable(void)
{
	return cache_mode != CACHE_POISONED;
}
