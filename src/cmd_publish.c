/* fieldstation publish-update and publish-settings: at the office, a new
 * version or a station's new configuration signed onto a stick. */
#include "cmd.h"
#include "newsettings.h"
#include "text.h"
#include "update.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* publish-update and publish-settings: FILE --to DIR --key KEY. */
static int publish(struct options *o, bool update)
{
	char done[1536], why[1536];
	int rc;

	if (o->n_args != 1 || !o->to || !o->key) {
		fprintf(stderr, update ? _("Use: fieldstation publish-update PACKAGE --to DIR --key FILE\n")
				       : _("Use: fieldstation publish-settings INI --to DIR --key FILE\n"));
		return 2;
	}
	rc = update ? update_publish(o->args[0], o->to, o->key, time(NULL), done, sizeof(done), why,
				     sizeof(why))
		    : newsettings_publish(o->args[0], o->to, o->key, time(NULL), done, sizeof(done),
					  why, sizeof(why));
	if (rc < 0) {
		put_line(stderr, why);
		return 1;
	}
	put_line(stdout, done);
	return 0;
}

int cmd_publish_update(struct options *o)
{
	return publish(o, true);
}

int cmd_publish_settings(struct options *o)
{
	return publish(o, false);
}
