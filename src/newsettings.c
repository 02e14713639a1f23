/* New settings on a stick: finding the station's, checking them, and
 * what would change in the farmer's words (src/newsettings.h). */
#include "newsettings.h"

#include "config.h"
#include "nofollow.h"
#include "outfile.h"
#include "text.h"
#include "timezone.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a section is. */
enum kind { K_STATION, K_TARIFF, K_PERIOD, K_ZONE, K_PUMP, K_SENSOR, K_METER, K_PRODUCT,
	    K_WORKER, K_PEST, K_GRADE, K_BUYER, K_OTHER };

static const struct {
	const char *prefix;	/* "zone." or a whole name */
	enum kind kind;
} kinds[] = {
	{ "station", K_STATION }, { "tariff", K_TARIFF }, { "tariff.", K_PERIOD },
	{ "zone.", K_ZONE }, { "pump.", K_PUMP }, { "sensor.", K_SENSOR }, { "meter.", K_METER },
	{ "product.", K_PRODUCT }, { "worker.", K_WORKER }, { "pest.", K_PEST },
	{ "grade.", K_GRADE }, { "buyer.", K_BUYER },
};

/* Keys in the farmer's words; a key not here is said as it is written. */
static const struct {
	const char *key, *words;
} key_words[] = {
	{ "name", N_("name") },
	{ "code", N_("station code") },
	{ "database", N_("where the records are kept") },
	{ "timezone", N_("time zone") },
	{ "language", N_("language") },
	{ "poll_seconds", N_("seconds between sensor readings") },
	{ "max_pumps_running", N_("pumps running at once") },
	{ "backup_hours", N_("hours between backups") },
	{ "price_peak", N_("price at peak hours") },
	{ "price_normal", N_("price at normal hours") },
	{ "price_offpeak", N_("price at off-peak hours") },
	{ "currency", N_("currency") },
	{ "from", N_("from") },
	{ "peak", N_("peak hours") },
	{ "offpeak", N_("off-peak hours") },
	{ "crop", N_("crop") },
	{ "pump", N_("pump") },
	{ "zone", N_("zone") },
	{ "moisture_low", N_("water below (%)") },
	{ "moisture_high", N_("stop above (%)") },
	{ "moisture_critical", N_("critical moisture (%)") },
	{ "water_by_moisture", N_("watering by moisture") },
	{ "organic", N_("organic") },
	{ "power_kw", N_("power (kW)") },
	{ "max_minutes", N_("longest run (minutes)") },
	{ "default_minutes", N_("usual run (minutes)") },
	{ "driver", N_("kind") },
	{ "chip", N_("GPIO chip") },
	{ "line", N_("GPIO line") },
	{ "active_low", N_("active low") },
	{ "port", N_("port") },
	{ "address", N_("address") },
	{ "model", N_("model") },
	{ "min_flow", N_("least flow (l/min)") },
	{ "min_pressure", N_("least pressure (bar)") },
	{ "unit", N_("unit") },
	{ "phi_days", N_("pre-harvest interval (days)") },
};

static const char *words_of_key(const char *key)
{
	for (size_t i = 0; i < sizeof(key_words) / sizeof(key_words[0]); i++)
		if (strcmp(key_words[i].key, key) == 0)
			return _(key_words[i].words);
	return key;
}

/* A configuration as its sections' keys and values. */
struct entry {
	char section[64];
	char key[64];
	char value[CFG_NAME_LEN * 2];
};

struct ini {
	struct entry *e;
	int n, cap;
	struct config *cfg;	/* the same, checked; NULL if it is not */
	char name[CFG_NAME_LEN * 2];	/* a sensor's, as name_of() says it */
};

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
	struct ini *ini = user;
	struct entry *e;

	if (ini->n == ini->cap) {
		int cap = ini->cap ? ini->cap * 2 : 64;
		struct entry *grown = realloc(ini->e, (size_t)cap * sizeof(*grown));

		if (!grown)
			return 0;
		ini->e = grown;
		ini->cap = cap;
	}
	e = &ini->e[ini->n++];
	snprintf(e->section, sizeof(e->section), "%s", section);
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->value, sizeof(e->value), "%s", value);
	return 1;
}

static void read_ini(const char *text, size_t len, struct ini *ini)
{
	char *copy = malloc(len + 1), err[1024];

	memset(ini, 0, sizeof(*ini));
	if (!copy)
		return;
	memcpy(copy, text, len);
	copy[len] = '\0';
	ini_parse_string(copy, on_entry, ini);
	free(copy);
	if (config_load_text("", text, len, &ini->cfg, err, sizeof(err)) < 0)
		ini->cfg = NULL;
}

static const char *value_of(const struct ini *ini, const char *section, const char *key)
{
	for (int i = 0; i < ini->n; i++)
		if (strcmp(ini->e[i].section, section) == 0 && strcmp(ini->e[i].key, key) == 0)
			return ini->e[i].value;
	return NULL;
}

static bool has_section(const struct ini *ini, const char *section)
{
	for (int i = 0; i < ini->n; i++)
		if (strcmp(ini->e[i].section, section) == 0)
			return true;
	return false;
}

static enum kind kind_of(const char *section)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (kinds[i].prefix[n - 1] == '.' ? strncmp(section, kinds[i].prefix, n) == 0
						  : strcmp(section, kinds[i].prefix) == 0)
			return kinds[i].kind;
	}
	return K_OTHER;
}

/* How the farmer knows a section: its name where it has one, a tariff
 * period by its first day, else its ID. */
static const char *name_of(struct ini *a, struct ini *b, const char *section)
{
	const char *dot = strchr(section, '.'), *v;
	int i;

	/* A sensor by its number and place, as the screens say it. */
	if (strncmp(section, "sensor.", 7) == 0) {
		if (b->cfg && (i = config_sensor_index(b->cfg, dot + 1)) >= 0)
			return config_sensor_name(b->cfg, i, b->name, sizeof(b->name));
		if (a->cfg && (i = config_sensor_index(a->cfg, dot + 1)) >= 0)
			return config_sensor_name(a->cfg, i, a->name, sizeof(a->name));
	}
	if (strncmp(section, "tariff.", 7) == 0)
		return (v = value_of(b, section, "from")) || (v = value_of(a, section, "from")) ? v
											     : dot + 1;
	if ((v = value_of(b, section, "name")) || (v = value_of(a, section, "name")))
		return v;
	if (strcmp(section, "station") == 0 &&
	    ((v = value_of(b, section, "code")) || (v = value_of(a, section, "code"))))
		return v;
	return dot ? dot + 1 : section;
}

/* A value as the farmer reads it: a pump or zone by its name. */
static const char *value_words(const struct ini *ini, const char *key, const char *value)
{
	char section[64];
	const char *name;

	if (!value)
		return _("(none)");
	if ((strcmp(key, "pump") == 0 || strcmp(key, "zone") == 0) && *value) {
		snprintf(section, sizeof(section), "%s.%s", key, value);
		if ((name = value_of(ini, section, "name")))
			return name;
	}
	return *value ? value : _("(empty)");
}

static void add_change(struct settings_found *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_change(struct settings_found *f, const char *fmt, ...)
{
	char raw[SETTINGS_CHANGE_LEN * 2];
	va_list ap;

	if (f->n_changes < SETTINGS_MAX_CHANGES) {
		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);
		/* Names and values came from a stick. */
		text_clean(f->changes[f->n_changes], SETTINGS_CHANGE_LEN, raw);
	}
	f->n_changes++;
}

/* Sections in the order they first appear in ini. */
static bool first_of_section(const struct ini *ini, int i)
{
	for (int j = 0; j < i; j++)
		if (strcmp(ini->e[j].section, ini->e[i].section) == 0)
			return false;
	return true;
}

/* A section added, in whole words for each kind. */
static void say_added(struct settings_found *f, enum kind k, const char *section, const char *name)
{
	switch (k) {
	case K_PERIOD: add_change(f, _("New tariff windows from %s"), name); break;
	case K_ZONE: add_change(f, _("New zone: %s"), name); break;
	case K_PUMP: add_change(f, _("New pump: %s"), name); break;
	case K_SENSOR: add_change(f, _("New sensor: %s"), name); break;
	case K_METER: add_change(f, _("New water meter: %s"), name); break;
	case K_PRODUCT: add_change(f, _("New product: %s"), name); break;
	case K_WORKER: add_change(f, _("New worker: %s"), name); break;
	case K_PEST: add_change(f, _("New pest: %s"), name); break;
	case K_GRADE: add_change(f, _("New grade: %s"), name); break;
	case K_BUYER: add_change(f, _("New buyer: %s"), name); break;
	default: add_change(f, _("New section [%s]"), section); break;
	}
}

static void say_removed(struct settings_found *f, enum kind k, const char *section,
			const char *name)
{
	switch (k) {
	case K_PERIOD: add_change(f, _("Tariff windows from %s removed"), name); break;
	case K_ZONE: add_change(f, _("Zone removed: %s"), name); break;
	case K_PUMP: add_change(f, _("Pump removed: %s"), name); break;
	case K_SENSOR: add_change(f, _("Sensor removed: %s"), name); break;
	case K_METER: add_change(f, _("Water meter removed: %s"), name); break;
	case K_PRODUCT: add_change(f, _("Product removed: %s"), name); break;
	case K_WORKER: add_change(f, _("Worker removed: %s"), name); break;
	case K_PEST: add_change(f, _("Pest removed: %s"), name); break;
	case K_GRADE: add_change(f, _("Grade removed: %s"), name); break;
	case K_BUYER: add_change(f, _("Buyer removed: %s"), name); break;
	default: add_change(f, _("Section [%s] removed"), section); break;
	}
}

/* How a change in a section starts: "Zone Mít ruột đỏ". */
static void head_of(enum kind k, const char *section, const char *name, char *buf, size_t n)
{
	switch (k) {
	case K_STATION: snprintf(buf, n, _("Station %s"), name); break;
	case K_TARIFF: snprintf(buf, n, "%s", _("Electricity prices")); break;
	case K_PERIOD: snprintf(buf, n, _("Tariff windows from %s"), name); break;
	case K_ZONE: snprintf(buf, n, _("Zone %s"), name); break;
	case K_METER: snprintf(buf, n, _("Water meter %s"), name); break;
	case K_PRODUCT: snprintf(buf, n, _("Product %s"), name); break;
	case K_WORKER: snprintf(buf, n, _("Worker %s"), name); break;
	case K_PEST: snprintf(buf, n, _("Pest %s"), name); break;
	case K_GRADE: snprintf(buf, n, _("Grade %s"), name); break;
	case K_BUYER: snprintf(buf, n, _("Buyer %s"), name); break;
	/* A pump's name says it is a pump, a probe's name too. */
	case K_PUMP:
	case K_SENSOR: snprintf(buf, n, "%s", name); break;
	default: snprintf(buf, n, "[%s]", section); break;
	}
}

void newsettings_compare(const char *old, size_t old_len, const char *new_, size_t new_len,
			 struct settings_found *f)
{
	struct ini a, b;
	char head[SETTINGS_CHANGE_LEN];

	f->n_changes = 0;
	read_ini(old, old_len, &a);
	read_ini(new_, new_len, &b);
	/* What is new or changed, in the new file's order. */
	for (int i = 0; i < b.n; i++) {
		const char *section = b.e[i].section;
		enum kind k = kind_of(section);

		if (!first_of_section(&b, i))
			continue;
		if (!has_section(&a, section)) {
			say_added(f, k, section, name_of(&a, &b, section));
			continue;
		}
		head_of(k, section, name_of(&a, &b, section), head, sizeof(head));
		for (int j = i; j < b.n; j++) {
			const char *was;

			if (strcmp(b.e[j].section, section) != 0)
				continue;
			was = value_of(&a, section, b.e[j].key);
			if (was && strcmp(was, b.e[j].value) == 0)
				continue;
			add_change(f, "%s: %s %s → %s", head, words_of_key(b.e[j].key),
				   value_words(&a, b.e[j].key, was),
				   value_words(&b, b.e[j].key, b.e[j].value));
		}
		/* Keys no longer given take their defaults. */
		for (int j = 0; j < a.n; j++)
			if (strcmp(a.e[j].section, section) == 0 &&
			    !value_of(&b, section, a.e[j].key))
				add_change(f, _("%s: %s %s → as by default"), head,
					   words_of_key(a.e[j].key),
					   value_words(&a, a.e[j].key, a.e[j].value));
	}
	/* What is gone. */
	for (int i = 0; i < a.n; i++) {
		const char *section = a.e[i].section;

		if (!first_of_section(&a, i) || has_section(&b, section))
			continue;
		say_removed(f, kind_of(section), section, name_of(&a, &a, section));
	}
	free(a.e);
	free(b.e);
	config_free(a.cfg);
	config_free(b.cfg);
}

/* Reads a whole small file of the configuration in use; NULL if it
 * cannot be read. */
static char *read_file(const char *path, size_t max, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)max ||
	    !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)(st.st_size - got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	buf[got] = '\0';
	*len = (size_t)got;
	return buf;
}

/* The settings' file of o in dir, read whole and checked against o. */
static char *read_offered(int dir, const struct offer *o, size_t *len, char *err, size_t errlen)
{
	char *buf = NULL;
	int tmp;

	/* The file is read once, into memory: what is checked and shown is
	 * what is kept. */
	tmp = memfd_create("settings", MFD_CLOEXEC);
	if (tmp < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (offer_check_file(dir, o, SETTINGS_MAX_BYTES, tmp, err, errlen) == 0) {
		buf = malloc((size_t)o->size + 1);
		if (buf && pread(tmp, buf, (size_t)o->size, 0) == o->size) {
			buf[o->size] = '\0';
			*len = (size_t)o->size;
		} else {
			free(buf);
			buf = NULL;
			snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
		}
	}
	close(tmp);
	return buf;
}

void newsettings_free(struct settings_found *f)
{
	free(f->text);
	f->text = NULL;
}

/* The public key the station checks settings against. */
static int settings_key(const struct settings_station *st, uint8_t key[SIGN_PUBLIC_BYTES],
			char *err, size_t errlen)
{
	int rc = releasekey_load_public(st->office_key, key, err, errlen);

	if (rc == SIGNKEY_MISSING)
		rc = releasekey_load_public(st->release_key, key, err, errlen);
	if (rc == SIGNKEY_MISSING)
		snprintf(err, errlen,
			 _("This station has no key of the office's (%s) nor a release key: it takes no settings from a USB stick."),
			 st->office_key);
	return rc == 0 ? 0 : -1;
}

void newsettings_find(const char *root, const struct settings_station *st,
		      struct settings_found *out)
{
	char name[OFFER_NAME_LEN + 32], text[OFFER_MAX_BYTES + 1], why[640], err[1024];
	uint8_t key[SIGN_PUBLIC_BYTES];
	struct config *cfg = NULL;
	char *now = NULL;
	size_t now_len = 0;
	int top, dir;

	memset(out, 0, sizeof(*out));
	top = nofollow_dir(AT_FDCWD, root);
	if (top < 0)
		return;
	dir = nofollow_dir(top, OFFER_SETTINGS_DIR);
	close(top);
	if (dir == -ENOENT)
		return;
	out->what = FOUND_REFUSED;
	if (dir < 0) {
		snprintf(out->why, sizeof(out->why),
			 _("%s on the USB stick is not a folder: no settings are taken from it."),
			 OFFER_SETTINGS_DIR);
		return;
	}
	/* Only this station's: a stick may carry every station's. */
	snprintf(out->name, sizeof(out->name), "%.16s%s", st->code, OFFER_SETTINGS_END);
	if (offer_read(dir, out->name, OFFER_SETTINGS, &out->offer, text, why, sizeof(why)) < 0) {
		if (faccessat(dir, out->name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			out->what = FOUND_NONE;
		else
			snprintf(out->why, sizeof(out->why),
				 _("The settings' description %s on the USB stick cannot be used (%s): nothing is changed."),
				 out->name, why);
		goto out;
	}
	if (settings_key(st, key, why, sizeof(why)) < 0) {
		snprintf(out->why, sizeof(out->why), "%s", why);
		goto out;
	}
	if (!offer_signed_by(&out->offer, text, key)) {
		char fp[SIGN_FINGERPRINT_LEN];

		sign_fingerprint(out->offer.key, fp);
		snprintf(out->why, sizeof(out->why),
			 _("The settings on the USB stick are not signed with the office's key (they name the key %s): nothing is changed."),
			 fp);
		goto out;
	}
	if (strcmp(out->offer.station, st->code) != 0) {
		snprintf(out->why, sizeof(out->why), "%s", _("The settings on the USB stick are for another station: nothing is changed."));
		goto out;
	}
	if (out->offer.made <= st->applied) {
		snprintf(out->why, sizeof(out->why), "%s",
			 out->offer.made == st->applied
				 ? _("The settings on the USB stick are those put in place already.")
				 : _("The settings on the USB stick are older than those put in place last: nothing is changed."));
		if (out->offer.made == st->applied)
			out->what = FOUND_NONE;
		goto out;
	}
	out->text = read_offered(dir, &out->offer, &out->len, why, sizeof(why));
	if (!out->text) {
		snprintf(out->why, sizeof(out->why),
			 _("The settings on the USB stick cannot be used: %s."), why);
		goto out;
	}
	/* As `fieldstation check` checks a configuration. */
	snprintf(name, sizeof(name), "USB %s/%s", OFFER_SETTINGS_DIR, out->offer.file);
	if (config_load_text(name, out->text, out->len, &cfg, err, sizeof(err)) < 0) {
		snprintf(out->why, sizeof(out->why),
			 _("The settings on the USB stick have a mistake: %s. Nothing is changed."), err);
		goto out;
	}
	if (strcmp(cfg->station.code, st->code) != 0) {
		snprintf(out->why, sizeof(out->why),
			 _("The settings on the USB stick are for the station %s; this one is %s: nothing is changed."),
			 cfg->station.code, st->code);
		goto out;
	}
	if (!timezone_known(cfg->station.timezone)) {
		snprintf(out->why, sizeof(out->why),
			 _("The settings on the USB stick have a mistake: the time zone %s is not on this board. Nothing is changed."),
			 cfg->station.timezone);
		goto out;
	}
	now = read_file(st->config, SETTINGS_MAX_BYTES, &now_len);
	newsettings_compare(now ? now : "", now_len, out->text, out->len, out);
	if (out->n_changes == 0) {
		out->what = FOUND_NONE;
		goto out;
	}
	out->what = FOUND_OFFER;
out:
	free(now);
	config_free(cfg);
	if (out->what != FOUND_OFFER)
		newsettings_free(out);
	close(dir);
}

int newsettings_publish(const char *path, const char *dest, const char *key_path, int64_t now,
			char *done, size_t donelen, char *err, size_t errlen)
{
	char said[1024], ini[OFFER_NAME_LEN], desc[OFFER_NAME_LEN], fp[SIGN_FINGERPRINT_LEN];
	struct offer o = { .kind = OFFER_SETTINGS };
	struct config *cfg = NULL;
	struct signkey k;
	struct outfile f;
	uint8_t sha[SHA256_BYTES];
	char *text = NULL, *desc_text = NULL;
	size_t len = 0, desc_len;
	int top = -1, dir = -1, rc;

	if (releasekey_load(key_path, &k, said, sizeof(said)) != 0) {
		snprintf(err, errlen, "%s",
			 said[0] ? said : _("There is no key there: make one with \"fieldstation release-key new FILE\"."));
		return -1;
	}
	text = read_file(path, SETTINGS_MAX_BYTES, &len);
	if (!text) {
		snprintf(err, errlen, _("%s cannot be read, or is larger than a configuration."), path);
		goto fail;
	}
	if (config_load_text(path, text, len, &cfg, said, sizeof(said)) < 0) {
		snprintf(err, errlen, "%s", said);
		goto fail;
	}
	if (!timezone_known(cfg->station.timezone)) {
		snprintf(err, errlen, _("%s: the time zone %s (timezone in [station]) is not in %s"),
			 path, cfg->station.timezone, timezone_dir());
		goto fail;
	}
	snprintf(ini, sizeof(ini), "%s.ini", cfg->station.code);
	snprintf(desc, sizeof(desc), "%s%s", cfg->station.code, OFFER_SETTINGS_END);
	top = nofollow_dir(AT_FDCWD, dest);
	if (top >= 0 && mkdirat(top, OFFER_SETTINGS_DIR, 0755) < 0 && errno != EEXIST)
		top = -errno;
	if (top >= 0)
		dir = nofollow_dir(top, OFFER_SETTINGS_DIR);
	if (top < 0 || dir < 0) {
		snprintf(err, errlen, _("%s/%s cannot be written: %s"), dest, OFFER_SETTINGS_DIR,
			 strerror(-(top < 0 ? top : dir)));
		goto fail;
	}
	o.size = (int64_t)len;
	o.made = now;
	snprintf(o.file, sizeof(o.file), "%s", ini);
	snprintf(o.station, sizeof(o.station), "%s", cfg->station.code);
	{
		struct sha256 h;

		sha256_init(&h);
		sha256_update(&h, text, len);
		sha256_final(&h, o.sha);
	}
	desc_text = offer_format(&o, &k, &desc_len);
	rc = desc_text ? 0 : -ENOMEM;
	/* The file, then its description, each whole. */
	for (int i = 0; i < 2 && rc == 0; i++) {
		const char *name = i == 0 ? ini : desc;

		rc = nofollow_unlink(dir, name);
		rc = rc == -ENOENT ? 0 : rc;
		if (rc == 0)
			rc = outfile_open(&f, dir, name);
		if (rc == 0) {
			rc = outfile_write(&f, i == 0 ? text : desc_text, i == 0 ? len : desc_len);
			if (rc == 0)
				rc = outfile_commit(&f, sha);
			else
				outfile_abort(&f);
		}
	}
	if (rc == 0)
		rc = outfile_sync_fs(dir);
	if (rc < 0) {
		snprintf(err, errlen, _("The settings cannot be written into %s/%s: %s"), dest,
			 OFFER_SETTINGS_DIR, strerror(-rc));
		nofollow_unlink(dir, desc);
		goto fail;
	}
	sign_fingerprint(k.public_key, fp);
	snprintf(done, donelen,
		 _("The settings of station %s are in %s/%s (%s and %s), signed with the key %s."),
		 cfg->station.code, dest, OFFER_SETTINGS_DIR, ini, desc, fp);
	rc = 0;
	goto out;
fail:
	rc = -1;
out:
	free(text);
	free(desc_text);
	config_free(cfg);
	if (dir >= 0)
		close(dir);
	if (top >= 0)
		close(top);
	signkey_wipe(&k);
	return rc;
}
