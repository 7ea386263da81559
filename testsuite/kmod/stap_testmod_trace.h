/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stap_testmod_trace.h - the test module's own tracepoint, for
 * kernel.trace("stap_testmod:stm_event"): an int, a string and a struct
 * pointer.  stap_testmod.c includes it with CREATE_TRACE_POINTS.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM stap_testmod

#if !defined(STAP_TESTMOD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define STAP_TESTMOD_TRACE_H

#include <linux/tracepoint.h>

struct stm_record;

TRACE_EVENT(stm_event,
	TP_PROTO(int code, const char *label, struct stm_record *rec),
	TP_ARGS(code, label, rec),
	TP_STRUCT__entry(
		__field(int, code)
		__string(label, label)
		__field(void *, rec)
	),
	TP_fast_assign(
		__entry->code = code;
		/* not __assign_str: it lost its second argument in 6.10 */
		strcpy(__get_str(label), label);
		__entry->rec = rec;
	),
	TP_printk("code=%d label=%s rec=%p", __entry->code, __get_str(label), __entry->rec)
);

#endif /* STAP_TESTMOD_TRACE_H */

/* the kernel's trace headers find this file in the module's directory */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE stap_testmod_trace
#include <trace/define_trace.h>
