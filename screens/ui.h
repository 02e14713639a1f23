/* The screen manager: ncurses, the keypad as one more file descriptor of
 * the loop, the stack of open screens, the status line, and messages. */
#ifndef FS_UI_H
#define FS_UI_H

#include "screen.h"

#include <stdbool.h>
#include <stddef.h>

struct app;
struct ui;

#define UI_MIN_COLS 40
#define UI_MIN_LINES 12

/* Is the terminal on fd large enough? Fills the size it found. */
bool ui_terminal_fits(int fd, int *cols, int *lines);

/* Starts ncurses on the terminal and opens the home screen. NULL with one
 * sentence in err on failure. */
struct ui *ui_new(struct app *app, char *err, size_t errlen);
/* Restores the terminal. */
void ui_free(struct ui *ui);
/* The terminal changed size (SIGWINCH). */
void ui_resize(struct ui *ui);

struct app *ui_app(struct ui *ui);
/* One line for the farmer below the screen, until the next key. */
void ui_say(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same of the pumps' state ("Bơm 1 đã chạy"), also said aloud: it
 * goes as soon as a pump starts or stops, when it may no longer be true. */
void ui_say_pumps(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, also said aloud: a record saved, with its lot code. */
void ui_say_aloud(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, for something that went wrong or was refused. */
void ui_alert(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The worker chosen last on any screen, offered first on the next: the
 * index in the configuration's workers. */
int ui_last_worker(const struct ui *ui);
void ui_set_last_worker(struct ui *ui, int worker);
/* The rows a screen may draw in: from ui_top() to ui_bottom(), inclusive. */
int ui_top(const struct ui *ui);
int ui_bottom(const struct ui *ui);

#endif
