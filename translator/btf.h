/*
 * btf.h - the kernel's BTF (BPF Type Format) through libbpf: the types
 * and function prototypes the kernel describes in its own image, for
 * when its 280 MB debuginfo is not installed.
 *
 * btf.c finds it (the running kernel's /sys/kernel/btf/vmlinux, or the
 * .BTF section of the release's vmlinuz, extracted once and cached) and
 * turns its types into the DWARF layer's DwType, so that the code that
 * reads target variables does not care where a type came from.
 */
#ifndef BTF_H
#define BTF_H

#include <bpf/btf.h>
#include "dwarf.h"

/*
 * The vmlinux BTF of a kernel release, parsed once: NULL (and *why set to
 * a sentence for the user) when there is none.
 */
struct btf *btf_kernel(const char *release, const char **why);
/*
 * The BTF of a kernel module, by name (installed for release) or .ko path
 * (compressed or not), split on the kernel's: its own types' ids follow
 * the kernel's.  NULL with *why when it has none.
 */
struct btf *btf_module(const char *release, const char *name_or_path, const char **why);
/* The BTF type id as a DwType (members loaded on first use); void for 0. */
DwType *btf_dw_type(struct btf *b, uint32_t id);
/* A type by C name for @cast ("struct task_struct", "task_struct", "int"); NULL if none. */
DwType *btf_find_type(struct btf *b, const char *name);

#endif /* BTF_H */
