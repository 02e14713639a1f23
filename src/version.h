/* Debian package versions ([epoch:]upstream[-revision]), compared as
 * dpkg compares them (dpkg --compare-versions): a new version from a stick
 * is offered only when it is newer than the one running. */
#ifndef FS_VERSION_H
#define FS_VERSION_H

#include <stdbool.h>

/* Longest version taken from outside. */
#define VERSION_MAX 64

/* Is s a version dpkg would take: an epoch of digits, an upstream part
 * starting with a digit, of letters, digits and . + ~ - : (a '-' only
 * with a revision after it), a revision of letters, digits and . + ~? */
bool version_valid(const char *s);
/* <0, 0 or >0 as a is older than, the same as or newer than b (both
 * valid). */
int version_compare(const char *a, const char *b);

#endif
