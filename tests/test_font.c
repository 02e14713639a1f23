/* The console fonts hold every character the station can print: the
 * catalogue's words in Vietnamese and English, what the screens draw
 * from the code (half and full blocks of big digits, charts and QR codes,
 * the chart's dots, °C, µS/cm, dashes, the ellipsis), any Vietnamese
 * letter a configuration may name things with, and ASCII. Each needed
 * character has its own glyph, inked, in the font's Unicode table; the
 * font fits the console's 512 glyphs and the screens it is made for. */
#include "testlib.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

#ifndef FONT_DIR
#define FONT_DIR "build/fonts"
#endif

#define MAX_CP 0x10000

struct charset {
	bool has[MAX_CP];
	int n;
};

struct psf {
	int width, height, glyphs, charsize;
	uint8_t *bitmaps;
	int glyph_of[MAX_CP];	/* -1: not in the Unicode table */
};

static void add_cp(struct charset *s, uint32_t cp)
{
	/* Control characters are never drawn: \n in a message is a new line. */
	if (cp < 0x20 || cp == 0x7f || cp >= MAX_CP)
		return;
	if (!s->has[cp]) {
		s->has[cp] = true;
		s->n++;
	}
}

/* Decodes one UTF-8 character at *p; 0 at the end of the string. */
static uint32_t next_cp(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t cp;
	int n;

	if (!*s)
		return 0;
	if (*s < 0x80)
		n = 1, cp = *s;
	else if ((*s & 0xe0) == 0xc0)
		n = 2, cp = *s & 0x1f;
	else if ((*s & 0xf0) == 0xe0)
		n = 3, cp = *s & 0x0f;
	else
		n = 4, cp = *s & 0x07;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			fail_msg("invalid UTF-8 in \"%s\"", *p);
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*p += n;
	return cp;
}

static void add_text(struct charset *s, const char *text)
{
	uint32_t cp;

	while ((cp = next_cp(&text)) != 0)
		add_cp(s, cp);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		fail_msg("%s cannot be read", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The strings of a catalogue entry's fields named by keys ("msgstr" also
 * takes msgstr[N]), continuation lines included. */
static void add_po(struct charset *s, const char *path, const char *const *keys)
{
	char *text = slurp(path), *line, *save = NULL;
	bool wanted = false;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *q;

		if (line[0] == '#')
			continue;
		if (line[0] != '"') {
			wanted = false;
			for (int k = 0; keys[k]; k++) {
				size_t n = strlen(keys[k]);

				if (!strncmp(line, keys[k], n) && (line[n] == ' ' || line[n] == '['))
					wanted = true;
			}
		}
		q = strchr(line, '"');
		if (!wanted || !q)
			continue;
		/* Escapes stand for ASCII (\" \\ \n): the letters are as written. */
		q[strlen(q) - 1] = '\0';
		add_text(s, q + 1);
	}
	free(text);
}

/* Characters inside the string literals of a C file, written as UTF-8 or
 * as \u escapes; comments are skipped, and so are \x escapes, which are
 * bytes (a BOM for a CSV file), not text for the screen. */
static void add_c_strings(struct charset *s, const char *path)
{
	char *text = slurp(path);
	const char *p = text;

	while (*p) {
		if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");

			p = end ? end + 2 : p + strlen(p);
		} else if (p[0] == '/' && p[1] == '/') {
			p += strcspn(p, "\n");
		} else if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				if (*p == '\\' && p[1])
					p++;
			p += *p != '\0';
		} else if (*p == '"') {
			for (p++; *p && *p != '"';) {
				if (*p == '\\' && (p[1] == 'u' || p[1] == 'U')) {
					char hex[9] = "";

					memcpy(hex, p + 2, p[1] == 'u' ? 4 : 8);
					add_cp(s, (uint32_t)strtoul(hex, NULL, 16));
					p += p[1] == 'u' ? 6 : 10;
				} else if (*p == '\\') {
					p += p[1] ? 2 : 1;
				} else {
					add_cp(s, next_cp(&p));
				}
			}
			p += *p != '\0';
		} else {
			p++;
		}
	}
	free(text);
}

static void add_c_folder(struct charset *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		add_c_strings(s, path);
	}
	closedir(d);
}

/* The values of a configuration we ship (names, words the screens show),
 * up to an inline comment. */
static void add_ini_values(struct charset *s, const char *path)
{
	char *text = slurp(path), *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *c;

		if (line[0] == ';' || line[0] == '#' || line[0] == '[' || !eq)
			continue;
		c = strstr(eq, " ;");
		if (c)
			*c = '\0';
		add_text(s, eq + 1);
	}
	free(text);
}

/* Every letter of Vietnamese: a name in a configuration may use any. */
static const char vietnamese[] =
	"aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợ"
	"uùúủũụưừứửữựyỳýỷỹỵđ"
	"AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"
	"UÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ";

/* Every character the station can print. */
static void station_charset(struct charset *s)
{
	static const char *const msgstr[] = { "msgstr", NULL };
	static const char *const msgid[] = { "msgid", "msgid_plural", NULL };
	DIR *d;
	struct dirent *e;

	memset(s, 0, sizeof(*s));
	for (uint32_t c = 0x20; c < 0x7f; c++)
		add_cp(s, c);
	add_text(s, vietnamese);
	add_cp(s, 0xfffd);	/* shown for a character no font has */
	add_po(s, "po/vi.po", msgstr);
	add_po(s, "po/fieldstation.pot", msgid);
	add_c_folder(s, "src");
	add_c_folder(s, "screens");
	add_c_folder(s, "drivers");
	d = opendir("config");
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		size_t n = strlen(e->d_name);

		if (n > 4 && strcmp(e->d_name + n - 4, ".ini") == 0) {
			snprintf(path, sizeof(path), "config/%s", e->d_name);
			add_ini_values(s, path);
		}
	}
	closedir(d);
}

static void read_psf(const char *path, struct psf *f)
{
	char cmd[600];
	FILE *in;
	uint8_t *data;
	size_t cap = 1 << 16, n = 0, r;
	uint32_t hdr[8];

	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	in = popen(cmd, "r");
	assert_non_null(in);
	data = malloc(cap);
	assert_non_null(data);
	while ((r = fread(data + n, 1, cap - n, in)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			data = realloc(data, cap);
			assert_non_null(data);
		}
	}
	if (pclose(in) != 0 || n < 32)
		fail_msg("%s: not a gzipped font (make fonts)", path);
	memcpy(hdr, data, sizeof(hdr));
	/* PSF2: magic, version, header size, flags, glyphs, bytes a glyph,
	 * height, width; flag 1 says a Unicode table follows the glyphs. */
	assert_int_equal(hdr[0], 0x864ab572);
	assert_int_equal(hdr[3] & 1, 1);
	f->glyphs = (int)hdr[4];
	f->charsize = (int)hdr[5];
	f->height = (int)hdr[6];
	f->width = (int)hdr[7];
	assert_int_equal(f->charsize, f->height * ((f->width + 7) / 8));
	assert_true(hdr[2] + (size_t)f->glyphs * (size_t)f->charsize <= n);
	f->bitmaps = malloc((size_t)f->glyphs * (size_t)f->charsize);
	assert_non_null(f->bitmaps);
	memcpy(f->bitmaps, data + hdr[2], (size_t)f->glyphs * (size_t)f->charsize);
	for (int c = 0; c < MAX_CP; c++)
		f->glyph_of[c] = -1;
	{
		/* Per glyph: its characters in UTF-8, sequences after 0xFE, 0xFF. */
		const char *p = (const char *)data + hdr[2] + (size_t)f->glyphs * (size_t)f->charsize;
		const char *end = (const char *)data + n;
		int g = 0;

		while (p < end && g < f->glyphs) {
			if ((uint8_t)*p == 0xff) {
				g++;
				p++;
			} else if ((uint8_t)*p == 0xfe) {
				p++;
			} else {
				uint32_t cp = next_cp(&p);

				if (cp < MAX_CP && f->glyph_of[cp] < 0)
					f->glyph_of[cp] = g;
			}
		}
		assert_int_equal(g, f->glyphs);
	}
	free(data);
}

static bool inked(const struct psf *f, int g)
{
	for (int i = 0; i < f->charsize; i++)
		if (f->bitmaps[(size_t)g * (size_t)f->charsize + (size_t)i])
			return true;
	return false;
}

static bool same_glyph(const struct psf *f, int a, int b)
{
	return memcmp(f->bitmaps + (size_t)a * (size_t)f->charsize,
		      f->bitmaps + (size_t)b * (size_t)f->charsize, (size_t)f->charsize) == 0;
}

static struct charset letters;

/* How many needed characters the font cannot show as themselves: absent
 * from its table, blank, or a letter drawn like another letter (a
 * composed ạ that came out as a). Each is printed. Symbols may share a
 * look: Terminus draws the en dash as the hyphen. */
static int lacking(const struct psf *f, const struct charset *s, const char *name)
{
	static int first_cp_of[512 * 4];
	int bad = 0;

	if (!letters.n) {
		add_text(&letters, vietnamese);
		for (uint32_t c = 'A'; c <= 'z'; c++)
			if (c <= 'Z' || c >= 'a')
				add_cp(&letters, c);
	}

	for (int g = 0; g < f->glyphs && g < 512 * 4; g++)
		first_cp_of[g] = -1;
	for (uint32_t cp = 0; cp < MAX_CP; cp++) {
		int g;

		if (!s->has[cp])
			continue;
		g = f->glyph_of[cp];
		if (g < 0) {
			printf("%s: no glyph for U+%04X\n", name, (unsigned)cp);
			bad++;
			continue;
		}
		if (cp != ' ' && !inked(f, g)) {
			printf("%s: U+%04X is blank\n", name, (unsigned)cp);
			bad++;
		}
		if (!letters.has[cp])
			continue;
		for (int o = 0; o < f->glyphs; o++) {
			if (first_cp_of[o] >= 0 && o != g && same_glyph(f, o, g)) {
				printf("%s: U+%04X looks like U+%04X\n", name, (unsigned)cp,
				       (unsigned)first_cp_of[o]);
				bad++;
				break;
			}
		}
		if (first_cp_of[g] >= 0 && first_cp_of[g] != (int)cp) {
			printf("%s: U+%04X shares its glyph with U+%04X\n", name, (unsigned)cp,
			       (unsigned)first_cp_of[g]);
			bad++;
		}
		first_cp_of[g] = (int)cp;
	}
	return bad;
}

static struct charset needed;

static int setup(void **state)
{
	(void)state;
	station_charset(&needed);
	return 0;
}

/* The count can only be trusted if it finds what is known to be there:
 * the characters the screens draw from the code, the catalogue's letters. */
static void the_station_prints_these(void **state)
{
	static const char known[] = "▀▄█·°µ…–—→ưƠạđ";
	const char *p = known;
	uint32_t cp;

	(void)state;
	while ((cp = next_cp(&p)) != 0)
		if (!needed.has[cp])
			fail_msg("U+%04X is not among the characters found", (unsigned)cp);
	/* ASCII, 134 Vietnamese letters, a few symbols; what a 512-glyph
	 * console font can hold. */
	printf("the station can print %d characters\n", needed.n);
	assert_true(needed.n >= 95 + 134 + 10);
	assert_true(needed.n <= 512);
}

static void check_font(const char *file, int width, int height, int screen_w, int screen_h)
{
	struct psf *f = calloc(1, sizeof(*f));
	char path[256];

	assert_non_null(f);
	snprintf(path, sizeof(path), "%s/%s", FONT_DIR, file);
	read_psf(path, f);
	assert_int_equal(f->width, width);
	assert_int_equal(f->height, height);
	/* The console loads at most 512 glyphs. */
	assert_true(f->glyphs <= 512);
	assert_true(f->glyphs >= needed.n);
	assert_int_equal(lacking(f, &needed, file), 0);
	/* The shed's screen holds the station's 50x15. */
	assert_true(screen_w / width >= 50);
	assert_true(screen_h / height >= 15);
	free(f->bitmaps);
	free(f);
}

static void font_16x32_for_800x480(void **state)
{
	(void)state;
	check_font("fieldstation-16x32.psf.gz", 16, 32, 800, 480);
}

static void font_12x24_for_1024x600(void **state)
{
	(void)state;
	check_font("fieldstation-12x24.psf.gz", 12, 24, 1024, 600);
}

/* The check itself fails on a character the font lacks: a check mark is
 * in no message, and in no glyph of the font. */
static void a_missing_character_is_found(void **state)
{
	struct psf *f = calloc(1, sizeof(*f));
	struct charset *more = malloc(sizeof(*more));

	(void)state;
	assert_non_null(f);
	assert_non_null(more);
	read_psf(FONT_DIR "/fieldstation-16x32.psf.gz", f);
	*more = needed;
	add_text(more, "✓");
	assert_int_equal(lacking(f, more, "with ✓"), 1);
	free(f->bitmaps);
	free(f);
	free(more);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_station_prints_these),
		cmocka_unit_test(font_16x32_for_800x480),
		cmocka_unit_test(font_12x24_for_1024x600),
		cmocka_unit_test(a_missing_character_is_found),
	};

	return cmocka_run_group_tests_name("font", tests, setup, NULL);
}
