/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STP_HAVE_UNWIND_HINT_EMPTY: objtool's mark for code where a stack
 * walk stops, as kernels before 6.4 spell it (UNWIND_HINT_END_OF_STACK
 * since), which kprobe_ret_stubs.S puts on its stubs.
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>

	.text
SYM_CODE_START(stp_feature)
	UNWIND_HINT_EMPTY
	ud2
SYM_CODE_END(stp_feature)
