/* Folders and files that a stranger may have made (a USB stick's), opened
 * relative to a folder already opened, never through a symbolic link, and
 * only if they are a real folder or a regular file: a link, a FIFO, a
 * device or a socket is refused before it is opened, so that opening it
 * can neither hang nor do anything. Every function returns a descriptor
 * or 0, or -errno: -ELOOP for a symbolic link, -EINVAL for something that
 * is neither a folder nor a regular file, -EXDEV for one on another file
 * system than the folder it is in. */
#ifndef FS_NOFOLLOW_H
#define FS_NOFOLLOW_H

#include <sys/stat.h>

/* The folder name in the folder at (AT_FDCWD: name is a path, whose last
 * part must not be a link), for reading. */
int nofollow_dir(int at, const char *name);
/* The regular file name in the folder at, for reading; *st says what it
 * is. It does not block: a FIFO never gets this far. */
int nofollow_open(int at, const char *name, struct stat *st);
/* Removes name from the folder at only if it is a regular file on the
 * same file system as the folder; 0 if removed, -ENOENT if there is none. */
int nofollow_unlink(int at, const char *name);

#endif
