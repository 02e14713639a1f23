/* fieldstation trust: the office trusts the station that signed an
 * export folder, once its key's fingerprint is compared. */
#include "cmd.h"
#include "manifest.h"
#include "merge.h"
#include "signing.h"
#include "store.h"
#include "text.h"
#include "trust.h"

#include <ctype.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A yes typed on the terminal: "c" or "có" in Vietnamese, "y" or "yes". */
static bool said_yes(const char *answer)
{
	char a[16];
	size_t n = 0;

	while (*answer == ' ' || *answer == '\t')
		answer++;
	for (; *answer && *answer != '\n' && *answer != '\r' && n + 1 < sizeof(a); answer++)
		a[n++] = (char)tolower((unsigned char)*answer);
	while (n && a[n - 1] == ' ')
		n--;
	a[n] = '\0';
	return strcmp(a, "c") == 0 || strcmp(a, "có") == 0 || strcmp(a, "co") == 0 ||
	       strcmp(a, "y") == 0 || strcmp(a, "yes") == 0;
}

static bool ask(const char *question)
{
	char answer[64];

	printf("%s ", question);
	fflush(stdout);
	return fgets(answer, sizeof(answer), stdin) && said_yes(answer);
}

/* Who trusts: --by, else the login name. */
static const char *trusted_by(const struct options *o)
{
	const struct passwd *pw;

	if (o->by && *o->by)
		return o->by;
	pw = getpwuid(geteuid());
	return pw ? pw->pw_name : "?";
}

/* One folder: 0 trusted (now or before), 1 not. The folder's path, the
 * station's name and the reasons are a stick's words: printed cleaned. */
static int trust_folder(struct options *o, struct store *s, const char *folder, int64_t now)
{
	struct manifest m;
	char why[768], fp[SIGN_FINGERPRINT_LEN], where[4096], clean[2304], name[512];
	enum trust_verdict v;
	int rc = 1;

	text_clean(where, sizeof(where), folder);
	if (merge_read_manifest(folder, &m, why, sizeof(why)) < 0) {
		fprintf(stderr, _("%s: refused: %s.\n"), where, text_clean(clean, sizeof(clean), why));
		goto out;
	}
	sign_fingerprint(m.key, fp);
	text_clean(name, sizeof(name), m.name);
	v = trust_judge(s, &m, why, sizeof(why));
	text_clean(clean, sizeof(clean), why);
	if (v == TRUST_OK) {
		printf(_("%s: station %s is trusted already (fingerprint %s): merge takes it.\n"),
		       where, m.code, fp);
		rc = 0;
		goto out;
	}
	if (v == TRUST_FAILED || (v == TRUST_FORGED && !o->new_key)) {
		fprintf(stderr, _("%s: refused: %s.\n"), where, clean);
		if (v == TRUST_FORGED)
			fprintf(stderr, "  %s\n",
				_("If the station really made a new key (fieldstation new-key), and its screen shows this fingerprint, trust it with --new-key."));
		goto out;
	}
	printf(_("Folder: %s\n"), where);
	printf(_("Station: %s (%s)\n"), m.code, name);
	printf(_("Key fingerprint: %s\n"), fp);
	printf("%s.\n", clean);
	if (!o->yes && !isatty(STDIN_FILENO)) {
		fprintf(stderr, _("%s: not trusted: confirm on a terminal, or give --yes.\n"), where);
		goto out;
	}
	if (!o->yes) {
		printf("%s\n", _("Compare the code and the fingerprint with the station's screen (Settings, 1 About this station) or its \"fieldstation status\"."));
		if (!ask(_("Are they the same, and do you trust this station? Type c and Enter to trust it, anything else not to:"))) {
			printf(_("%s: not trusted.\n"), where);
			goto out;
		}
	}
	if (trust_accept(s, &m, now, trusted_by(o), why, sizeof(why)) < 0) {
		fprintf(stderr, _("%s: not trusted: %s\n"), where, text_clean(clean, sizeof(clean), why));
		goto out;
	}
	text_clean(clean, sizeof(clean), o->into);
	printf(_("Station %s is trusted (fingerprint %s). Merge its folders again: fieldstation merge --into %s %s\n"),
	       m.code, fp, clean, where);
	rc = 0;
out:
	manifest_free(&m);
	return rc;
}

/* The office: trusts the stations that signed export folders. */
int cmd_trust(struct options *o)
{
	struct store *s;
	time_t now;
	int rc = 0;

	if (!o->into || o->n_args == 0) {
		fprintf(stderr, _("Use: fieldstation trust --into OFFICE.db [--yes] [--new-key] [--by NAME] FOLDER... (export folders that merge held).\n"));
		return 2;
	}
	if (open_office(o, &s, &now) != 0)
		return 1;
	for (int i = 0; i < o->n_args; i++)
		rc |= trust_folder(o, s, o->args[i], (int64_t)now);
	store_close(s);
	return rc;
}
