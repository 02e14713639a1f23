#!/bin/bash
# The quick card for the shed's wall (scripts/quick-card.sh): one A5 page
# per menu, each holding the menu's real screen with its title and key
# line, and its help; names from the configuration reach the page as
# text, never as markup; a menu that moved fails the card instead of
# printing a stale one.
. "$(dirname "$0")/lib.sh"

CARD="$TOP/scripts/quick-card.sh"
export FIELDSTATION_RUNNER="$RUNNER" FIELDSTATION_WAIT_SCALE="$SCALE"

# check_card HTML: the pages the card must have, as a farmer would read
# them. Prints one line per finding; "card ok" when all hold.
check_card() {
	python3 - "$1" <<'EOF'
import re, sys
from html.parser import HTMLParser

MENUS = ["Độ ẩm đất", "Máy bơm", "Bón phân, phun thuốc", "Thu hoạch", "Chép ra USB"]
KEYLINE = "0: quay lại   /: về đầu   *: trợ giúp"
ALLOWED = {"html", "head", "meta", "title", "style", "body", "section", "h1", "p",
           "pre", "ul", "li", "kbd"}
raw = open(sys.argv[1], encoding="utf-8").read()
bad = []

class Card(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pages, self.stack = [], []
    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            bad.append("markup that is not the card's: <%s>" % tag)
        if tag == "section" and ("class", "page") in attrs:
            self.pages.append({"h1": "", "screens": [], "keys": []})
        if tag == "pre" and ("class", "screen") in attrs and self.pages:
            self.pages[-1]["screens"].append("")
        if tag == "li" and self.pages:
            self.pages[-1]["keys"].append("")
        self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass
    def handle_data(self, data):
        if not self.pages or not self.stack:
            return
        page, where = self.pages[-1], self.stack[-1]
        if where == "pre":
            page["screens"][-1] += data
        elif "h1" in self.stack:
            page["h1"] += data
        elif "li" in self.stack:
            page["keys"][-1] += data

card = Card()
card.feed(raw)
card.close()
if re.search(r"&(?!(amp|lt|gt|quot|#39);)", raw.split("<body>", 1)[-1]):
    bad.append("an & that is not an escape")
if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", raw):
    bad.append("a control byte")
if "@page { size: A5" not in raw:
    bad.append("no A5 page size")
if len(card.pages) != len(MENUS):
    bad.append("%d pages, not %d" % (len(card.pages), len(MENUS)))
for n, (title, page) in enumerate(zip(MENUS, card.pages), 1):
    if page["h1"].split() != [str(n)] + title.split():
        bad.append("page %d is headed %r, not %d %s" % (n, page["h1"], n, title))
    if len(page["screens"]) != 2:
        bad.append("page %d has %d screens, not 2" % (n, len(page["screens"])))
        continue
    menu, help_ = page["screens"]
    rows = menu.split("\n")
    if len(rows) != 15 or max(len(r) for r in rows) > 50:
        bad.append("page %d: the screen is not 50x15 (%d rows)" % (n, len(rows)))
    if rows[0].strip() != title:
        bad.append("page %d: the screen's title is %r" % (n, rows[0].strip()))
    if KEYLINE not in [r.strip() for r in rows]:
        bad.append("page %d: the screen has no key line" % n)
    if help_.split("\n")[0].strip() != title or "Các phím ở màn hình này:" not in help_:
        bad.append("page %d: the second screen is not the menu's help" % n)
    # The captions say what the screen shows: its numbered rows, then
    # its key line.
    want = [re.sub(r"   .*", "", m.group(1) + " " + m.group(2))
            for m in re.finditer(r"^ ([1-9]) (.*)$", menu, re.M)]
    want += ["0 quay lại", "/ về đầu", "* trợ giúp"]
    got = [" ".join(k.split()) for k in page["keys"]]
    if got != [" ".join(w.split()) for w in want]:
        bad.append("page %d: the keys say %s, the screen %s" % (n, got, want))
for b in bad:
    print(b)
if not bad:
    print("card ok")
EOF
}

# The card of the demo farm.
OUT="$TMP/card/the-nhanh.html"
began=$(now_us)
if "$CARD" --bin "$BIN" --out "$OUT" >"$TMP/card.log" 2>&1; then
	ok "the card is made ($(( ($(now_us) - began) / 1000 )) ms)"
else
	bad "the card is made: $(tail -n 20 "$TMP/card.log")"
fi
found=$(check_card "$OUT" 2>&1)
if [ "$found" = "card ok" ]; then ok "five A5 pages, each its menu's screen, title, key line and help"; else bad "the card: $found"; fi
if grep -qF '<li><kbd>7</kbd> Lịch tưới</li>' "$OUT" && grep -qF '<li><kbd>2</kbd> Sổ thu hoạch</li>' "$OUT" &&
	grep -qF 'Hãy cắm USB vào trạm.' "$OUT"; then
	ok "the captions name the keys as the screens do (7 Lịch tưới, 2 Sổ thu hoạch)"
else
	bad "the captions: no 7 Lịch tưới, 2 Sổ thu hoạch or the USB screen"
fi

# A farm whose names are markup: the page shows them as text.
sed 's/^name = Bơm 1$/name = <b>B1<\/b> \& "x"/' "$TOP/config/demo.ini" >"$TMP/markup.ini"
if "$CARD" --bin "$BIN" --config "$TMP/markup.ini" --out "$TMP/markup.html" >"$TMP/card.log" 2>&1 &&
	grep -qF ' 1 &lt;b&gt;B1&lt;/b&gt; &amp; &quot;x&quot; ' "$TMP/markup.html" &&
	! grep -qF '<b>' "$TMP/markup.html"; then
	ok "a pump named <b>B1</b> & \"x\" is printed as those characters"
else
	bad "a name that is markup: $(tail -n 5 "$TMP/card.log"; grep -F 'B1' "$TMP/markup.html" | head -n 3)"
fi
found=$(check_card "$TMP/markup.html" 2>&1)
if [ "$found" = "card ok" ]; then ok "and the card is whole"; else bad "the card with markup names: $found"; fi

# A station whose home screen lost a menu: the card fails, says which,
# and the old card is gone rather than printed stale.
cat >"$TMP/moved" <<'EOF'
#!/bin/bash
printf ' HTX Phước Thiện - trạm 1\n\n 1 Độ ẩm đất\n 2 Bơm\n 3 Bón phân, phun thuốc\n 4 Thu hoạch\n 5 Chép ra USB\n\n *: trợ giúp\n'
sleep 600
EOF
chmod +x "$TMP/moved"
cp "$OUT" "$TMP/old.html"
if "$CARD" --bin "$TMP/moved" --out "$OUT" >"$TMP/card.log" 2>&1; then
	bad "a home screen without Máy bơm still makes a card"
elif grep -qF 'the home screen has no menu item "Máy bơm"' "$TMP/card.log" && [ ! -e "$OUT" ]; then
	ok "a home screen without Máy bơm fails the card, naming it, and leaves no card"
else
	bad "a home screen without Máy bơm: $(cat "$TMP/card.log"; ls "$TMP/card")"
fi

finish
