/* fieldstation new-key and release-key: a station's new signing key, and
 * the cooperative's release key made at the office. */
#include "cmd.h"
#include "config.h"
#include "signing.h"
#include "store.h"
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The station: a new signing key, when the old one is lost or damaged or
 * the card has moved to another board. The console must not be running. */
int cmd_new_key(struct options *o)
{
	struct config *cfg;
	struct store *st;
	struct station_key key;
	char err[512], answer[64];
	const char *path;
	int rc = 1;

	if (o->n_args > 0) {
		fprintf(stderr, _("Use: fieldstation new-key [--yes]\n"));
		return 2;
	}
	if (load_config(o, &cfg) < 0)
		return 1;
	path = db_path(o, cfg);
	if (access(path, F_OK) != 0) {
		fprintf(stderr, _("There is no database %s: the station makes it, and its key, when it first starts.\n"),
			path);
		goto out_cfg;
	}
	if (store_open(path, STORE_EXCLUSIVE, &st, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		goto out_cfg;
	}
	if (store_is_office(st)) {
		fprintf(stderr, _("%s is an office database: it has no signing key.\n"), path);
		goto out;
	}
	station_key_open(&key, path, st, false, false, time(NULL));
	if (key.ok)
		printf(_("The signing key now: fingerprint %s.\n"), key.fingerprint);
	if (key.problem[0])
		put_line(stdout, key.problem);
	station_key_close(&key);
	if (!o->yes) {
		printf(_("A new key means the office must trust this station again (fieldstation trust --new-key). Type the station's code (%s) to make it:"),
		       cfg->station.code);
		printf(" ");
		fflush(stdout);
		if (!fgets(answer, sizeof(answer), stdin) ||
		    strncmp(answer, cfg->station.code, strlen(cfg->station.code)) != 0 ||
		    (answer[strlen(cfg->station.code)] != '\n' && answer[strlen(cfg->station.code)])) {
			printf("%s\n", _("Nothing was changed."));
			goto out;
		}
	}
	if (station_key_renew(&key, path, st, time(NULL)) < 0) {
		put_line(stderr, key.problem);
		station_key_close(&key);
		goto out;
	}
	store_event(st, time(NULL), "signing_key_made", NULL, key.fingerprint, false);
	printf(_("A new signing key is made: fingerprint %s. The old file, if there was one, is kept beside it. At the office, after comparing the fingerprint: fieldstation trust --into OFFICE.db --new-key FOLDER\n"),
	       key.fingerprint);
	station_key_close(&key);
	rc = 0;
out:
	store_close(st);
out_cfg:
	config_free(cfg);
	return rc;
}

int cmd_release_key(struct options *o)
{
	char why[1024], fp[SIGN_FINGERPRINT_LEN];
	struct signkey k;

	if (o->n_args != 2 || strcmp(o->args[0], "new") != 0) {
		fprintf(stderr, _("Use: fieldstation release-key new FILE\n"));
		return 2;
	}
	if (releasekey_make(o->args[1], time(NULL), &k, why, sizeof(why)) < 0) {
		put_line(stderr, why);
		return 1;
	}
	sign_fingerprint(k.public_key, fp);
	signkey_wipe(&k);
	printf(_("The release key is made: %s (secret: keep it at the office, never on a stick or a station) and %s.pub (for the stations: make deb RELEASE_KEY=%s.pub). Fingerprint %s.\n"),
	       o->args[1], o->args[1], o->args[1], fp);
	return 0;
}
