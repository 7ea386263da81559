/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpio.h - write an initramfs: a cpio archive in the "newc" format.
 *
 * The kernel unpacks it as root, so owners, modes and device nodes are
 * whatever the archive says: no root is needed to write one.  Every
 * entry is owned by root (uid 0, gid 0) and dated 0.
 *
 * Functions return 0, or -1 with errno set (the first error sticks:
 * cpio_close() reports it too).
 */
#ifndef STAP_VM_CPIO_H
#define STAP_VM_CPIO_H

#include <stddef.h>
#include <sys/types.h>

struct cpio;

struct cpio *cpio_create(const char *path);
int cpio_add_dir(struct cpio *c, const char *name, mode_t perm);
int cpio_add_data(struct cpio *c, const char *name, mode_t perm,
		  const void *data, size_t len);
/* Copies host file "src"; perm 0 keeps its permission bits. */
int cpio_add_file(struct cpio *c, const char *name, mode_t perm,
		  const char *src);
int cpio_add_symlink(struct cpio *c, const char *name, const char *target);
/* type: S_IFCHR or S_IFBLK. */
int cpio_add_node(struct cpio *c, const char *name, mode_t type, mode_t perm,
		  unsigned int major, unsigned int minor);
/* Writes the trailer and closes; 0 if every step succeeded. */
int cpio_close(struct cpio *c);

#endif /* STAP_VM_CPIO_H */
