#!/usr/bin/env python3
"""Reads spreadsheets back as an office's computer would, independently of
the station: an .xlsx with Python's zipfile and XML parser alone, a CSV
with the csv module, the station's database with sqlite3; and compares
them cell by cell. Prints "ok   ..." and "FAIL ..." lines as the shell
tests do (tests/e2e/lib.sh counts them).

  sheets.py csv-as-read CSV XLSX WHAT
      XLSX is what a spreadsheet (LibreOffice) made of CSV: every field
      must have become the cell it was written as (a date a date cell, a
      number a number, any other text the same text), and no formula.
  sheets.py harvest-cells XLSX DB WHAT
      The harvest rows of that spreadsheet hold the station's records.
"""
import csv
import datetime
import re
import sqlite3
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
MARK = "\u200b"  # what the station writes before a text that looks like a value
EPOCH = datetime.datetime(1899, 12, 30)
FAILS = 0


def ok(what):
    print("ok   " + what)


def bad(what):
    global FAILS
    FAILS += 1
    print("FAIL " + what)


class Cell:
    def __init__(self, kind, value, fmt, formula):
        self.kind = kind  # "text", "number", "bool", "error"
        self.value = value
        self.fmt = fmt  # the number format's code ("General", "dd/mm/yyyy"...)
        self.formula = formula

    def is_date(self):
        # A date format has a day or a year; "h:mm" alone is a time.
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", self.fmt or "").lower()
        return self.kind == "number" and ("d" in code or "y" in code)

    def __repr__(self):
        return "%s %r [%s]%s" % (self.kind, self.value, self.fmt,
                                 " formula" if self.formula else "")


# Excel's built-in number formats that matter here.
BUILTIN = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%",
           10: "0.00%", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
           18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
           22: "m/d/yy h:mm", 49: "@"}


def col_index(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def ref_of(row, col):
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return "%s%d" % (letters, row)


def text_of(el):
    return "".join(t.text or "" for t in el.iter("{%s}t" % NS["m"]))


class Sheet:
    def __init__(self, name):
        self.name = name
        self.cells = {}  # (row, col) -> Cell
        self.frozen = (0, 0)  # rows, columns frozen
        self.widths = {}  # col -> width
        self.autofilter = None

    def get(self, row, col):
        return self.cells.get((row, col))

    def rows(self):
        return max([r for r, _ in self.cells] or [0])

    def row(self, r):
        last = max([c for rr, c in self.cells if rr == r] or [0])
        return [self.cells.get((r, c)) for c in range(1, last + 1)]


def read_xlsx(path):
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    strings = []
    if "xl/sharedStrings.xml" in names:
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            strings.append(text_of(si))
    formats = []
    styles = ET.fromstring(z.read("xl/styles.xml"))
    custom = {int(f.get("numFmtId")): f.get("formatCode")
              for f in styles.iter("{%s}numFmt" % NS["m"])}
    xfs = styles.find("m:cellXfs", NS)
    for xf in xfs.findall("m:xf", NS):
        fid = int(xf.get("numFmtId", "0"))
        formats.append(custom.get(fid, BUILTIN.get(fid, "General")))
    rels = {}
    for rel in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).findall("rel:Relationship", NS):
        target = rel.get("Target").lstrip("/")
        rels[rel.get("Id")] = target if target.startswith("xl/") else "xl/" + target
    book = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = []
    for s in book.find("m:sheets", NS).findall("m:sheet", NS):
        sheet = Sheet(s.get("name"))
        xml = ET.fromstring(z.read(rels[s.get("{%s}id" % NS["r"])]))
        for pane in xml.iter("{%s}pane" % NS["m"]):
            if pane.get("state") == "frozen":
                sheet.frozen = (int(float(pane.get("ySplit", "0"))),
                                int(float(pane.get("xSplit", "0"))))
        for c in xml.iter("{%s}col" % NS["m"]):
            for i in range(int(c.get("min")), int(c.get("max")) + 1):
                sheet.widths[i] = float(c.get("width", "0"))
        af = xml.find("m:autoFilter", NS)
        if af is not None:
            sheet.autofilter = af.get("ref")
        for c in xml.iter("{%s}c" % NS["m"]):
            m = re.match(r"([A-Z]+)(\d+)$", c.get("r"))
            pos = (int(m.group(2)), col_index(m.group(1)))
            t = c.get("t", "n")
            v = c.find("m:v", NS)
            f = c.find("m:f", NS)
            fmt = formats[int(c.get("s", "0"))]
            raw = v.text if v is not None else None
            if t == "s":
                cell = Cell("text", strings[int(raw)], fmt, f is not None)
            elif t == "inlineStr":
                cell = Cell("text", text_of(c.find("m:is", NS)), fmt, f is not None)
            elif t == "str":
                cell = Cell("text", raw or "", fmt, True)
            elif t == "b":
                cell = Cell("bool", raw == "1", fmt, f is not None)
            elif t == "e":
                cell = Cell("error", raw, fmt, f is not None)
            elif raw is None:
                continue  # a styled empty cell
            else:
                cell = Cell("number", float(raw), fmt, f is not None)
            sheet.cells[pos] = cell
        sheets.append(sheet)
    return sheets


def serial(dt):
    return (dt - EPOCH).total_seconds() / 86400.0


DATE = re.compile(r"(\d\d)/(\d\d)/(\d{4})$")
DATE_TIME = re.compile(r"(\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d)$")
NUMBER = re.compile(r"-?\d+(,\d+)?$")


def field_as_cell(field):
    """The cell a field was written to become: (kind, value, date?)."""
    m = DATE_TIME.match(field)
    if m:
        d, mo, y, h, mi = map(int, m.groups())
        return ("number", serial(datetime.datetime(y, mo, d, h, mi)), True)
    m = DATE.match(field)
    if m:
        d, mo, y = map(int, m.groups())
        return ("number", serial(datetime.datetime(y, mo, d)), True)
    if NUMBER.match(field):
        return ("number", float(field.replace(",", ".")), False)
    return ("text", field, False)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=";"))


def csv_as_read(csv_path, xlsx_path, what):
    rows = read_csv(csv_path)
    sheet = read_xlsx(xlsx_path)[0]
    cells = wrong = marked = 0
    for r, fields in enumerate(rows, 1):
        for c, field in enumerate(fields, 1):
            got = sheet.get(r, c)
            if field == "":
                if got is not None and not (got.kind == "text" and got.value == ""):
                    wrong += 1
                    if wrong <= 5:
                        bad("%s %s: empty field read as %r" % (what, ref_of(r, c), got))
                continue
            cells += 1
            kind, value, date = field_as_cell(field)
            marked += field.startswith(MARK)
            good = (got is not None and not got.formula and got.kind == kind and
                    (abs(got.value - value) < 1e-6 if kind == "number" else got.value == value)
                    and got.is_date() == date)
            if not good:
                wrong += 1
                if wrong <= 5:
                    bad("%s %s: %r was read as %r" % (what, ref_of(r, c), field, got))
    extra = [ref_of(r, c) for (r, c) in sheet.cells if r > len(rows) or c > len(rows[r - 1])]
    if extra:
        bad("%s: cells the file does not have: %s" % (what, " ".join(extra[:5])))
    elif wrong == 0:
        ok("%s: all %d cells read as written (%d text marked)" % (what, cells, marked))


def harvest_cells(xlsx_path, db_path, what):
    """The harvest file as a spreadsheet read it: the station's own
    records, text as typed (the mark shows as nothing), numbers and dates
    as such."""
    sheet = read_xlsx(xlsx_path)[0]
    head = [c.value if c else None for c in sheet.row(1)]
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    code = db.execute("SELECT value FROM meta WHERE key = 'station_code'").fetchone()[0]
    recs = db.execute("SELECT id, day, kg, grade, buyer, who_name, lot_code, entered_at"
                      " FROM records WHERE kind = 'harvest' ORDER BY day, id").fetchall()
    if sheet.rows() - 1 != len(recs):
        bad("%s: %d rows, the station has %d harvests" % (what, sheet.rows() - 1, len(recs)))
        return
    col = {name: i + 1 for i, name in enumerate(head)}
    for n, (rid, day, kg, grade, buyer, who, lot, entered) in enumerate(recs, 2):
        want = {"Trạm": code, "Số": float(rid), "Mã lô": lot, "Khối lượng (kg)": kg,
                "Phân loại": grade, "Người mua": buyer, "Người thu hoạch": who}
        for name, value in want.items():
            cell = sheet.get(n, col.get(name, 0))
            shown = cell.value.replace(MARK, "") if cell and cell.kind == "text" else None
            if isinstance(value, float):
                good = cell is not None and cell.kind == "number" and abs(cell.value - value) < 1e-9
            else:
                good = cell is not None and cell.kind == "text" and shown == value
            if good:
                ok("%s: %s %r is %s, shown as typed" % (what, name, value,
                                                      "a number" if isinstance(value, float) else "text"))
            else:
                bad("%s: %s should be %r, is %r" % (what, name, value, cell))
        cell = sheet.get(n, col.get("Ngày", 0))
        y, mo, d = map(int, day.split("-"))
        if cell is not None and cell.is_date() and abs(cell.value - serial(datetime.datetime(y, mo, d))) < 1e-9:
            ok("%s: the day %s is a date cell" % (what, day))
        else:
            bad("%s: the day %s is %r" % (what, day, cell))


def main():
    cmd = sys.argv[1]
    if cmd == "csv-as-read":
        csv_as_read(*sys.argv[2:5])
    elif cmd == "harvest-cells":
        harvest_cells(*sys.argv[2:5])
    else:
        sys.exit("unknown command %s" % cmd)
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
