/* A library opened when it is first needed rather than at start-up: the
 * MQTT client (a station with a link), the workbook writer (a copy to a
 * stick). Linked into the program, each would stay resident in every
 * station from its start, with OpenSSL behind it. */
#ifndef FS_DYNLIB_H
#define FS_DYNLIB_H

#include <stddef.h>

struct dynlib_sym {
	const char *name;
	void **slot;
};

/* Opens the library soname (RTLD_NOW, RTLD_LOCAL) and fills each slot
 * with its symbol: the handle, or NULL with why (the loader's words, or
 * the missing symbol's name) and no slot to be trusted. */
void *dynlib_open(const char *soname, const struct dynlib_sym *syms, size_t n, char *why,
		  size_t whylen);

#endif
