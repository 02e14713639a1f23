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
  sheets.py workbook-cells XLSX FOLDER WHAT
      Only the diaries' cells of a workbook (as a spreadsheet saved it
      again), against the CSVs of FOLDER.
  sheets.py cell-at XLSX SHEET REF SHOWN
      That cell is a date shown as SHOWN (its start: dd/mm/yyyy hh:mm).
  sheets.py workbook XLSX FOLDER DB MADE [CONFIG]
      The export's workbook: its first sheet (station, period, MADE as
      YYYY-MM-DDTHH:MM, its sheets), a sheet per CSV of FOLDER holding
      the same cells typed, the station's records in them as its database
      holds them, and with CONFIG (a station's, not an office's) the lots'
      sheets as the lots' rule gives them, computed here anew.
"""
import configparser
import csv
import datetime
import math
import os
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


ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def text_of(el):
    """A cell's text as a spreadsheet shows it: _xHHHH_ is the character
    U+HHHH (how the format writes what XML cannot hold, and '_' itself)."""
    raw = "".join(t.text or "" for t in el.iter("{%s}t" % NS["m"]))
    return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw)


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


# What the workbook's headers and words are in Vietnamese.
VI = {
    "station": "Trạm", "no": "Số", "date": "Ngày", "zone": "Khu", "product": "Sản phẩm",
    "amount": "Lượng", "unit": "Đơn vị", "done_by": "Người làm", "entered": "Ghi lúc",
    "crop": "Cây trồng", "lot": "Mã lô", "kg": "Khối lượng (kg)", "grade": "Phân loại",
    "buyer": "Người mua", "harvested_by": "Người thu hoạch", "start": "Bắt đầu",
    "end": "Kết thúc", "harvest_day": "Ngày thu hoạch", "recorded": "Ghi thu hoạch lúc",
    "work": "Công việc", "phi": "Thời gian cách ly (ngày)", "harvest_from": "Thu hoạch từ",
    "interval": "Cách ly lúc thu hoạch", "pump": "Máy bơm", "runs": "Số lần",
    "hours": "Số giờ", "kwh": "Điện (kWh)", "cost": "Tiền điện",
}
INTERVAL = {
    "ended": "đã hết trước khi thu hoạch",
    "allowed": "thu hoạch trong thời gian cách ly: quản lý đã cho phép bằng mã PIN",
    "after": "thu hoạch trong thời gian cách ly: lần phun này được ghi sau khi thu hoạch,"
             " nên lúc thu hoạch chưa được kiểm tra với nó",
    "inside": "thu hoạch trong thời gian cách ly",
}


def field_meaning(field):
    """What a CSV field says, as a workbook cell should say it."""
    if field == "":
        return None
    if field.startswith(MARK):
        return ("text", field[len(MARK):], False)
    return field_as_cell(field)


def same(cell, want):
    if want is None:
        return cell is None
    kind, value, date = want
    if cell is None or cell.formula or cell.kind != kind:
        return False
    if kind == "number":
        return abs(cell.value - value) < 1e-6 and cell.is_date() == date
    return cell.value == value


def local_serial(t):
    return serial(datetime.datetime.fromtimestamp(t).replace(second=0, microsecond=0))


def day_serial(iso):
    y, m, d = map(int, iso.split("-"))
    return serial(datetime.datetime(y, m, d))


def col_of(sheet):
    return {c.value: i + 1 for i, c in enumerate(sheet.row(1)) if c is not None}


def cell_is(sheet, r, col, name, want, what):
    """The cell of header `name` in row r is want: a str (text), a float
    (number), ("date", serial) or ("time", serial), or None (empty)."""
    c = col.get(name)
    cell = sheet.get(r, c) if c else None
    if want is None or want == "":
        good = cell is None or (cell.kind == "text" and cell.value == "")
    elif isinstance(want, str):
        good = cell is not None and cell.kind == "text" and cell.value == want
    elif isinstance(want, tuple):
        good = cell is not None and cell.is_date() and abs(cell.value - want[1]) < 1e-6 and \
            ((":" in cell.fmt or "h" in cell.fmt.lower()) == (want[0] == "time"))
    else:
        good = cell is not None and cell.kind == "number" and not cell.is_date() and \
            abs(cell.value - want) < 1e-6
    if not good:
        bad("%s, row %d, %s: should be %r, is %r" % (what, r, name, want, cell))
    return good


def sheet_form(sheet, rows, what):
    """Header frozen, a filter over the table, columns as wide as their
    cells (up to the widest the station sets)."""
    cols = len(sheet.row(1))
    good = sheet.frozen == (1, 0)
    if not good:
        bad("%s: the header row is not frozen (%s)" % (what, sheet.frozen))
    want_filter = "A1:%s" % ref_of(max(rows, 1) + 1, cols)
    if sheet.autofilter != want_filter:
        good = False
        bad("%s: filter %s, not %s" % (what, sheet.autofilter, want_filter))
    for c in range(1, cols + 1):
        widest = 0
        for r in range(2, rows + 2):
            cell = sheet.get(r, c)
            if cell is None:
                continue
            if cell.kind == "text":
                n = max(len(line) for line in cell.value.split("\n"))
            elif cell.is_date():
                n = 16 if ("h" in cell.fmt.lower()) else 10
            else:
                dec = cell.fmt.split(".")[1].count("0") if "." in cell.fmt else 0
                n = len("%.*f" % (dec, cell.value)) if cell.fmt != "General" else len("%g" % cell.value)
            widest = max(widest, n)
        if sheet.widths.get(c, 8.43) < min(widest, 58):
            good = False
            bad("%s: column %s is %.1f wide for cells of %d characters" %
                (what, ref_of(1, c)[:-1], sheet.widths.get(c, 0), widest))
    return good


def diary_sheets(book, folder, what, form=True):
    """Each diary's CSV and its sheet, cell for cell; returns the sheets
    by the CSV's name."""
    found = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".csv") or name.startswith("truy-xuat-"):
            continue
        rows = read_csv(os.path.join(folder, name))
        head = rows[0]
        match = [s for s in book[1:] if [c.value if c else "" for c in s.row(1)] == head]
        if len(match) != 1:
            bad("%s: no sheet has the header of %s" % (what, name))
            continue
        sheet = match[0]
        found[name] = sheet
        wrong = 0
        for r, fields in enumerate(rows[1:], 2):
            for c, field in enumerate(fields, 1):
                if not same(sheet.get(r, c), field_meaning(field)):
                    wrong += 1
                    if wrong <= 5:
                        bad("%s: sheet %s %s is %r, %s says %r" % (what, sheet.name, ref_of(r, c),
                                                                 sheet.get(r, c), name, field))
        if sheet.rows() != len(rows):
            wrong += 1
            bad("%s: sheet %s has %d rows, %s %d" % (what, sheet.name, sheet.rows(), name, len(rows)))
        if wrong == 0:
            ok("%s: sheet %s holds %s cell for cell, typed (%d rows)" %
               (what, sheet.name, name, len(rows) - 1))
        if form and sheet_form(sheet, len(rows) - 1, "%s: sheet %s" % (what, sheet.name)):
            ok("%s: sheet %s has its header frozen, a filter and columns that fit" % (what, sheet.name))
    return found


def about_sheet(book, db, made, office, found, what):
    about = book[0]
    rows = {about.get(r, 1).value: r for r in range(1, about.rows() + 1)
            if about.get(r, 1) is not None and about.get(r, 1).kind == "text"}
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key LIKE 'station_%'"))
    good = about.name == "Thông tin"
    if office:
        stations = ["%s (%s)" % (n, c) for c, n in
                    db.execute("SELECT code, name FROM stations ORDER BY code, id")]
        r = rows.get("Các trạm", 0)
        listed = [about.get(r + i, 2).value if about.get(r + i, 2) else None for i in range(len(stations))]
        good &= about.get(1, 1).value == "Sổ ghi chép của các trạm, gộp tại văn phòng" and listed == stations
    else:
        good &= about.get(1, 1).value == "Sổ ghi chép của trạm %s" % meta["station_code"]
        good &= cell_is(about, rows.get("Trạm", 0), {"x": 2}, "x",
                        "%s (%s)" % (meta["station_name"], meta["station_code"]), what)
    y, mo, d, h, mi = map(int, re.split("[-T:]", made))
    good &= cell_is(about, rows.get("Tạo lúc", 0), {"x": 2}, "x",
                    ("time", serial(datetime.datetime(y, mo, d, h, mi))), what)
    # The period covers every record and run there is.
    first = rows.get("Ghi chép từ", 0)
    last = rows.get("Ghi chép đến", 0)
    span = db.execute("SELECT min(a), max(b) FROM (SELECT min(entered_at) a, max(entered_at) b"
                      " FROM records UNION ALL SELECT min(started), max(coalesce(ended, started))"
                      " FROM pump_runs)").fetchone()
    if span[0] is not None:
        f, t = about.get(first, 2), about.get(last, 2)
        good &= f is not None and t is not None and f.is_date() and t.is_date() and \
            f.value <= local_serial(span[0]) + 1e-6 and t.value >= local_serial(span[1]) - 1e-6
    # Each sheet after the first, named and linked, with its rows.
    sheet_row = rows.get("Trang tính", 0)
    names = [about.get(sheet_row + i, 1).value if about.get(sheet_row + i, 1) else None
             for i in range(1, len(book))]
    good &= names == [s.name for s in book[1:]]
    for name, sheet in found.items():
        r = sheet_row + 1 + names.index(sheet.name)
        good &= cell_is(about, r, {"x": 3}, "x", float(sheet.rows() - 1), what)
    if good:
        ok("%s: the first sheet names the %s, the period, when it was made (%s) and each sheet"
           " with its rows" % (what, "stations" if office else "station", made))
    else:
        bad("%s: the first sheet: %r" % (what, [[c.value if c else None for c in about.row(r)]
                                                 for r in range(1, about.rows() + 1)]))


def records_in_sheets(found, db, what):
    """The station's own records, as its database holds them."""
    checks = [
        ("thu-hoach.csv", "harvest",
         [("no", "id", float), ("date", "day", "day"), ("zone", "zone_name", str),
          ("crop", "crop", str), ("lot", "lot_code", str), ("kg", "kg", float),
          ("grade", "grade", str), ("buyer", "buyer", str),
          ("harvested_by", "who_name", str), ("entered", "entered_at", "time")]),
        ("bon-phan.csv", "fertilize",
         [("no", "id", float), ("date", "day", "day"), ("zone", "zone_name", str),
          ("product", "product_name", str), ("amount", "amount", float), ("unit", "unit", str),
          ("done_by", "who_name", str), ("entered", "entered_at", "time")]),
        ("phun-thuoc.csv", "spray",
         [("no", "id", float), ("date", "day", "day"), ("zone", "zone_name", str),
          ("product", "product_name", str), ("amount", "amount", float), ("unit", "unit", str),
          ("phi", "phi_days", float), ("harvest_from", "harvest_from", "day"),
          ("done_by", "who_name", str), ("entered", "entered_at", "time")]),
    ]
    for csv_name, kind, fields in checks:
        sheet = found.get(csv_name)
        if sheet is None:
            continue
        col = col_of(sheet)
        cols = ", ".join(f[1] for f in fields)
        recs = db.execute("SELECT %s FROM records WHERE kind = ? ORDER BY day, id" % cols,
                          (kind,)).fetchall()
        good = sheet.rows() - 1 == len(recs)
        for r, rec in enumerate(recs, 2):
            for (header, _, how), v in zip(fields, rec):
                if how == "day":
                    want = ("date", day_serial(v)) if v else None
                elif how == "time":
                    want = ("time", local_serial(v)) if v is not None else None
                elif how is float:
                    want = float(v) if v is not None else None
                else:
                    want = v
                good &= cell_is(sheet, r, col, VI[header], want, "%s: %s" % (what, sheet.name))
        if good:
            ok("%s: sheet %s holds the station's %d %s records, field for field" %
               (what, sheet.name, len(recs), kind))
    sheet = found.get("nhat-ky-tuoi.csv")
    if sheet is not None:
        col = col_of(sheet)
        runs = db.execute("SELECT id, started, ended FROM pump_runs ORDER BY started, id").fetchall()
        good = sheet.rows() - 1 == len(runs)
        for r, (rid, started, ended) in enumerate(runs, 2):
            good &= cell_is(sheet, r, col, VI["no"], float(rid), what)
            good &= cell_is(sheet, r, col, VI["start"], ("time", local_serial(started)), what)
            good &= cell_is(sheet, r, col, VI["end"],
                            ("time", local_serial(ended)) if ended else None, what)
        if good:
            ok("%s: sheet %s holds the station's %d pump runs, start and end" %
               (what, sheet.name, len(runs)))


def lots_expected(db, config):
    """Each lot's rows as the lots' rule gives them, computed here from
    the database: the season's work on the zone before the harvest (on
    the harvest day, what was recorded before it, a correction counting
    from what it corrects), each spray judged as the harvest screen did,
    and the runs that started before the harvest."""
    cfg = configparser.ConfigParser(inline_comment_prefixes=(";",), interpolation=None)
    cfg.read(config, encoding="utf-8")
    names = {k: v for k, v in db.execute("SELECT id, name FROM names WHERE kind = 'pump'")}
    recs = {r[0]: r for r in db.execute(
        "SELECT id, kind, day, zone, corrects, voided, entered_at, phi_override, harvest_from"
        " FROM records")}
    corrected = {r[4] for r in recs.values() if r[4]}

    def root(rid):
        while recs[rid][4] and recs[rid][4] < rid:
            rid = recs[rid][4]
        return rid

    def current(r):
        return not r[5] and r[0] not in corrected

    lots = {}
    for (code,) in db.execute("SELECT code FROM lots ORDER BY day, seq"):
        hs = [r for r in db.execute("SELECT id FROM records WHERE lot_code = ?", (code,))
              if r[0] not in corrected]
        if not hs:
            continue
        h = recs[hs[0][0]]
        hday = datetime.date.fromisoformat(h[2])
        days = cfg.getint("zone." + h[3], "season_days", fallback=120)
        first = hday - datetime.timedelta(days=days - 1)
        hroot = recs[root(h[0])]
        entered = datetime.datetime.fromtimestamp(hroot[6])
        day_end = datetime.datetime.combine(hday + datetime.timedelta(days=1), datetime.time())
        harvest_at = hroot[6] if entered.date() == hday else day_end.timestamp()
        items = []
        for r in sorted(recs.values(), key=lambda r: (r[2], r[0])):
            if r[1] not in ("fertilize", "spray") or r[3] != h[3] or not current(r):
                continue
            d = datetime.date.fromisoformat(r[2])
            if d < first or d > hday or (d == hday and root(r[0]) > hroot[0]):
                continue
            note = None
            if r[1] == "spray":
                hf = datetime.date.fromisoformat(r[8])
                note = ("ended" if hf <= hday else "after" if r[0] > h[0]
                        else "allowed" if h[7] and not h[5] else "inside")
            items.append((r[0], r[2], note))
        runs = db.execute(
            "SELECT pump, count(*), sum(ended - started), sum(kwh_offpeak + kwh_normal + kwh_peak),"
            " sum(cost_offpeak + cost_normal + cost_peak) FROM pump_runs WHERE zone = ?"
            " AND started >= ? AND started < ? AND ended IS NOT NULL GROUP BY pump ORDER BY pump",
            (h[3], datetime.datetime.combine(first, datetime.time()).timestamp(),
             harvest_at)).fetchall()
        lots[code] = (h, hroot, items, [(names.get(p, p),) + tuple(x) for p, *x in runs])
    return lots


def lot_sheets(book, db, config, what):
    by_name = {s.name: s for s in book}
    sheet, runs_sheet = by_name.get("Truy xuất mã lô"), by_name.get("Tưới theo mã lô")
    if sheet is None or runs_sheet is None:
        bad("%s: no lots' sheets: %s" % (what, list(by_name)))
        return
    lots = lots_expected(db, config)
    col = col_of(sheet)
    good = True
    r = 2
    items_seen = 0
    for code, (h, hroot, items, runs) in lots.items():
        for item in items or [None]:
            good &= cell_is(sheet, r, col, VI["lot"], code, what)
            good &= cell_is(sheet, r, col, VI["harvest_day"], ("date", day_serial(h[2])), what)
            good &= cell_is(sheet, r, col, VI["recorded"], ("time", local_serial(hroot[6])), what)
            if item:
                rid, day, note = item
                rec = db.execute("SELECT product_name, amount, unit, who_name, entered_at"
                                 " FROM records WHERE id = ?", (rid,)).fetchone()
                good &= cell_is(sheet, r, col, VI["date"], ("date", day_serial(day)), what)
                good &= cell_is(sheet, r, col, VI["product"], rec[0], what)
                good &= cell_is(sheet, r, col, VI["amount"], float(rec[1]), what)
                good &= cell_is(sheet, r, col, VI["unit"], rec[2], what)
                good &= cell_is(sheet, r, col, VI["done_by"], rec[3], what)
                good &= cell_is(sheet, r, col, VI["entered"], ("time", local_serial(rec[4])), what)
                good &= cell_is(sheet, r, col, VI["interval"], INTERVAL.get(note), what)
                items_seen += 1
            r += 1
    if sheet.rows() != r - 1:
        good = False
        bad("%s: %d rows of lots, %d expected" % (what, sheet.rows() - 1, r - 2))
    if good:
        ok("%s: %d lots' %d fertilizing and spraying before their harvests, as computed from"
           " the database" % (what, len(lots), items_seen))
    col = col_of(runs_sheet)
    good = True
    r = 2
    for code, (h, hroot, items, runs) in lots.items():
        for name, n, secs, kwh, cost in runs:
            good &= cell_is(runs_sheet, r, col, VI["lot"], code, what)
            good &= cell_is(runs_sheet, r, col, VI["pump"], name, what)
            good &= cell_is(runs_sheet, r, col, VI["runs"], float(n), what)
            good &= cell_is(runs_sheet, r, col, VI["hours"], round(secs / 3600.0, 1), what)
            good &= cell_is(runs_sheet, r, col, VI["kwh"], round(kwh, 3), what)
            good &= cell_is(runs_sheet, r, col, VI["cost"], float(round(cost)), what)
            r += 1
    if runs_sheet.rows() != r - 1:
        good = False
        bad("%s: %d rows of lots' irrigation, %d expected" % (what, runs_sheet.rows() - 1, r - 2))
    if good:
        ok("%s: the lots' irrigation before their harvests, per pump (%d rows)" % (what, r - 2))


def workbook(xlsx, folder, db_path, made, config=None):
    what = os.path.basename(xlsx)
    book = read_xlsx(xlsx)
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    office = config is None
    found = diary_sheets(book, folder, what)
    csvs = [n for n in os.listdir(folder) if n.endswith(".csv") and not n.startswith("truy-xuat-")]
    lot_names = {"Truy xuất mã lô", "Tưới theo mã lô"}
    others = [s.name for s in book[1:] if s not in found.values() and s.name not in lot_names]
    if len(found) == len(csvs) and not others:
        ok("%s: a sheet for each of the %d diaries" % (what, len(csvs)))
    else:
        bad("%s: sheets without their CSV: %s; CSVs: %s" % (what, others, csvs))
    about_sheet(book, db, made, office, found, what)
    if not office:
        records_in_sheets(found, db, what)
        lot_sheets(book, db, config, what)
    elif lot_names & {s.name for s in book}:
        bad("%s: an office's workbook has lots' sheets" % what)


CELL_MAX = 32767  # Excel's characters in a cell, counted in UTF-16
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e"
                    "\u2066-\u2069\ufffe\uffff]")


def as_cell(raw):
    """What a text the station holds (bytes, from anywhere) should be in
    a cell: up to a NUL; what is not UTF-8, the control characters, the
    bidi controls, the line separators and what XML cannot hold as
    U+FFFD; a CR LF or a CR a line end; longer than Excel allows, cut
    with a "…"."""
    text = raw.split(b"\0")[0].decode("utf-8", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = HIDDEN.sub("\ufffd", text)
    units = lambda t: len(t.encode("utf-16-le")) // 2
    if units(text) <= CELL_MAX:
        return text
    out, n = [], 0
    for ch in text:
        if n + units(ch) > CELL_MAX - 1:
            break
        out.append(ch)
        n += units(ch)
    return "".join(out) + "\u2026"


def hostile(xlsx, db_path, config, what):
    """The spraying records' texts, whatever bytes the database holds in
    them, and the station's name, as the cells should show them."""
    book = {s.name: s for s in read_xlsx(xlsx)}
    sheet = book.get("Phun thuốc")
    if sheet is None:
        bad("%s: no sheet Phun thuốc: %s" % (what, list(book)))
        return
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    db.text_factory = bytes
    col = col_of(sheet)
    rows = {int(sheet.get(r, col[VI["no"]]).value): r for r in range(2, sheet.rows() + 1)}
    good = True
    recs = db.execute("SELECT id, zone_name, product_name, target, who_name FROM records"
                      " WHERE kind = 'spray' ORDER BY id").fetchall()
    longest = 0
    for rid, *texts in recs:
        r = rows.get(rid)
        if r is None:
            bad("%s: spray %d is not on the sheet" % (what, rid))
            good = False
            continue
        for header, raw in zip(("zone", "product", None, "done_by"), texts):
            name = VI[header] if header else "Trừ sâu bệnh"
            good &= cell_is(sheet, r, col, name, as_cell(raw), what)
            cell = sheet.get(r, col[name])
            if cell is not None:
                n = len(cell.value.encode("utf-16-le")) // 2
                longest = max(longest, n)
                if n > CELL_MAX:
                    bad("%s: row %d, %s holds %d characters" % (what, r, name, n))
                    good = False
    if good:
        ok("%s: %d spraying records' texts as they should show, the longest %d characters"
           % (what, len(recs), longest))
    # The station's name, as its configuration says it, on the first sheet
    # and in the file's title.
    cfg = configparser.ConfigParser(inline_comment_prefixes=(";",), interpolation=None)
    cfg.read(config, encoding="utf-8")
    station = cfg["station"]
    want = as_cell(("%s (%s)" % (station["name"], station["code"])).encode())
    about = read_xlsx(xlsx)[0]
    rows = {about.get(r, 1).value: r for r in range(1, about.rows() + 1)
            if about.get(r, 1) is not None and about.get(r, 1).kind == "text"}
    core = ET.fromstring(zipfile.ZipFile(xlsx).read("docProps/core.xml"))
    title = core.find("{http://purl.org/dc/elements/1.1/}title")
    title = ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), title.text or "") \
        if title is not None else None
    if cell_is(about, rows.get("Trạm", 0), {"x": 2}, "x", want, what) and title == want:
        ok("%s: the station's name %r on the first sheet and as the file's title" % (what, want))
    elif title != want:
        bad("%s: the file's title is %r, not %r" % (what, title, want))


def cell_at(xlsx, sheet_name, ref, shown):
    """The cell ref of a sheet, as a spreadsheet shows a date, starts with
    shown (dd/mm/yyyy hh:mm)."""
    m = re.match(r"([A-Z]+)(\d+)$", ref)
    sheets = {s.name: s for s in read_xlsx(xlsx)}
    cell = sheets[sheet_name].get(int(m.group(2)), col_index(m.group(1))) \
        if sheet_name in sheets else None
    if cell is not None and cell.is_date():
        when = EPOCH + datetime.timedelta(days=cell.value)
        text = when.strftime("%d/%m/%Y %H:%M")
        if text.startswith(shown):
            ok("%s: %s!%s is the date cell %s" % (os.path.basename(xlsx), sheet_name, ref, text))
            return
    bad("%s: %s!%s is %r, not a date %s" % (os.path.basename(xlsx), sheet_name, ref, cell, shown))


def main():
    cmd = sys.argv[1]
    if cmd == "csv-as-read":
        csv_as_read(*sys.argv[2:5])
    elif cmd == "harvest-cells":
        harvest_cells(*sys.argv[2:5])
    elif cmd == "workbook":
        workbook(*sys.argv[2:])
    elif cmd == "hostile":
        hostile(*sys.argv[2:6])
    elif cmd == "cell-at":
        cell_at(*sys.argv[2:6])
    elif cmd == "workbook-cells":
        diary_sheets(read_xlsx(sys.argv[2]), sys.argv[3], sys.argv[4], form=False)
    else:
        sys.exit("unknown command %s" % cmd)
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
