/*
 * bindcheck.c - proves which object a caller's xc_domain_save binds to.
 * Linked against Debian's real libxenguest.so (-lxenguest), it takes the
 * address of xc_domain_save (so the dynamic linker binds the versioned
 * reference xc_domain_save@VERS_4.17.0, as in libxl-save-helper) and prints
 * the object that defines it, and the object dlsym finds.  It never calls
 * into Xen.  Output (stdout): "bound=PATH" and "dlsym=PATH".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>

#include <xenctrl.h>
#include <xenguest.h>

static const char *
bindcheck_owner(void *addr)
{
	Dl_info info;

	if (addr == NULL || dladdr(addr, &info) == 0 || info.dli_fname == NULL)
		return "?";
	return info.dli_fname;
}

int
main(void)
{
	int (*volatile bound)(xc_interface *, int, uint32_t, uint32_t,
	    struct save_callbacks *, xc_stream_type_t, int) = xc_domain_save;

	printf("bound=%s\n", bindcheck_owner((void *)bound));
	printf("dlsym=%s\n", bindcheck_owner(dlsym(RTLD_DEFAULT, "xc_domain_save")));
	return 0;
}
