/* fieldstation trace: a lot's traceability sheet (CSV). */
#include "cmd.h"
#include "config.h"
#include "records.h"
#include "store.h"
#include "text.h"

#include <stdio.h>

/* A lot's traceability sheet, to standard output or to FILE. */
int cmd_trace(struct options *o)
{
	struct config *cfg;
	struct store *st;
	struct trace t;
	char err[512];
	int rc;

	if (o->n_args < 1 || o->n_args > 2) {
		fprintf(stderr, _("Usage: fieldstation trace LOT [FILE]\n"));
		return 2;
	}
	if (load_config(o, &cfg) < 0)
		return 1;
	if (store_open(db_path(o, cfg), STORE_RDONLY, &st, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		config_free(cfg);
		return 1;
	}
	if (o->n_args == 2) {
		rc = records_trace_write_path(st, cfg, o->args[0], o->args[1], err, sizeof(err));
		if (rc != 0)
			put_line(stderr, err);
	} else {
		rc = records_trace(st, cfg, o->args[0], &t);
		if (rc == 1) {
			rc = records_trace_write(&t, cfg, stdout) < 0 || fflush(stdout) != 0;
			records_trace_free(&t);
		} else if (rc == 0) {
			rc = 1;
			fprintf(stderr, _("There is no lot %s."), o->args[0]);
			fputc('\n', stderr);
		} else {
			fprintf(stderr, _("The records could not be read: %s"), store_error(st));
			fputc('\n', stderr);
		}
	}
	store_close(st);
	config_free(cfg);
	return rc == 0 ? 0 : 1;
}
