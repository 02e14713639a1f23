/* fieldstation office: the office's end of the stations' link, merging
 * what they send until it is stopped (src/office.h). */
#include "cmd.h"
#include "office.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The office's end of the link: runs until stopped. */
int cmd_office(struct options *o)
{
	struct office_opts oo = { .into = o->into, .topic = o->topic ? o->topic : "fieldstation",
				  .ca_file = o->ca, .cert_file = o->cert, .key_file = o->key,
				  .username = o->user, .client_id = "fieldstation-office" };
	char host[256], password[256] = "", why[1024], *colon, *end;
	FILE *f;

	if (!o->into || !o->broker || o->n_args > 0) {
		fprintf(stderr, _("Use: fieldstation office --broker HOST[:PORT] --into OFFICE.db [--ca FILE --cert FILE --key FILE] [--user NAME --password-file FILE] [--topic fieldstation].\n"));
		return 2;
	}
	snprintf(host, sizeof(host), "%s", o->broker);
	colon = strrchr(host, ':');
	if (colon && !strchr(colon + 1, ']') && strchr(host, ':') == colon) {
		long port = strtol(colon + 1, &end, 10);

		if (*end || port < 1 || port > 65535) {
			fprintf(stderr, _("--broker wants HOST or HOST:PORT, not \"%s\".\n"), o->broker);
			return 2;
		}
		*colon = '\0';
		oo.port = (int)port;
	}
	oo.host = host;
	if (!o->cert != !o->key) {
		fprintf(stderr, "%s\n", _("--cert and --key go together: the office's certificate and its key."));
		return 2;
	}
	if (!o->user != !o->password_file) {
		fprintf(stderr, "%s\n", _("--user and --password-file go together."));
		return 2;
	}
	if (o->password_file) {
		f = fopen(o->password_file, "r");
		if (!f || !fgets(password, sizeof(password), f)) {
			fprintf(stderr, _("%s cannot be read (%s).\n"), o->password_file,
				strerror(f ? EINVAL : errno));
			if (f)
				fclose(f);
			return 1;
		}
		fclose(f);
		password[strcspn(password, "\r\n")] = '\0';
		oo.password = password;
	}
	if (office_run(&oo, why, sizeof(why)) != 0) {
		put_line(stderr, why);
		return 1;
	}
	return 0;
}
