/* Opening libxlsxwriter while a workbook is written: see xlsx.h. */
#include "xlsx.h"

#include "dynlib.h"
#include "text.h"

#include <dlfcn.h>
#include <stdio.h>

static struct xlsx x;
static void *lib;
static int holders;

const struct xlsx *xlsx_hold(char *err, size_t errlen)
{
	static const struct dynlib_sym syms[] = {
		{ "format_set_align", (void **)&x.format_set_align },
		{ "format_set_bold", (void **)&x.format_set_bold },
		{ "format_set_font_color", (void **)&x.format_set_font_color },
		{ "format_set_font_size", (void **)&x.format_set_font_size },
		{ "format_set_num_format", (void **)&x.format_set_num_format },
		{ "format_set_text_wrap", (void **)&x.format_set_text_wrap },
		{ "format_set_underline", (void **)&x.format_set_underline },
		{ "lxw_strerror", (void **)&x.lxw_strerror },
		{ "lxw_workbook_free", (void **)&x.lxw_workbook_free },
		{ "workbook_add_format", (void **)&x.workbook_add_format },
		{ "workbook_add_worksheet", (void **)&x.workbook_add_worksheet },
		{ "workbook_close", (void **)&x.workbook_close },
		{ "workbook_new_opt", (void **)&x.workbook_new_opt },
		{ "workbook_set_properties", (void **)&x.workbook_set_properties },
		{ "workbook_validate_sheet_name", (void **)&x.workbook_validate_sheet_name },
		{ "worksheet_autofilter", (void **)&x.worksheet_autofilter },
		{ "worksheet_freeze_panes", (void **)&x.worksheet_freeze_panes },
		{ "worksheet_set_column", (void **)&x.worksheet_set_column },
		{ "worksheet_set_row", (void **)&x.worksheet_set_row },
		{ "worksheet_write_datetime", (void **)&x.worksheet_write_datetime },
		{ "worksheet_write_number", (void **)&x.worksheet_write_number },
		{ "worksheet_write_string", (void **)&x.worksheet_write_string },
		{ "worksheet_write_url_opt", (void **)&x.worksheet_write_url_opt },
	};
	char why[256];

	if (!lib) {
		lib = dynlib_open("libxlsxwriter.so.4", syms, sizeof(syms) / sizeof(syms[0]), why,
				  sizeof(why));
		if (!lib) {
			snprintf(err, errlen,
				 _("the spreadsheet library cannot be loaded (%s): install libxlsxwriter4"),
				 why);
			return NULL;
		}
	}
	holders++;
	return &x;
}

void xlsx_release(void)
{
	if (holders > 0 && --holders == 0 && lib) {
		dlclose(lib);
		lib = NULL;
	}
}
