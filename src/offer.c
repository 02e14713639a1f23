/* Writing, signing and strictly reading the description of what the
 * office offers on a stick (src/offer.h). */
#include "offer.h"

#include "nofollow.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OFFER_FORMAT 1
#define UPDATE_HEADER "# fieldstation update: a new version of the station, signed by the cooperative"
#define SETTINGS_HEADER "# fieldstation settings: a station's configuration, signed by the cooperative's office"

static const char *context_of(enum offer_kind kind)
{
	return kind == OFFER_UPDATE ? SIGN_CONTEXT_UPDATE : SIGN_CONTEXT_SETTINGS;
}

bool offer_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= OFFER_NAME_LEN || name[0] == '.')
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("._-+~", *name))
			return false;
	return true;
}

/* A station's code, as the configuration allows it. */
static bool code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 8)
		return false;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A Debian package or architecture name: lower-case letters, digits,
 * and + - . */
static bool debian_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n < 2 || n >= max || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr("+-.", *s))
			return false;
	return true;
}

char *offer_format(struct offer *o, const struct signkey *k, size_t *len)
{
	char sha[SHA256_HEX], key[2 * SIGN_PUBLIC_BYTES + 1], sig[2 * SIGN_BYTES + 1];
	size_t cap = OFFER_MAX_BYTES, n;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	memcpy(o->key, k->public_key, SIGN_PUBLIC_BYTES);
	sha256_hex(o->sha, sha);
	sign_to_hex(o->key, SIGN_PUBLIC_BYTES, key);
	n = (size_t)snprintf(out, cap, "%s\nformat: %d\nfile: %s\nsize: %" PRId64 "\nsha256: %s\n",
			     o->kind == OFFER_UPDATE ? UPDATE_HEADER : SETTINGS_HEADER,
			     OFFER_FORMAT, o->file, o->size, sha);
	if (o->kind == OFFER_UPDATE)
		n += (size_t)snprintf(out + n, cap - n, "package: %s\nversion: %s\narchitecture: %s\n",
				      o->package, o->version, o->architecture);
	else
		n += (size_t)snprintf(out + n, cap - n, "station: %s\n", o->station);
	n += (size_t)snprintf(out + n, cap - n, "made: %" PRId64 "\nkey: %s\n", o->made, key);
	o->signed_len = n;
	sign_data(k, context_of(o->kind), out, n, o->signature);
	sign_to_hex(o->signature, SIGN_BYTES, sig);
	n += (size_t)snprintf(out + n, cap - n, "signature: %s\n", sig);
	*len = n;
	return out;
}

struct parse {
	char *why;
	size_t whylen;
	int line;
};

static int refuse(struct parse *p, const char *what)
{
	snprintf(p->why, p->whylen, _("line %d: %s"), p->line, what);
	return -1;
}

static int number(const char *v, int64_t *out)
{
	char *end;
	long long x;

	if (!isdigit((unsigned char)v[0]) || strlen(v) > 18)
		return -1;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end || x < 0)
		return -1;
	*out = x;
	return 0;
}

enum field { F_FORMAT, F_FILE, F_SIZE, F_SHA, F_PACKAGE, F_VERSION, F_ARCH, F_STATION, F_MADE,
	     F_KEY, F_COUNT };

static const char *const field_names[F_COUNT] = {
	"format", "file", "size", "sha256", "package", "version", "architecture", "station", "made",
	"key",
};

static int take(struct parse *p, struct offer *o, enum field f, const char *v)
{
	switch (f) {
	case F_FORMAT:
		if (strcmp(v, "1") != 0)
			return refuse(p, _("it was made by a newer fieldstation"));
		return 0;
	case F_FILE:
		if (!offer_name_ok(v))
			return refuse(p, _("the file's name is not one the office writes"));
		snprintf(o->file, sizeof(o->file), "%s", v);
		return 0;
	case F_SIZE:
		return number(v, &o->size) < 0 ? refuse(p, _("the size is not a number")) : 0;
	case F_SHA:
		return sign_from_hex(v, o->sha, SHA256_BYTES) < 0
			       ? refuse(p, _("the SHA-256 is 64 hex digits")) : 0;
	case F_PACKAGE:
		if (!debian_name_ok(v, sizeof(o->package)))
			return refuse(p, _("the package's name is not a Debian package's"));
		snprintf(o->package, sizeof(o->package), "%s", v);
		return 0;
	case F_VERSION:
		if (!version_valid(v))
			return refuse(p, _("the version is not a Debian package's"));
		snprintf(o->version, sizeof(o->version), "%s", v);
		return 0;
	case F_ARCH:
		if (!debian_name_ok(v, sizeof(o->architecture)))
			return refuse(p, _("the architecture is not a Debian one"));
		snprintf(o->architecture, sizeof(o->architecture), "%s", v);
		return 0;
	case F_STATION:
		if (!code_ok(v))
			return refuse(p, _("the station's code is 2 to 8 capitals or digits"));
		snprintf(o->station, sizeof(o->station), "%s", v);
		return 0;
	case F_MADE:
		return number(v, &o->made) < 0 ? refuse(p, _("the date is not a number")) : 0;
	case F_KEY:
		return sign_from_hex(v, o->key, SIGN_PUBLIC_BYTES) < 0
			       ? refuse(p, _("the key is 64 hex digits")) : 0;
	default:
		return -1;
	}
}

int offer_parse(struct offer *o, enum offer_kind kind, const char *text, size_t len, char *err,
		size_t errlen)
{
	struct parse p = { .why = err, .whylen = errlen };
	unsigned seen = 0, want;
	bool signed_ = false;
	size_t at = 0;

	memset(o, 0, sizeof(*o));
	o->kind = kind;
	want = 1u << F_FORMAT | 1u << F_FILE | 1u << F_SIZE | 1u << F_SHA | 1u << F_MADE |
	       1u << F_KEY;
	want |= kind == OFFER_UPDATE ? 1u << F_PACKAGE | 1u << F_VERSION | 1u << F_ARCH
				     : 1u << F_STATION;
	if (len > OFFER_MAX_BYTES) {
		snprintf(err, errlen, "%s", _("it is far too large"));
		return -1;
	}
	if (len == 0 || text[len - 1] != '\n') {
		snprintf(err, errlen, "%s", _("it does not end with a whole line"));
		return -1;
	}
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = (size_t)(nl - (text + at));
		char line[OFFER_MAX_BYTES + 1], *v;
		int f;

		p.line++;
		memcpy(line, text + at, n);
		line[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
				return refuse(&p, _("it holds a byte that is not plain text"));
		if (p.line == 1) {
			if (strcmp(line, kind == OFFER_UPDATE ? UPDATE_HEADER : SETTINGS_HEADER) != 0)
				return refuse(&p, kind == OFFER_UPDATE
						      ? _("it does not start as a new version's description")
						      : _("it does not start as new settings' description"));
			at += n + 1;
			continue;
		}
		if (signed_)
			return refuse(&p, _("the signature is not the last line"));
		if (strncmp(line, "signature: ", 11) == 0) {
			if (sign_from_hex(line + 11, o->signature, SIGN_BYTES) < 0)
				return refuse(&p, _("the signature is 128 hex digits"));
			o->signed_len = at;
			signed_ = true;
			at += n + 1;
			continue;
		}
		v = strstr(line, ": ");
		if (!v)
			return refuse(&p, _("a line is not \"name: value\""));
		*v = '\0';
		v += 2;
		for (f = 0; f < F_COUNT && strcmp(field_names[f], line) != 0; f++)
			;
		if (f == F_COUNT || !(want & 1u << f))
			return refuse(&p, _("a line is not what the description holds"));
		if (seen & 1u << f)
			return refuse(&p, _("a line is there twice"));
		seen |= 1u << f;
		if (take(&p, o, (enum field)f, v) < 0)
			return -1;
		at += n + 1;
	}
	if (seen != want) {
		snprintf(err, errlen, "%s", _("a part of it is missing"));
		return -1;
	}
	if (!signed_) {
		snprintf(err, errlen, "%s", _("it is not signed"));
		return -1;
	}
	return 0;
}

bool offer_signed_by(const struct offer *o, const char *text, const uint8_t key[SIGN_PUBLIC_BYTES])
{
	/* The key the description names says only who claims to have signed
	 * it; what counts is the key the station was given. */
	return o->signed_len > 0 && memcmp(o->key, key, SIGN_PUBLIC_BYTES) == 0 &&
	       sign_verify(key, context_of(o->kind), text, o->signed_len, o->signature);
}

int offer_read(int dir, const char *name, enum offer_kind kind, struct offer *o, char *text,
	       char *err, size_t errlen)
{
	char detail[256];
	struct stat st;
	ssize_t got = 0;
	int fd = nofollow_open(dir, name, &st);

	if (fd < 0) {
		snprintf(err, errlen, "%s", fd == -ELOOP ? _("it is a symbolic link")
					    : fd == -EINVAL ? _("it is not a plain file")
							    : strerror(-fd));
		return -1;
	}
	if (st.st_size > OFFER_MAX_BYTES) {
		close(fd);
		snprintf(err, errlen, "%s", _("it is far too large"));
		return -1;
	}
	while (got < st.st_size) {
		ssize_t r = read(fd, text + got, (size_t)(st.st_size - got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	if (got != st.st_size) {
		snprintf(err, errlen, "%s", strerror(got < 0 ? errno : EIO));
		return -1;
	}
	text[got] = '\0';
	if (offer_parse(o, kind, text, (size_t)got, detail, sizeof(detail)) < 0) {
		snprintf(err, errlen, "%s", detail);
		return -1;
	}
	return 0;
}

int offer_check_file(int dir, const struct offer *o, int64_t max, int out, char *err,
		     size_t errlen)
{
	uint8_t buf[65536], sha[SHA256_BYTES];
	struct sha256 h;
	struct stat st;
	int64_t left;
	int fd = nofollow_open(dir, o->file, &st);

	if (fd < 0) {
		snprintf(err, errlen, "%s", fd == -ENOENT ? _("its file is not there")
					    : fd == -ELOOP ? _("its file is a symbolic link")
					    : fd == -EINVAL ? _("its file is not a plain file")
							    : strerror(-fd));
		return -1;
	}
	if (st.st_size != o->size || o->size > max) {
		close(fd);
		snprintf(err, errlen, "%s", _("its file is not the size that was signed"));
		return -1;
	}
	sha256_init(&h);
	for (left = o->size; left > 0;) {
		ssize_t r = read(fd, buf, left < (int64_t)sizeof(buf) ? (size_t)left : sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			snprintf(err, errlen, _("its file cannot be read (%s)"),
				 strerror(r < 0 ? errno : EIO));
			return -1;
		}
		sha256_update(&h, buf, (size_t)r);
		if (out >= 0 && write(out, buf, (size_t)r) != r) {
			close(fd);
			snprintf(err, errlen, _("it cannot be copied to the card (%s)"),
				 strerror(errno ? errno : ENOSPC));
			return -1;
		}
		left -= r;
	}
	close(fd);
	sha256_final(&h, sha);
	if (memcmp(sha, o->sha, SHA256_BYTES) != 0) {
		snprintf(err, errlen, "%s", _("its file is not what was signed: damaged or changed"));
		return -1;
	}
	if (out >= 0 && fsync(out) < 0) {
		snprintf(err, errlen, _("it cannot be copied to the card (%s)"), strerror(errno));
		return -1;
	}
	return 0;
}
