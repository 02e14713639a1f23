/* Libraries opened when first needed: see dynlib.h. */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

void *dynlib_open(const char *soname, const struct dynlib_sym *syms, size_t n, char *why,
		  size_t whylen)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		snprintf(why, whylen, "%s", dlerror());
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		*syms[i].slot = dlsym(lib, syms[i].name);
		if (!*syms[i].slot) {
			snprintf(why, whylen, "%s: %s", soname, syms[i].name);
			dlclose(lib);
			return NULL;
		}
	}
	return lib;
}
