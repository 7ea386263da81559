/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privilege.h - who may run staprun for what: SystemTap's privilege model
 * (privilege.c).
 */
#ifndef STAP_PRIVILEGE_H
#define STAP_PRIVILEGE_H

#include <sys/types.h>

enum stap_privilege {
	PRIV_STAPUSR,	/* only modules root installed in STAP_MODULE_DIR */
	PRIV_STAPDEV,	/* any module (as good as root: a module is kernel code) */
	PRIV_ROOT,
};

/* /lib/modules/RELEASE/systemtap, for the running kernel's release */
const char *stap_module_dir(void);

/*
 * The real user's privilege: root, or membership of the group stapdev
 * or stapusr in /etc/group.  NULL, or SystemTap's message for a user in
 * neither group.
 */
const char *find_privilege(enum stap_privilege *priv);

/*
 * Opens path for reading without following a symbolic link in any of
 * its components, and checks that every directory on the way belongs to
 * root and that no one else may write it (unless it is sticky, as /tmp)
 * when dirs_root_only; -1 with *why set otherwise.
 */
int open_no_follow(const char *path, int dirs_root_only, const char **why);

/*
 * Does path name a file directly in dir ("DIR/NAME.ko", with no "." or
 * ".." and no doubled slash)?
 */
int path_is_in(const char *path, const char *dir);

/* Drops every privilege for good: the real uid and gid become all three. */
int drop_privileges(void);

#endif
