/* The office end of the link: `fieldstation office` subscribes to every
 * station's batches at the cooperative's broker and merges each into the
 * office database through the merge a stick's folder goes through
 * (merge_copy()), so that a batch delivered twice, late, or also carried
 * on a stick adds nothing twice. A batch is taken only when signed by the
 * key the office trusts for its station (src/trust.c); then the newest
 * seq held without a gap is confirmed to the station, retained. */
#ifndef FS_OFFICE_H
#define FS_OFFICE_H

#include <stddef.h>

struct office_opts {
	const char *into;		/* the office database */
	const char *host;
	int port;			/* 0: 8883 with TLS, else 1883 */
	const char *topic;		/* the stations' topics are TOPIC/CODE */
	const char *ca_file, *cert_file, *key_file;
	const char *username, *password;
	const char *client_id;
};

/* Runs until SIGINT or SIGTERM. 0, or -1 with err when it cannot begin. */
int office_run(const struct office_opts *o, char *err, size_t errlen);

#endif
