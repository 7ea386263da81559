/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stp_kernel.h - which of the kernel's mechanisms the runtime uses, by
 * the features the translator's tests found in it (stp_features.h, made
 * from runtime/features/ with the runtime's first build for a kernel).
 * Nothing here names a kernel version: a mechanism is used where it
 * compiles.  Only #defines, so that assembler files can include it too.
 */
#ifndef STP_KERNEL_H
#define STP_KERNEL_H

#include "stp_features.h"

/*
 * kprobe.c runs probes on functions' ftrace sites from an ftrace_ops of
 * its own, and kprobe_ret.c hooks their returns with the stubs of
 * kprobe_ret_stubs.S, which need objtool's mark for where a stack walk
 * stops; without them, those are kprobes and kretprobes.
 */
#if defined(STP_HAVE_UNWIND_HINT_END_OF_STACK)
#define STP_UNWIND_HINT_STOP UNWIND_HINT_END_OF_STACK
#elif defined(STP_HAVE_UNWIND_HINT_EMPTY)
#define STP_UNWIND_HINT_STOP UNWIND_HINT_EMPTY
#endif

#if defined(STP_HAVE_FTRACE_OPS_REGS) && defined(STP_UNWIND_HINT_STOP)
#define STP_USE_FTRACE 1
#else
#define STP_USE_FTRACE 0
#endif

#endif /* STP_KERNEL_H */
