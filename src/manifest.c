/* Writing and strictly reading an export's manifest. */
#include "manifest.h"

#include "text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void manifest_free(struct manifest *m)
{
	free(m->files);
	m->files = NULL;
	m->n_files = m->cap = 0;
}

int manifest_add(struct manifest *m, const char *name, int64_t bytes, int64_t rows,
		 const uint8_t sha[SHA256_BYTES])
{
	struct manifest_file *f;

	if (m->n_files >= MANIFEST_MAX_FILES || strlen(name) >= MANIFEST_NAME_LEN)
		return -1;
	if (m->n_files == m->cap) {
		int cap = m->cap ? m->cap * 2 : 16;
		struct manifest_file *grown = realloc(m->files, (size_t)cap * sizeof(*grown));

		if (!grown)
			return -1;
		m->files = grown;
		m->cap = cap;
	}
	f = &m->files[m->n_files++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->bytes = bytes;
	f->rows = rows;
	if (sha) {
		memcpy(f->sha, sha, SHA256_BYTES);
		f->has_sha = true;
	}
	return 0;
}

const struct manifest_file *manifest_find(const struct manifest *m, const char *name)
{
	for (int i = 0; i < m->n_files; i++)
		if (strcmp(m->files[i].name, name) == 0)
			return &m->files[i];
	return NULL;
}

bool manifest_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= MANIFEST_NAME_LEN || name[0] == '.')
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("._-", *name))
			return false;
	return true;
}

/* 2026-06-01T07:30:00+0700, in the station's local time. */
static void iso_time(char *buf, size_t n, int64_t t, long utc_offset)
{
	time_t local = (time_t)(t + utc_offset);
	struct tm tm;
	long off = utc_offset / 60;

	gmtime_r(&local, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld%02ld", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
		 labs(off) / 60, labs(off) % 60);
}

static char *hex_of(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

char *manifest_format(const struct manifest *m, long utc_offset, size_t *len)
{
	size_t cap = 2048 + (size_t)m->n_files * (MANIFEST_NAME_LEN * 2 + 128);
	char *out = malloc(cap), made[64], from[64], to[64], hex[SHA256_HEX];
	/* U+FFFD takes three bytes where a byte was. */
	char code[sizeof(m->code) * 3], name[sizeof(m->name) * 3], program[sizeof(m->program) * 3];
	size_t n;

	if (!out)
		return NULL;
	/* A name with a line break would forge a fact, one with ESC would
	 * reach whoever cats the file. */
	text_clean(code, sizeof(code), m->code);
	text_clean(name, sizeof(name), m->name);
	text_clean(program, sizeof(program), m->program);
	iso_time(made, sizeof(made), m->made, utc_offset);
	iso_time(from, sizeof(from), m->from, utc_offset);
	iso_time(to, sizeof(to), m->to, utc_offset);
	n = (size_t)snprintf(out, cap,
			     "# fieldstation export\n# format: %d\n# station: %s\n# name: %s\n"
			     "# uid: %s\n# program: %s\n# schema: %d\n# made: %s\n# from: %s\n"
			     "# to: %s\n# backup: %s\n",
			     m->has_base ? 3 : 2, code, name, m->uid, program, m->schema, made,
			     from, to, m->backup);
	if (m->has_base && n < cap) {
		char base[SHA256_HEX];

		n += (size_t)snprintf(out + n, cap - n, "# base: %s %s %lld %s\n# whole: %lld %s\n",
				      m->base_folder, m->base_file, (long long)m->base_bytes,
				      sha256_hex(m->base_sha, base), (long long)m->whole_bytes,
				      sha256_hex(m->whole_sha, hex));
	}
	if (m->has_key && n < cap) {
		char key[2 * SIGN_PUBLIC_BYTES + 1];

		n += (size_t)snprintf(out + n, cap - n, "# key: %s\n# board: %s\n# key-board: %s\n",
				      hex_of(m->key, SIGN_PUBLIC_BYTES, key), m->board, m->key_board);
	}
	for (int i = 0; i < m->n_files && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "# file: %s %lld %lld\n", m->files[i].name,
				      (long long)m->files[i].bytes, (long long)m->files[i].rows);
	for (int i = 0; i < m->n_files && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s  %s\n",
				      sha256_hex(m->files[i].sha, hex), m->files[i].name);
	*len = n < cap ? n : cap - 1;
	return out;
}

int manifest_sign(char **text, size_t *len, const struct signkey *k)
{
	uint8_t sig[SIGN_BYTES];
	char hex[2 * SIGN_BYTES + 1];
	size_t add = strlen("# signature: \n") + 2 * SIGN_BYTES;
	char *grown = realloc(*text, *len + add + 1);

	if (!grown)
		return -1;
	*text = grown;
	sign_data(k, SIGN_CONTEXT_MANIFEST, grown, *len, sig);
	snprintf(grown + *len, add + 1, "# signature: %s\n", hex_of(sig, SIGN_BYTES, hex));
	*len += add;
	return 0;
}

int manifest_verify(const struct manifest *m, const char *text, char *err, size_t errlen)
{
	if (!m->has_signature) {
		snprintf(err, errlen, "%s",
			 _("it is not signed: it was made by an older fieldstation, or not by a station (update the station's program)"));
		return -1;
	}
	if (!sign_verify(m->key, SIGN_CONTEXT_MANIFEST, text, m->signed_len, m->signature)) {
		snprintf(err, errlen, "%s",
			 _("its signature does not match manifest.txt: the manifest was changed after the station wrote it"));
		return -1;
	}
	return 0;
}

/* Parsing. */

struct parse {
	char *why;
	size_t whylen;
	int line;
};

static int refuse(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	char detail[256];

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(p->why, p->whylen, _("the manifest is not valid (line %d: %s)"), p->line, detail);
	return -1;
}

static int parse_time(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, se, oh, om, n = 0;
	char sign;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d%2d%n", &y, &mo, &d, &h, &mi, &se, &sign, &oh,
		   &om, &n) != 9 || s[n] || (sign != '+' && sign != '-') || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || oh > 14 || om > 59 || y < 1970 ||
	    y > 9999)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm) - (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	return 0;
}

static int parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s) && *s != '-')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || end == s || (v == 0 && *s == '-'))
		return -1;
	*out = v;
	return 0;
}

static int set_text(char *dst, size_t n, const char *v)
{
	if (strlen(v) >= n)
		return -1;
	snprintf(dst, n, "%s", v);
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2n lower-case hex digits into out. */
static int parse_hex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++)
		if (hex_value(s[i]) < 0)
			return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(hex_value(s[2 * i]) << 4 | hex_value(s[2 * i + 1]));
	return 0;
}

static int parse_sha_line(struct parse *p, struct manifest *m, const char *line)
{
	uint8_t sha[SHA256_BYTES];
	struct manifest_file *f = NULL;

	for (int i = 0; i < SHA256_BYTES * 2; i++)
		if (hex_value(line[i]) < 0)
			return refuse(p, _("a checksum must be 64 lower-case hex digits"));
	if (line[64] != ' ' || line[65] != ' ')
		return refuse(p, _("a checksum and its file are separated by two spaces"));
	for (int i = 0; i < SHA256_BYTES; i++)
		sha[i] = (uint8_t)(hex_value(line[2 * i]) << 4 | hex_value(line[2 * i + 1]));
	for (int i = 0; i < m->n_files; i++)
		if (strcmp(m->files[i].name, line + 66) == 0)
			f = &m->files[i];
	if (!f)
		return refuse(p, _("a checksum for a file not listed"));
	if (f->has_sha)
		return refuse(p, _("a file has two checksums"));
	memcpy(f->sha, sha, SHA256_BYTES);
	f->has_sha = true;
	return 0;
}

static int parse_file_line(struct parse *p, struct manifest *m, char *v)
{
	char *bytes = strchr(v, ' '), *rows;
	int64_t b, r;

	if (!bytes)
		return refuse(p, _("a file line is: name bytes rows"));
	*bytes++ = '\0';
	rows = strchr(bytes, ' ');
	if (!rows)
		return refuse(p, _("a file line is: name bytes rows"));
	*rows++ = '\0';
	if (!manifest_name_ok(v))
		return refuse(p, _("a file name may have only letters, digits, '.', '-' and '_'"));
	if (parse_int(bytes, &b) < 0 || b < 0 || parse_int(rows, &r) < 0 || r < -1)
		return refuse(p, _("a file's size and rows are whole numbers"));
	if (manifest_find(m, v))
		return refuse(p, _("a file is listed twice"));
	if (manifest_add(m, v, b, r, NULL) < 0)
		return refuse(p, _("too many files"));
	return 0;
}

/* `# base: FOLDER FILE BYTES SHA`. */
static int parse_base(struct parse *p, struct manifest *m, char *v)
{
	char *part[4];
	int64_t b;

	for (int i = 0; i < 4; i++) {
		part[i] = v;
		v = strchr(v, ' ');
		if ((v != NULL) != (i < 3))
			return refuse(p, _("base is: folder file bytes checksum"));
		if (v)
			*v++ = '\0';
	}
	if (!manifest_name_ok(part[0]) || !manifest_name_ok(part[1]))
		return refuse(p, _("a file name may have only letters, digits, '.', '-' and '_'"));
	if (parse_int(part[2], &b) < 0 || b <= 0 ||
	    parse_hex(part[3], m->base_sha, sizeof(m->base_sha)) < 0)
		return refuse(p, _("base is: folder file bytes checksum"));
	set_text(m->base_folder, sizeof(m->base_folder), part[0]);
	set_text(m->base_file, sizeof(m->base_file), part[1]);
	m->base_bytes = b;
	m->has_base = true;
	return 0;
}

/* `# whole: BYTES SHA`. */
static int parse_whole(struct parse *p, struct manifest *m, char *v)
{
	char *sha = strchr(v, ' ');
	int64_t b;

	if (!sha)
		return refuse(p, _("whole is: bytes checksum"));
	*sha++ = '\0';
	if (parse_int(v, &b) < 0 || b <= 0 || parse_hex(sha, m->whole_sha, sizeof(m->whole_sha)) < 0)
		return refuse(p, _("whole is: bytes checksum"));
	m->whole_bytes = b;
	return 0;
}

/* The facts a manifest gives once each, by their bit in seen. */
static const char *const facts[] = {
	"format", "station", "uid", "schema", "backup", "name", "program", "made", "from", "to",
	"key", "board", "key-board", "base", "whole",
};
#define SEEN_BASE (1u << 13)
#define SEEN_WHOLE (1u << 14)

static int parse_fact(struct parse *p, struct manifest *m, const char *key, char *v,
		      unsigned *seen)
{
	int64_t n;

	if (strcmp(key, "file") == 0)
		return parse_file_line(p, m, v);
	for (unsigned i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		if (strcmp(key, facts[i]) != 0)
			continue;
		if (*seen & (1u << i))
			return refuse(p, _("%s is given twice"), key);
		/* Marked once read well: a refusal ends the parse anyway. */
		*seen |= 1u << i;
	}
	if (strcmp(key, "base") == 0) {
		return parse_base(p, m, v);
	} else if (strcmp(key, "whole") == 0) {
		return parse_whole(p, m, v);
	} else if (strcmp(key, "key") == 0) {
		if (parse_hex(v, m->key, sizeof(m->key)) < 0)
			return refuse(p, _("key is 64 hex digits"));
		m->has_key = true;
	} else if (strcmp(key, "board") == 0 || strcmp(key, "key-board") == 0) {
		uint8_t b[8];

		if (*v && parse_hex(v, b, sizeof(b)) < 0)
			return refuse(p, _("a board is 16 hex digits"));
		set_text(key[0] == 'b' ? m->board : m->key_board, SIGN_BOARD_LEN, v);
	} else if (strcmp(key, "format") == 0) {
		if (parse_int(v, &n) < 0 || n < 1)
			return refuse(p, _("format is a number"));
		if (n > MANIFEST_FORMAT)
			return refuse(p, _("made by a newer fieldstation"));
		m->format = (int)n;
	} else if (strcmp(key, "station") == 0) {
		if (set_text(m->code, sizeof(m->code), v) < 0 || !manifest_name_ok(v))
			return refuse(p, _("station is a code like PT01"));
	} else if (strcmp(key, "uid") == 0) {
		for (const char *c = v; *c; c++)
			if (hex_value(*c) < 0)
				return refuse(p, _("uid is hex digits"));
		if (strlen(v) != 32 && *v)
			return refuse(p, _("uid is 32 hex digits"));
		set_text(m->uid, sizeof(m->uid), v);
	} else if (strcmp(key, "schema") == 0) {
		if (parse_int(v, &n) < 0 || n < 1 || n > 100000)
			return refuse(p, _("schema is a number"));
		m->schema = (int)n;
	} else if (strcmp(key, "backup") == 0) {
		if (set_text(m->backup, sizeof(m->backup), v) < 0 || !manifest_name_ok(v))
			return refuse(p, _("backup is a file name"));
	} else if (strcmp(key, "name") == 0) {
		if (set_text(m->name, sizeof(m->name), v) < 0)
			return refuse(p, _("name is too long"));
	} else if (strcmp(key, "program") == 0) {
		if (set_text(m->program, sizeof(m->program), v) < 0)
			return refuse(p, _("program is too long"));
	} else if (strcmp(key, "made") == 0 || strcmp(key, "from") == 0 ||
		   strcmp(key, "to") == 0) {
		int64_t *t = key[0] == 'm' ? &m->made : key[0] == 'f' ? &m->from : &m->to;

		if (parse_time(v, t) < 0)
			return refuse(p, _("%s is a time like 2026-06-01T07:30:00+0700"), key);
	}
	/* Other facts are for people, or from a newer program: kept out. */
	return 0;
}

int manifest_parse(struct manifest *m, const char *text, size_t len, char *err, size_t errlen)
{
	struct parse p = { err, errlen, 0 };
	unsigned seen = 0;
	const char *at = text, *end = text + len;
	char line[1024];

	memset(m, 0, sizeof(*m));
	if (len > MANIFEST_MAX_BYTES)
		return refuse(&p, _("too long"));
	while (at < end) {
		const char *nl = memchr(at, '\n', (size_t)(end - at)), *start = at;
		size_t n = (size_t)((nl ? nl : end) - at);

		p.line++;
		if (n >= sizeof(line))
			return refuse(&p, _("line too long"));
		memcpy(line, at, n);
		line[n] = '\0';
		at += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n) || (n && line[n - 1] == '\r'))
			return refuse(&p, _("not a plain text line"));
		if (p.line == 1) {
			if (strcmp(line, "# fieldstation export") != 0)
				return refuse(&p, _("it does not start with \"# fieldstation export\""));
			continue;
		}
		/* What the signature covers ends at its line: nothing after it. */
		if (m->has_signature)
			return refuse(&p, _("the signature is not the last line"));
		if (strncmp(line, "# signature: ", 13) == 0) {
			if (parse_hex(line + 13, m->signature, SIGN_BYTES) < 0)
				return refuse(&p, _("the signature is 128 hex digits"));
			m->has_signature = true;
			m->signed_len = (size_t)(start - text);
			continue;
		}
		if (n == 0)
			continue;
		if (line[0] == '#') {
			char *colon = strchr(line, ':');

			if (strncmp(line, "# ", 2) != 0 || !colon || colon[1] != ' ')
				return refuse(&p, _("a fact is written \"# key: value\""));
			*colon = '\0';
			if (parse_fact(&p, m, line + 2, colon + 2, &seen) < 0)
				return -1;
			continue;
		}
		if (n < 67 || parse_sha_line(&p, m, line) < 0)
			return n < 67 ? refuse(&p, _("a checksum line is: 64 hex digits, two spaces, a name"))
				      : -1;
	}
	if (p.line == 0)
		return refuse(&p, _("empty"));
	if ((seen & 31) != 31)
		return refuse(&p, _("format, station, uid, schema or backup is missing"));
	if (m->has_signature && !m->has_key)
		return refuse(&p, _("it is signed but names no key"));
	for (int i = 0; i < m->n_files; i++)
		if (!m->files[i].has_sha)
			return refuse(&p, _("%s has no checksum"), m->files[i].name);
	if (!manifest_find(m, m->backup))
		return refuse(&p, _("the backup is not among the files"));
	if (strcmp(m->backup, MANIFEST_NAME) == 0)
		return refuse(&p, _("the manifest cannot list itself"));
	/* A delta, and only in format 3, with both facts. */
	if (!(seen & SEEN_BASE) != !(seen & SEEN_WHOLE) || !(seen & SEEN_BASE) != (m->format < 3))
		return refuse(&p, _("base and whole go together, in format 3"));
	return 0;
}
