/* The keypad's keys as the screens see them. A numeric keypad alone can do
 * everything, NumLock on or off; a full keyboard's keys work too. */
#ifndef FS_KEYS_H
#define FS_KEYS_H

/* Digits and '.', '+', '-', '*', '/' are their characters. */
enum {
	K_ENTER = '\n',
	K_BACK = 0x200,		/* Backspace, Esc */
	K_UP,
	K_DOWN,
	K_LEFT,
	K_RIGHT,
	K_RESIZE,
};

/* ncurses key code -> the key above, or 0 if the key means nothing. */
int keys_translate(int ch);
/* Teach ncurses the keypad's application-mode sequences. */
void keys_define(void);

#endif
