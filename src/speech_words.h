/* What the voice says for a text the screen shows: numbers, dates,
 * times, money, units and codes in the words of the language, so that a
 * speech synthesiser never reads digits one by one or "percent" in a
 * Vietnamese sentence. */
#ifndef FS_SPEECH_WORDS_H
#define FS_SPEECH_WORDS_H

#include <stddef.h>

/* text (UTF-8, as shown: 38,3%, 10/06/2026 08:00, 1.250 kg, 3.640 đ,
 * PT01-260610-01) in spoken words of lang, "vi" or "en" (the number
 * marks are those of the language: 1.250,5 in Vietnamese, 1,250.5 in
 * English). Cut at a whole word to fit n. Returns out. */
char *speech_words(char *out, size_t n, const char *text, const char *lang);

/* A whole number in words ("hai ngàn không trăm hai mươi sáu",
 * "two thousand twenty-six"). Returns out. */
char *speech_number(char *out, size_t n, long long v, const char *lang);

#endif
