/* libxlsxwriter, opened only while a workbook is written (a copy to a
 * stick, `fieldstation export`): linked into the program it would hold
 * itself, minizip and OpenSSL's libcrypto resident in every station from
 * its start, about 1.8 MB, for a file written once in a while. */
#ifndef FS_XLSX_H
#define FS_XLSX_H

#include <stddef.h>
#include <xlsxwriter.h>

struct xlsx {
	__typeof__(&format_set_align) format_set_align;
	__typeof__(&format_set_bold) format_set_bold;
	__typeof__(&format_set_font_color) format_set_font_color;
	__typeof__(&format_set_font_size) format_set_font_size;
	__typeof__(&format_set_num_format) format_set_num_format;
	__typeof__(&format_set_text_wrap) format_set_text_wrap;
	__typeof__(&format_set_underline) format_set_underline;
	__typeof__(&lxw_strerror) lxw_strerror;
	__typeof__(&lxw_workbook_free) lxw_workbook_free;
	__typeof__(&workbook_add_format) workbook_add_format;
	__typeof__(&workbook_add_worksheet) workbook_add_worksheet;
	__typeof__(&workbook_close) workbook_close;
	__typeof__(&workbook_new_opt) workbook_new_opt;
	__typeof__(&workbook_set_properties) workbook_set_properties;
	__typeof__(&workbook_validate_sheet_name) workbook_validate_sheet_name;
	__typeof__(&worksheet_autofilter) worksheet_autofilter;
	__typeof__(&worksheet_freeze_panes) worksheet_freeze_panes;
	__typeof__(&worksheet_set_column) worksheet_set_column;
	__typeof__(&worksheet_set_row) worksheet_set_row;
	__typeof__(&worksheet_write_datetime) worksheet_write_datetime;
	__typeof__(&worksheet_write_number) worksheet_write_number;
	__typeof__(&worksheet_write_string) worksheet_write_string;
	__typeof__(&worksheet_write_url_opt) worksheet_write_url_opt;
};

/* The library, opened at the first call; each call wants an
 * xlsx_release(). NULL with err when it cannot be (libxlsxwriter4 not
 * installed). */
const struct xlsx *xlsx_hold(char *err, size_t errlen);
/* The last release closes the library, and gives its memory back. */
void xlsx_release(void);

#endif
