/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * embedded.h - what embedded C written for SystemTap (a -g script's
 * %{ %}, or a tapset of its own) may use beyond stp.h: the version
 * macros, the macros that read and write kernel memory without oopsing
 * (kread, kderef, kwrite), and the STAPCONF_* kernel feature tests
 * (stapconf.h, made with the runtime for each kernel: translator/build.c).
 * The module's C includes it when such code is in the script, after
 * defining STAP_COMPAT_VERSION (--compatible).
 *
 * kread() and its kin are for embedded functions, where CONTEXT is the
 * probe's context: a fault sets the script's error ("kernel read fault at
 * 0x...") and jumps to the label deref_fault, which the function puts
 * where it gives up with CATCH_DEREF_FAULT().
 */
#ifndef STP_EMBEDDED_H
#define STP_EMBEDDED_H

#include <linux/uaccess.h>
#include "stapconf.h"

/* #if STAP_COMPAT_VERSION >= STAP_VERSION(1, 8) */
#define STAP_VERSION(major, minor) (((major) << 8) + (minor))

#define DEREF_FAULT(addr) ({							\
	stp_errorf(CONTEXT, NULL, "kernel read fault at 0x%016llx",		\
		   (unsigned long long)(unsigned long)(addr));			\
	goto deref_fault;							\
})

#define STORE_DEREF_FAULT(addr) ({						\
	stp_errorf(CONTEXT, NULL, "kernel write fault at 0x%016llx",		\
		   (unsigned long long)(unsigned long)(addr));			\
	goto deref_fault;							\
})

#define CATCH_DEREF_FAULT()							\
	if (0) {								\
deref_fault: __attribute__((unused));						\
	}

/* *ptr, read as its type; the union lets a const member be read into */
#define kread(ptr) ({								\
	union { typeof(*(ptr)) v; char bytes[sizeof(*(ptr))]; } _stp_k;	\
	if (copy_from_kernel_nofault(_stp_k.bytes, (ptr), sizeof(*(ptr))))	\
		DEREF_FAULT(ptr);						\
	_stp_k.v;								\
})

/* size bytes (1, 2, 4 or 8) at the kernel address addr, zero-extended */
#define kderef(size, addr) ({							\
	unsigned long _stp_a = (unsigned long)(addr);				\
	u64 _stp_r = 0;								\
	switch (size) {								\
	case 1: _stp_r = kread((u8 *)_stp_a); break;				\
	case 2: _stp_r = kread((u16 *)_stp_a); break;				\
	case 4: _stp_r = kread((u32 *)_stp_a); break;				\
	case 8: _stp_r = kread((u64 *)_stp_a); break;				\
	default: DEREF_FAULT(_stp_a);						\
	}									\
	_stp_r;									\
})

/*
 * size bytes at the kernel address src into dst; dst NULL: only whether
 * they can be read (in pieces, bounded by size)
 */
static inline bool stp_embedded_copy(void *dst, const void *src, size_t size)
{
	char piece[64];
	size_t done, n;

	if (dst)
		return !copy_from_kernel_nofault(dst, src, size);
	for (done = 0; done < size; done += n) {
		n = min(size - done, sizeof(piece));
		if (copy_from_kernel_nofault(piece, (const char *)src + done, n))
			return false;
	}
	return true;
}

#define kderef_buffer(dst, addr, size) ({					\
	if (!stp_embedded_copy((dst), (const void *)(addr), (size)))		\
		DEREF_FAULT(addr);						\
})

/* *ptr = value, without oopsing (writing the kernel: -g) */
#define kwrite(ptr, value) ({							\
	typeof(*(ptr)) _stp_w = (value);					\
	if (copy_to_kernel_nofault((ptr), &_stp_w, sizeof(_stp_w)))		\
		STORE_DEREF_FAULT(ptr);						\
})

#endif /* STP_EMBEDDED_H */
