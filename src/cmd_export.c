/* fieldstation export: what the USB export writes, into a folder, at
 * the station or at the office. */
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "export.h"
#include "text.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void show_percent(void *ctx, int percent)
{
	(void)ctx;
	fprintf(stderr, "\r%3d %%", percent);
}

int cmd_export(struct options *o)
{
	struct export_opts eo = { .sep = ';', .dec = ',', .now = time(NULL), .dest = o->to };
	struct config *cfg = NULL;
	char err[768], path[4608], clean[4608];
	int rc;

	if (!o->to || o->n_args > 0) {
		fprintf(stderr, _("Use: fieldstation export --to FOLDER (a USB stick's folder, for instance).\n"));
		return 2;
	}
	/* At the office there is no station configuration: the database says
	 * what it is, and the CSVs take Excel's Vietnamese defaults. */
	if (o->config_given || access(o->config, F_OK) == 0) {
		if (load_config(o, &cfg) < 0)
			return 1;
		eo.code = cfg->station.code;
		eo.name = cfg->station.name;
		eo.cfg = cfg;
		eo.sep = config_csv_separator(cfg);
		eo.dec = config_csv_decimal(cfg);
		eo.db_path = db_path(o, cfg);
	} else if (o->db) {
		eo.db_path = o->db;
	} else {
		fprintf(stderr, _("There is no configuration %s: give the database with --db FILE.\n"),
			o->config);
		return 2;
	}
	if (o->clock && clock_parse(o->clock, &eo.now) < 0) {
		fprintf(stderr, _("--clock wants a date and time like 2026-06-01T05:30, not \"%s\".\n"),
			o->clock);
		config_free(cfg);
		return 1;
	}
	rc = export_run(&eo, isatty(STDERR_FILENO) ? show_percent : NULL, NULL, path, sizeof(path),
			err, sizeof(err));
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r");
	if (rc < 0)
		put_line(stderr, err);
	else
		printf(_("Written and read back: %s\n"), text_clean(clean, sizeof(clean), path));
	/* Unfinished folders on the stick that were not this station's:
	 * their names are the stick's. */
	if (rc == 0 && err[0])
		put_line(stderr, err);
	config_free(cfg);
	return rc < 0 ? 1 : 0;
}
