/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STP_HAVE_UNWIND_HINT_END_OF_STACK: objtool's mark for code where a
 * stack walk stops (6.4 and later; UNWIND_HINT_EMPTY before), which
 * kprobe_ret_stubs.S puts on its stubs.
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>

	.text
SYM_CODE_START(stp_feature)
	UNWIND_HINT_END_OF_STACK
	ud2
SYM_CODE_END(stp_feature)
