/* The keymap. The station puts the terminal's keypad into application
 * mode, where its keys send their own sequences whatever NumLock says;
 * terminals that ignore that mode send digits (NumLock on) or cursor keys
 * (NumLock off), and both are in the table too. */
#include "keys.h"

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Our codes for the keypad's application-mode keys, past ncurses' own. */
enum {
	KP_BASE = KEY_MAX + 1,
	KP_0 = KP_BASE, KP_1, KP_2, KP_3, KP_4, KP_5, KP_6, KP_7, KP_8, KP_9,
	KP_DOT, KP_PLUS, KP_MINUS, KP_STAR, KP_SLASH, KP_ENTER, KP_COMMA,
};

static const struct {
	const char *seq;
	int code;
} keypad_seqs[] = {
	{ "\033Op", KP_0 }, { "\033Oq", KP_1 }, { "\033Or", KP_2 }, { "\033Os", KP_3 },
	{ "\033Ot", KP_4 }, { "\033Ou", KP_5 }, { "\033Ov", KP_6 }, { "\033Ow", KP_7 },
	{ "\033Ox", KP_8 }, { "\033Oy", KP_9 }, { "\033On", KP_DOT }, { "\033Ok", KP_PLUS },
	{ "\033Om", KP_MINUS }, { "\033Oj", KP_STAR }, { "\033Oo", KP_SLASH },
	{ "\033OM", KP_ENTER }, { "\033Ol", KP_COMMA },
};

/* The Linux console's own application keypad (drivers/tty/vt/keyboard.c):
 * + - * / send ESC O l, S, R, Q, where xterm sends ESC O k, m, j, o, and
 * ESC O l is xterm's keypad comma. */
static const struct {
	const char *seq;
	int code;
} linux_keypad_seqs[] = {
	{ "\033Ol", KP_PLUS }, { "\033OS", KP_MINUS }, { "\033OR", KP_STAR }, { "\033OQ", KP_SLASH },
};

/* What each key means: read this table against the keypad map in
 * README.md. */
static const struct {
	int ch;
	int key;
} keymap[] = {
	/* The keypad in application mode. */
	{ KP_0, '0' }, { KP_1, '1' }, { KP_2, '2' }, { KP_3, '3' }, { KP_4, '4' },
	{ KP_5, '5' }, { KP_6, '6' }, { KP_7, '7' }, { KP_8, '8' }, { KP_9, '9' },
	{ KP_DOT, '.' }, { KP_COMMA, '.' }, { KP_PLUS, '+' }, { KP_MINUS, '-' },
	{ KP_STAR, '*' }, { KP_SLASH, '/' }, { KP_ENTER, K_ENTER },
	/* ncurses' own names for five keypad keys. */
	{ KEY_A1, '7' }, { KEY_A3, '9' }, { KEY_B2, '5' }, { KEY_C1, '1' }, { KEY_C3, '3' },
	/* NumLock off where application mode is ignored: keys that mean
	 * nothing else take their digit; the arrows stay arrows, so 2, 4, 6
	 * and 8 move the highlight there. */
	{ KEY_END, '1' }, { KEY_NPAGE, '3' }, { KEY_HOME, '7' }, { KEY_PPAGE, '9' },
	{ KEY_IC, '0' }, { KEY_DC, '.' },
	/* Enter, Backspace, Esc and the arrows. */
	{ '\n', K_ENTER }, { '\r', K_ENTER }, { KEY_ENTER, K_ENTER },
	{ KEY_BACKSPACE, K_BACK }, { 127, K_BACK }, { 8, K_BACK }, { 27, K_BACK },
	{ KEY_UP, K_UP }, { KEY_DOWN, K_DOWN }, { KEY_LEFT, K_LEFT }, { KEY_RIGHT, K_RIGHT },
	{ KEY_RESIZE, K_RESIZE },
	{ ',', '.' },
};

void keys_define(void)
{
	bool linux_console = strncmp(termname(), "linux", 5) == 0;

	for (size_t i = 0; i < sizeof(keypad_seqs) / sizeof(keypad_seqs[0]); i++)
		if (!linux_console || keypad_seqs[i].code != KP_COMMA)
			define_key(keypad_seqs[i].seq, keypad_seqs[i].code);
	if (linux_console)
		for (size_t i = 0; i < sizeof(linux_keypad_seqs) / sizeof(linux_keypad_seqs[0]); i++)
			define_key(linux_keypad_seqs[i].seq, linux_keypad_seqs[i].code);
}

int keys_translate(int ch)
{
	for (size_t i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++)
		if (keymap[i].ch == ch)
			return keymap[i].key;
	if ((ch >= '0' && ch <= '9') || ch == '.' || ch == '+' || ch == '-' || ch == '*' ||
	    ch == '/')
		return ch;
	/* Letters for a full keyboard: q goes back, h explains the keys. */
	if (ch == 'q' || ch == 'Q')
		return K_BACK;
	if (ch == 'h' || ch == 'H' || ch == '?')
		return '*';
	return 0;
}
