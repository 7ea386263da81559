/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kprobe_ret_stubs.S - where a .return probe's function returns to (x86-64).
 *
 * At entry, kprobe_ret.c replaces the function's return address with the
 * address of stub i, stp_ret_stubs + 1 + 5 * i, and keeps the real one in
 * slot i of its table.  The function's `ret' lands on the stub, whose
 * `call' pushes its own address + 5 into the very word the return address
 * was popped from: stp_ret_common finds the slot from it, has it replaced
 * by the real return address, and its own `ret' goes there.  One stub per
 * slot makes that lookup a subtraction, for 5 bytes each.
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>
#include <asm/nospec-branch.h>
#include "stp_kernel.h"

#if STP_USE_FTRACE

#define STP_RET_SLOTS 256	/* also in kprobe_ret.c */
#define PT_REGS_SIZE 168	/* sizeof(struct pt_regs), checked in kprobe_ret.c */

	.text
SYM_CODE_START(stp_ret_stubs)
	/*
	 * A function in flight returns here: unwinding the stack stops at
	 * the stub (there is no room for the real return address).
	 */
	STP_UNWIND_HINT_STOP
	int3		/* never run: the unwinder looks up (stub - 1) */
	.rept STP_RET_SLOTS
	call stp_ret_common
	.endr
	ud2		/* a dead end for objtool too */
SYM_CODE_END(stp_ret_stubs)

/*
 * The stub block's description, for another stap module that must find
 * a slot of ours from a stub address it meets (stp_ret_any_slot in
 * kprobe_ret.c): the first function after the block, past the padding
 * that some kernels put before every function.  The "v1" names the
 * layout of struct stp_ret_desc and struct stp_ret_slot.
 */
SYM_FUNC_START(stp_ret_v1_desc)
	leaq stp_ret_desc(%rip), %rax
	RET
SYM_FUNC_END(stp_ret_v1_desc)

/*
 * A function called from a stub: [rsp] is the stub's address + 5, in the
 * returning function's return-address word.  stp_ret_hit() puts the real
 * return address there before it runs the probe, so a backtrace taken in
 * the probe walks on to the real caller.
 */
SYM_FUNC_START(stp_ret_common)
	subq $PT_REGS_SIZE, %rsp
	movq %r15, 0(%rsp)
	movq %r14, 8(%rsp)
	movq %r13, 16(%rsp)
	movq %r12, 24(%rsp)
	movq %rbp, 32(%rsp)
	movq %rbx, 40(%rsp)
	movq %r11, 48(%rsp)
	movq %r10, 56(%rsp)
	movq %r9, 64(%rsp)
	movq %r8, 72(%rsp)
	movq %rax, 80(%rsp)
	movq %rcx, 88(%rsp)
	movq %rdx, 96(%rsp)
	movq %rsi, 104(%rsp)
	movq %rdi, 112(%rsp)
	movq %rsp, %rdi
	leaq PT_REGS_SIZE(%rsp), %rsi
	call stp_ret_hit
	/*
	 * The probe may have written registers ($return = ... with -g).
	 * The caller-saved ones other than the return value's are dead
	 * after a return: they are not restored.
	 */
	movq 0(%rsp), %r15
	movq 8(%rsp), %r14
	movq 16(%rsp), %r13
	movq 24(%rsp), %r12
	movq 32(%rsp), %rbp
	movq 40(%rsp), %rbx
	movq 80(%rsp), %rax
	movq 96(%rsp), %rdx
	addq $PT_REGS_SIZE, %rsp
	RET
SYM_FUNC_END(stp_ret_common)
#endif
