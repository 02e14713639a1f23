/* The console font's glyphs: every character of a set, copied from a
 * source BDF font (Terminus) or, for the Vietnamese letters it lacks,
 * composed from its own letters and marks; written as a BDF for bdf2psf.
 *   compose SOURCE.bdf SYMBOLS.set OUT.bdf
 * A build tool, run on the build machine. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_W 32
#define MAX_H 64
#define MAX_GLYPHS 4096
#define MAX_SET 512

struct glyph {
	uint32_t cp;
	uint8_t px[MAX_H][MAX_W];	/* the whole cell, row 0 on top */
};

struct font {
	int w, h, ascent;		/* cell; rows [0, ascent) are above the baseline */
	char copyright[1024], notice[1024];
	struct glyph *glyphs;
	int n;
};

/* What Terminus lacks is drawn here, in its own style, for each cell it
 * comes in: the hook above (ả) and the horn (ơ ư), two pixels thick like
 * its strokes. A horn's last row sits on the letter's top row, from
 * column horn_x; stacked marks on capitals are stack_gap rows apart; a
 * dot below is dot_rows of the full stop's rows. */
struct art {
	int w, h;
	const char *hook[5];
	const char *horn_o[6], *horn_u[6];
	int horn_x, stack_gap, dot_rows;
};

static const struct art arts[] = {
	{ 16, 32,
	  { "...####.", "......##", "....###.", "....##.." },
	  { "..##", "..##", "..##", ".##.", "###." },
	  { "..##", "..##", "..##", ".##.", "..#." },
	  12, 1, 3 },
	{ 12, 24,
	  { ".###.", "...##", "..##." },
	  { "..##", "..##", "###." },
	  { "..##", "..##", "...#" },
	  8, 0, 2 },
};

enum mod { MOD_NONE, MOD_BREVE, MOD_CIRCUMFLEX, MOD_HORN };
enum tone { TONE_NONE, TONE_GRAVE, TONE_ACUTE, TONE_HOOK, TONE_TILDE, TONE_DOT };

/* Every Vietnamese vowel: its plain letter, its own mark, and the six
 * forms (no tone, huyền, sắc, hỏi, ngã, nặng). */
static const struct {
	uint32_t base;
	enum mod mod;
	const char *forms;
} vowels[] = {
	{ 'a', MOD_NONE, "a à á ả ã ạ" },       { 'a', MOD_BREVE, "ă ằ ắ ẳ ẵ ặ" },
	{ 'a', MOD_CIRCUMFLEX, "â ầ ấ ẩ ẫ ậ" }, { 'e', MOD_NONE, "e è é ẻ ẽ ẹ" },
	{ 'e', MOD_CIRCUMFLEX, "ê ề ế ể ễ ệ" }, { 'i', MOD_NONE, "i ì í ỉ ĩ ị" },
	{ 'o', MOD_NONE, "o ò ó ỏ õ ọ" },       { 'o', MOD_CIRCUMFLEX, "ô ồ ố ổ ỗ ộ" },
	{ 'o', MOD_HORN, "ơ ờ ớ ở ỡ ợ" },       { 'u', MOD_NONE, "u ù ú ủ ũ ụ" },
	{ 'u', MOD_HORN, "ư ừ ứ ử ữ ự" },       { 'y', MOD_NONE, "y ỳ ý ỷ ỹ ỵ" },
	{ 'A', MOD_NONE, "A À Á Ả Ã Ạ" },       { 'A', MOD_BREVE, "Ă Ằ Ắ Ẳ Ẵ Ặ" },
	{ 'A', MOD_CIRCUMFLEX, "Â Ầ Ấ Ẩ Ẫ Ậ" }, { 'E', MOD_NONE, "E È É Ẻ Ẽ Ẹ" },
	{ 'E', MOD_CIRCUMFLEX, "Ê Ề Ế Ể Ễ Ệ" }, { 'I', MOD_NONE, "I Ì Í Ỉ Ĩ Ị" },
	{ 'O', MOD_NONE, "O Ò Ó Ỏ Õ Ọ" },       { 'O', MOD_CIRCUMFLEX, "Ô Ồ Ố Ổ Ỗ Ộ" },
	{ 'O', MOD_HORN, "Ơ Ờ Ớ Ở Ỡ Ợ" },       { 'U', MOD_NONE, "U Ù Ú Ủ Ũ Ụ" },
	{ 'U', MOD_HORN, "Ư Ừ Ứ Ử Ữ Ự" },       { 'Y', MOD_NONE, "Y Ỳ Ý Ỷ Ỹ Ỵ" },
};

static const char *prog = "compose";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The code point at *s, which moves past it; 0 at the end. */
static uint32_t utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t cp;
	int n;

	if (!*p)
		return 0;
	if (*p < 0x80) {
		cp = *p;
		n = 1;
	} else if ((*p & 0xe0) == 0xc0) {
		cp = *p & 0x1f;
		n = 2;
	} else if ((*p & 0xf0) == 0xe0) {
		cp = *p & 0x0f;
		n = 3;
	} else {
		cp = *p & 0x07;
		n = 4;
	}
	for (int i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	*s += n;
	return cp;
}

/* ---- reading and writing BDF ---- */

static void read_bdf(const char *path, struct font *f)
{
	FILE *in = fopen(path, "r");
	char line[1024];
	int fbb_w = 0, fbb_h = 0, fbb_x = 0, fbb_y = 0, descent = -1;
	struct glyph *g = NULL;
	int bbx_w = 0, bbx_h = 0, bbx_x = 0, bbx_y = 0, row = -1;
	long enc = -1;

	if (!in)
		die("%s: cannot be read", path);
	memset(f, 0, sizeof(*f));
	f->ascent = -1;
	f->glyphs = calloc(MAX_GLYPHS, sizeof(*f->glyphs));
	if (!f->glyphs)
		die("out of memory");
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (row >= 0 && strcmp(line, "ENDCHAR") != 0) {
			unsigned long bits = strtoul(line, NULL, 16);
			int bytes = (bbx_w + 7) / 8;
			int y = f->ascent - bbx_y - bbx_h + row;

			for (int x = 0; x < bbx_w; x++) {
				int cx = bbx_x - fbb_x + x;

				if (!(bits >> (bytes * 8 - 1 - x) & 1))
					continue;
				if (y < 0 || y >= f->h || cx < 0 || cx >= f->w)
					die("%s: glyph %ld draws outside its cell", path, enc);
				g->px[y][cx] = 1;
			}
			row++;
			continue;
		}
		if (sscanf(line, "FONTBOUNDINGBOX %d %d %d %d", &fbb_w, &fbb_h, &fbb_x, &fbb_y) == 4)
			continue;
		if (sscanf(line, "FONT_ASCENT %d", &f->ascent) == 1 ||
		    sscanf(line, "FONT_DESCENT %d", &descent) == 1)
			continue;
		if (!strncmp(line, "COPYRIGHT ", 10)) {
			snprintf(f->copyright, sizeof(f->copyright), "%s", line + 10);
		} else if (!strncmp(line, "NOTICE ", 7)) {
			snprintf(f->notice, sizeof(f->notice), "%s", line + 7);
		} else if (!strncmp(line, "CHARS ", 6)) {
			f->w = fbb_w;
			f->h = f->ascent + descent;
			if (f->ascent < 0 || descent < 0 || f->w < 1 || f->w > MAX_W || f->h < 1 ||
			    f->h > MAX_H)
				die("%s: a cell of %dx%d is not one this program draws", path, f->w, f->h);
		} else if (sscanf(line, "ENCODING %ld", &enc) == 1) {
			continue;
		} else if (sscanf(line, "BBX %d %d %d %d", &bbx_w, &bbx_h, &bbx_x, &bbx_y) == 4) {
			continue;
		} else if (!strcmp(line, "BITMAP")) {
			if (!f->w)
				die("%s: a glyph before CHARS", path);
			if (f->n == MAX_GLYPHS)
				die("%s: more than %d glyphs", path, MAX_GLYPHS);
			g = &f->glyphs[f->n];
			memset(g, 0, sizeof(*g));
			g->cp = enc < 0 ? 0xffffffff : (uint32_t)enc;
			row = 0;
		} else if (!strcmp(line, "ENDCHAR")) {
			if (row >= 0 && enc >= 0)
				f->n++;
			row = -1;
			enc = -1;
		}
	}
	fclose(in);
	if (!f->n)
		die("%s: no glyphs", path);
}

static void write_bdf(const char *path, const struct font *src, struct glyph *const *out, int n)
{
	FILE *o = fopen(path, "w");
	int descent = src->h - src->ascent;

	if (!o)
		die("%s: cannot be written", path);
	fprintf(o, "STARTFONT 2.1\n");
	fprintf(o, "FONT -fieldstation-Fieldstation-Medium-R-Normal--%d-%d-72-72-C-%d-ISO10646-1\n",
		src->h, src->h * 10, src->w * 10);
	fprintf(o, "SIZE %d 72 72\n", src->h);
	fprintf(o, "FONTBOUNDINGBOX %d %d 0 %d\n", src->w, src->h, -descent);
	fprintf(o, "STARTPROPERTIES 8\n");
	fprintf(o, "FAMILY_NAME \"Fieldstation\"\n");
	fprintf(o, "COPYRIGHT %s\n", src->copyright[0] ? src->copyright : "\"\"");
	fprintf(o, "NOTICE %s\n", src->notice[0] ? src->notice : "\"\"");
	fprintf(o, "COMMENT \"Terminus Font with composed Vietnamese letters\"\n");
	fprintf(o, "PIXEL_SIZE %d\n", src->h);
	fprintf(o, "AVERAGE_WIDTH %d\n", src->w * 10);
	fprintf(o, "FONT_ASCENT %d\n", src->ascent);
	fprintf(o, "FONT_DESCENT %d\n", descent);
	fprintf(o, "ENDPROPERTIES\n");
	fprintf(o, "CHARS %d\n", n);
	for (int i = 0; i < n; i++) {
		const struct glyph *g = out[i];

		fprintf(o, "STARTCHAR U+%04X\nENCODING %u\n", (unsigned)g->cp, (unsigned)g->cp);
		fprintf(o, "SWIDTH %d 0\nDWIDTH %d 0\n", 1000, src->w);
		fprintf(o, "BBX %d %d 0 %d\nBITMAP\n", src->w, src->h, -descent);
		for (int y = 0; y < src->h; y++) {
			unsigned long bits = 0;
			int bytes = (src->w + 7) / 8;

			for (int x = 0; x < src->w; x++)
				if (g->px[y][x])
					bits |= 1ul << (bytes * 8 - 1 - x);
			fprintf(o, "%0*lX\n", bytes * 2, bits);
		}
		fprintf(o, "ENDCHAR\n");
	}
	fprintf(o, "ENDFONT\n");
	if (fclose(o) != 0)
		die("%s: cannot be written", path);
}

/* ---- glyph operations ---- */

static const struct glyph *find(const struct font *f, uint32_t cp)
{
	for (int i = 0; i < f->n; i++)
		if (f->glyphs[i].cp == cp)
			return &f->glyphs[i];
	return NULL;
}

static const struct glyph *need(const struct font *f, uint32_t cp)
{
	const struct glyph *g = find(f, cp);

	if (!g)
		die("the source font has no U+%04X, needed to compose", (unsigned)cp);
	return g;
}

static int top_row(const struct font *f, const struct glyph *g)
{
	for (int y = 0; y < f->h; y++)
		for (int x = 0; x < f->w; x++)
			if (g->px[y][x])
				return y;
	return -1;
}

static int bottom_row(const struct font *f, const struct glyph *g)
{
	for (int y = f->h - 1; y >= 0; y--)
		for (int x = 0; x < f->w; x++)
			if (g->px[y][x])
				return y;
	return -1;
}

/* What an accented letter has that its plain letter has not: the mark,
 * where the source font puts it. */
static struct glyph mark_of(const struct font *f, uint32_t accented, uint32_t plain)
{
	const struct glyph *a = need(f, accented), *p = need(f, plain);
	struct glyph m = { 0 };

	for (int y = 0; y < f->h; y++)
		for (int x = 0; x < f->w; x++)
			m.px[y][x] = a->px[y][x] && !p->px[y][x];
	if (top_row(f, &m) < 0)
		die("U+%04X and U+%04X look the same: no mark between them", (unsigned)accented,
		    (unsigned)plain);
	return m;
}

static struct glyph from_art(const struct font *f, const char *const *art, int top, int left)
{
	struct glyph m = { 0 };

	for (int r = 0; art[r]; r++)
		for (int c = 0; art[r][c]; c++)
			if (art[r][c] == '#') {
				if (top + r < 0 || top + r >= f->h || left + c >= f->w)
					die("a drawn mark falls outside the cell");
				m.px[top + r][left + c] = 1;
			}
	return m;
}

/* Adds m moved down by dy rows (up when negative); it must stay inside. */
static void add(const struct font *f, struct glyph *g, const struct glyph *m, int dy)
{
	for (int y = 0; y < f->h; y++)
		for (int x = 0; x < f->w; x++) {
			if (!m->px[y][x])
				continue;
			if (y + dy < 0 || y + dy >= f->h)
				die("U+%04X: no room for its marks", (unsigned)g->cp);
			g->px[y + dy][x] = 1;
		}
}

static bool row_equal(const struct font *f, const struct glyph *g, int a, int b)
{
	return memcmp(g->px[a], g->px[b], (size_t)f->w) == 0;
}

static bool row_empty(const struct font *f, const struct glyph *g, int y)
{
	for (int x = 0; x < f->w; x++)
		if (g->px[y][x])
			return false;
	return true;
}

static void delete_row(const struct font *f, struct glyph *g, int y, bool pull_up)
{
	if (pull_up) {
		memmove(g->px[y], g->px[y + 1], (size_t)(f->h - 1 - y) * sizeof(g->px[0]));
		memset(g->px[f->h - 1], 0, sizeof(g->px[0]));
	} else {
		memmove(g->px[1], g->px[0], (size_t)y * sizeof(g->px[0]));
		memset(g->px[0], 0, sizeof(g->px[0]));
	}
}

/* A capital made n rows shorter for two marks above it, as Unifont and
 * the X fixed fonts do: rows are taken out of its longest straight
 * stretch, one at a time, so that its shape stays. */
static void shorten(const struct font *f, struct glyph *g, int n)
{
	for (int k = 0; k < n; k++) {
		int best = -1, best_len = 0, top = top_row(f, g);

		for (int y = top + 1; y < f->ascent;) {
			int len = 0;

			while (y + len < f->ascent && !row_empty(f, g, y + len) &&
			       row_equal(f, g, y + len, y - 1))
				len++;
			if (len > best_len) {
				best_len = len;
				best = y + len / 2;
			}
			y += len ? len : 1;
		}
		if (best < 0)
			die("U+%04X: no straight stretch to shorten", (unsigned)g->cp);
		delete_row(f, g, best, false);
	}
}

/* Is any pixel of m on or next to ink of g? */
static bool touches(const struct font *f, const struct glyph *g, const struct glyph *m)
{
	for (int y = 0; y < f->h; y++)
		for (int x = 0; x < f->w; x++) {
			if (!m->px[y][x])
				continue;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++)
					if (y + dy >= 0 && y + dy < f->h && x + dx >= 0 && x + dx < f->w &&
					    g->px[y + dy][x + dx])
						return true;
		}
	return false;
}

/* The dot below (nặng): the full stop's dot, under the middle of the
 * letter, one row below the baseline. A descender in the way (y) loses
 * rows of its straight stem, as in Unifont, and a square dot goes under
 * it. */
static void dot_below(const struct font *f, const struct art *a, struct glyph *g)
{
	const struct glyph *stop = need(f, '.');
	const struct glyph orig = *g;
	int st = top_row(f, stop), left = f->w, right = -1, ink_l = f->w, ink_r = -1;

	for (int y = 0; y < f->h; y++)
		for (int x = 0; x < f->w; x++) {
			if (stop->px[y][x]) {
				left = x < left ? x : left;
				right = x > right ? x : right;
			}
			if (g->px[y][x]) {
				ink_l = x < ink_l ? x : ink_l;
				ink_r = x > ink_r ? x : ink_r;
			}
		}
	for (int cut = 0; cut <= 3; cut++) {
		int rows = cut ? right - left + 1 : a->dot_rows;
		int y0 = cut ? f->h - rows : f->ascent + 1;
		int x0 = (ink_l + ink_r + 1) / 2 - (right - left + 1) / 2;
		struct glyph dot = { 0 };

		for (int r = 0; r < rows && y0 + r < f->h; r++)
			for (int x = left; x <= right; x++)
				if (stop->px[st + r][x])
					dot.px[y0 + r][x0 + x - left] = 1;
		if (!touches(f, g, &dot)) {
			add(f, g, &dot, 0);
			return;
		}
		if (row_empty(f, g, f->ascent) ||
		    memcmp(g->px[f->ascent], orig.px[f->ascent], (size_t)f->w) != 0)
			break;
		delete_row(f, g, f->ascent, true);
	}
	die("U+%04X: no room for the dot below", (unsigned)g->cp);
}

/* One Vietnamese letter the source font lacks: its plain letter (a
 * dotless i under a mark), the horn drawn on, then the breve or the
 * circumflex and the tone mark taken from the source's own accented
 * letters, stacked. */
static struct glyph compose(const struct font *f, const struct art *a, uint32_t cp, uint32_t base,
			    enum mod mod, enum tone tone)
{
	static const uint32_t tone_letter[] = { 0, 0x00e0, 0x00e1, 0, 0x00e3, 0 };
	bool upper = base >= 'A' && base <= 'Z';
	uint32_t lower = upper ? base + 32 : base;
	bool above = tone != TONE_NONE && tone != TONE_DOT;
	struct glyph g, grave = mark_of(f, upper ? 0x00c0 : 0x00e0, upper ? 'A' : 'a');
	struct glyph tm = { 0 }, mm = { 0 };
	int mark_top = top_row(f, &grave);

	g = *need(f, base == 'i' && (above || mod) ? 0x0131 : base);
	g.cp = cp;
	if (above && tone == TONE_HOOK) {
		int w = (int)strlen(a->hook[0]);

		tm = from_art(f, a->hook, mark_top, (f->w - w) / 2);
	} else if (above) {
		tm = mark_of(f, upper ? tone_letter[tone] - 32 : tone_letter[tone], upper ? 'A' : 'a');
	}
	if (mod == MOD_HORN) {
		const char *const *art = lower == 'o' ? a->horn_o : a->horn_u;
		int rows = 0;

		while (art[rows])
			rows++;
		mm = from_art(f, art, top_row(f, &g) - rows + 1, a->horn_x);
		add(f, &g, &mm, 0);
		mm = (struct glyph){ 0 };
	} else if (mod == MOD_BREVE) {
		mm = mark_of(f, upper ? 0x0102 : 0x0103, base);
	} else if (mod == MOD_CIRCUMFLEX) {
		uint32_t with = lower == 'a' ? 0x00e2 : lower == 'e' ? 0x00ea : 0x00f4;

		mm = mark_of(f, upper ? with - 32 : with, base);
	}
	if (above && top_row(f, &mm) >= 0) {
		/* Two marks: the tone above the breve or circumflex. A capital
		 * has no room above it for both, and is made shorter. */
		int tone_h = bottom_row(f, &tm) - top_row(f, &tm) + 1;
		int mod_h = bottom_row(f, &mm) - top_row(f, &mm) + 1;
		int gap = upper ? a->stack_gap : 1;

		if (upper) {
			int body_gap = top_row(f, &g) - bottom_row(f, &grave) - 1;
			int short_by = tone_h + gap + mod_h + body_gap - top_row(f, &g);

			int body_top;

			if (short_by > 0)
				shorten(f, &g, short_by);
			body_top = top_row(f, &g);
			add(f, &g, &mm, body_top - body_gap - 1 - bottom_row(f, &mm));
			add(f, &g, &tm, body_top - body_gap - mod_h - gap - 1 - bottom_row(f, &tm));
		} else {
			add(f, &g, &mm, 0);
			add(f, &g, &tm, top_row(f, &mm) - gap - 1 - bottom_row(f, &tm));
		}
	} else {
		add(f, &g, &mm, 0);
		if (above)
			add(f, &g, &tm, 0);
	}
	if (tone == TONE_DOT)
		dot_below(f, a, &g);
	return g;
}

/* ---- the set ---- */

static int read_set(const char *path, uint32_t *set)
{
	FILE *in = fopen(path, "r");
	char line[256];
	int n = 0;
	unsigned cp;

	if (!in)
		die("%s: cannot be read", path);
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "U+%x", &cp) != 1)
			continue;
		for (int i = 0; i < n; i++)
			if (set[i] == cp)
				die("%s: U+%04X is listed twice", path, cp);
		if (n == MAX_SET)
			die("%s: more than %d characters", path, MAX_SET);
		set[n++] = cp;
	}
	fclose(in);
	return n;
}

/* Where cp is among the Vietnamese vowels: row and form; false if not. */
static bool vowel_of(uint32_t cp, int *row, enum tone *tone)
{
	for (size_t r = 0; r < sizeof(vowels) / sizeof(vowels[0]); r++) {
		const char *s = vowels[r].forms;
		uint32_t c;
		int form = 0;

		while ((c = utf8_next(&s)) != 0) {
			if (c == ' ') {
				form++;
				continue;
			}
			if (c == cp) {
				*row = (int)r;
				*tone = (enum tone)form;
				return true;
			}
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	static uint32_t set[MAX_SET];
	static struct glyph made[MAX_SET];
	static struct glyph *out[MAX_SET];
	const struct art *a = NULL;
	struct font src;
	int n, composed = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SOURCE.bdf SYMBOLS.set OUT.bdf\n", prog);
		return 2;
	}
	read_bdf(argv[1], &src);
	n = read_set(argv[2], set);
	for (size_t i = 0; i < sizeof(arts) / sizeof(arts[0]); i++)
		if (arts[i].w == src.w && arts[i].h == src.h)
			a = &arts[i];
	for (int i = 0; i < n; i++) {
		const struct glyph *g = find(&src, set[i]);
		enum tone tone;
		int row;

		if (g) {
			out[i] = (struct glyph *)g;
			continue;
		}
		if (!vowel_of(set[i], &row, &tone))
			die("%s has no U+%04X, and it is not a Vietnamese letter to compose", argv[1],
			    (unsigned)set[i]);
		if (!a)
			die("%s lacks Vietnamese letters, and no marks are drawn here for a %dx%d cell",
			    argv[1], src.w, src.h);
		made[i] = compose(&src, a, set[i], vowels[row].base, vowels[row].mod, tone);
		out[i] = &made[i];
		composed++;
	}
	write_bdf(argv[3], &src, out, n);
	printf("%s: %d glyphs, %d of them composed\n", argv[3], n, composed);
	return 0;
}
