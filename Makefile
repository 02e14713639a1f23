# fieldstation — build, run on the simulator, test.
#   make          build build/fieldstation and its Vietnamese catalogue
#   make run      start the station on the simulator (config/demo.ini)
#   make test     unit tests (cmocka) and end-to-end tests (tmux)
#   make test-asan      the same under ASan and UBSan (build-asan/)
#   make test-valgrind  the same under valgrind's memcheck
#   make crashtest  SIGKILL at random moments, CRASH_CYCLES times (1000)
#   make fuzz     each libFuzzer target of tests/fuzz/ for FUZZ_SECONDS (600);
#                 FUZZ_TARGETS=config runs one
#   make bench    the budgets of DESIGN.md measured on a reference farm
#                 (bench/; BENCH_ARGS="--only startup,screens" for a part)
#   make hwtest   the drivers against real kernel devices in a small VM
#                 (tests/vm/; HWTEST=gpio runs one scenario)
#   make fonts    the console fonts for the screen's tty (build/fonts/)
#   make install  on the board: the program, its Vietnamese words, the
#                 service unit and a first configuration (PREFIX, DESTDIR)

VERSION  := 0.1.0
PKGS     := ncursesw sqlite3 libserialport libgpiod inih libxcrypt libqrencode
B        := build
PREFIX   := /usr/local

CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
CPPFLAGS += -D_GNU_SOURCE -Isrc -Idrivers -Iscreens \
            -DVERSION='"$(VERSION)"' -DLOCALEDIR='"$(PREFIX)/share/locale"' -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARNINGS) $(CFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS    += $(PKG_LIBS) -lm

# The station's logic and drivers, the screens, and main apart, so that a
# test program links only what it uses (the linker pulls objects from the
# archives on demand).
CORE_SRC   := $(sort $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard drivers/*.c))
SCREEN_SRC := $(sort $(wildcard screens/*.c))
CORE_OBJ   := $(CORE_SRC:%.c=$(B)/obj/%.o)
SCREEN_OBJ := $(SCREEN_SRC:%.c=$(B)/obj/%.o)
TEST_SRC   := $(sort $(wildcard tests/test_*.c))
TEST_BIN   := $(TEST_SRC:tests/%.c=$(B)/tests/%)
# Parsers of untrusted bytes have libFuzzer targets (tests/fuzz/fuzz_NAME.c);
# make unit replays each one's kept corpus (tests/fuzz/NAME/) without it.
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
REPLAY_BIN := $(FUZZ_NAMES:%=$(B)/tests/replay_%)
E2E        := $(sort $(filter-out tests/e2e/lib%.sh,$(wildcard tests/e2e/*.sh)))
# Test helpers, not part of the station: a simulated Modbus probe (also
# used by the VM rig), a preload that gives pseudo-terminals modem lines,
# and one that lets a test move the system clock.
HELPERS    := $(B)/tests/sim_probe $(B)/tests/libptyioctl.so $(B)/tests/libfakeclock.so
MO         := $(B)/locale/vi/LC_MESSAGES/fieldstation.mo

.PHONY: all run test unit e2e helpers hwtest bench check-po deps pot clean install \
	test-asan test-valgrind fuzz crashtest fonts
.DEFAULT_GOAL := all

all: deps $(B)/fieldstation $(MO) fonts

# Installs missing Debian packages, and only when something is missing.
deps:
	@pkg-config --atleast-version=2.0 libgpiod 2>/dev/null && \
	 pkg-config --exists $(PKGS) cmocka 2>/dev/null && \
	 command -v tmux >/dev/null && command -v msgfmt >/dev/null && \
	 command -v bdf2psf >/dev/null && command -v pcf2bdf >/dev/null && \
	 [ -e $(TERMINUS)/ter-u32n_unicode.pcf.gz ] || \
	 scripts/install-deps.sh

$(B)/obj/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libcore.a: $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/libscreens.a: $(SCREEN_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fieldstation: $(B)/obj/src/main.o $(B)/libscreens.a $(B)/libcore.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(MO): po/vi.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# The console fonts of the screen's tty (the kernel's own fonts lack the
# Vietnamese letters, console-setup's lack the half blocks): Terminus Font
# (SIL OFL 1.1) cut to the characters of fonts/fieldstation.set, with the
# Vietnamese letters it lacks composed from its own letters and marks
# (fonts/compose.c, a tool for the build machine), then bdf2psf. 16x32
# gives 50x15 on an 800x480 screen and 64x18 on 1024x600; 12x24 gives
# 66x20 and 85x25. Terminus' bold at 24 pixels has the two-pixel strokes
# of its medium at 32. bdf2psf only warns about a glyph it could not
# place: its log must stay empty.
TERMINUS    := /usr/share/fonts/X11/misc
FONTS       := $(B)/fonts/fieldstation-16x32.psf.gz $(B)/fonts/fieldstation-12x24.psf.gz
FONT_GLYPHS := 256
CC_FOR_BUILD ?= cc

fonts: $(FONTS)

$(B)/fonts/compose: fonts/compose.c
	@mkdir -p $(@D)
	$(CC_FOR_BUILD) $(WARNINGS) -O2 -o $@ $<

$(B)/fonts/fieldstation-16x32.bdf: $(TERMINUS)/ter-u32n_unicode.pcf.gz
$(B)/fonts/fieldstation-12x24.bdf: $(TERMINUS)/ter-u24b_unicode.pcf.gz
$(B)/fonts/fieldstation-%.bdf: fonts/fieldstation.set $(B)/fonts/compose | deps
	pcf2bdf -o $@.source $(filter %.pcf.gz,$^)
	$(B)/fonts/compose $@.source fonts/fieldstation.set $@
	@rm -f $@.source

$(B)/fonts/%.psf.gz: $(B)/fonts/%.bdf fonts/fieldstation.set
	bdf2psf --fb --log $(B)/fonts/$*.log $< /dev/null fonts/fieldstation.set $(FONT_GLYPHS) \
		$(B)/fonts/$*.psf
	@if [ -s $(B)/fonts/$*.log ]; then cat $(B)/fonts/$*.log; rm -f $(B)/fonts/$*.psf; \
		echo "bdf2psf could not place every glyph (FONT_GLYPHS = $(FONT_GLYPHS))"; exit 1; fi
	gzip -9nf $(B)/fonts/$*.psf

# The font test reads the fonts this build made.
$(B)/tests/test_font: CPPFLAGS += -DFONT_DIR='"$(B)/fonts"'

$(B)/tests/%: tests/%.c $(B)/libscreens.a $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) \
		$(shell pkg-config --libs cmocka)

$(B)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libc only, so that it can also be linked statically for a VM:
#   make build/tests/sim_probe LDFLAGS=-static
$(B)/tests/sim_probe: tests/sim_probe.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/libptyioctl.so: tests/ptyioctl.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

$(B)/tests/libfakeclock.so: tests/fakeclock.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

helpers: $(HELPERS)

# The benchmark measures the budgets of DESIGN.md on the reference farm;
# it is not a test and never fails. The farm (five years of 16 sensors,
# bench/farm.c) takes about half an hour to make: it is made once and kept
# in $(B)/bench, named by its seed and a digest of bench/farm.c and
# bench/farm.ini, so that a change to either makes a new one (the old one
# is removed first) and a checkout that changes neither does not.
BENCH_SEED := 1
FARM_SUM   := $(shell cat bench/farm.c bench/farm.ini 2>/dev/null | sha256sum | cut -c1-12)
FARM_DB    := $(B)/bench/farm-seed$(BENCH_SEED)-$(FARM_SUM).db

$(B)/bench/%: bench/%.c $(B)/libscreens.a $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(FARM_DB): | $(B)/bench/farm
	rm -f $(B)/bench/farm-seed$(BENCH_SEED)-*.db*
	$(B)/bench/farm --seed $(BENCH_SEED) --config bench/farm.ini $@

bench: all $(B)/bench/bench $(FARM_DB)
	$(B)/bench/bench --farm $(FARM_DB) --config bench/farm.ini --bin $(B)/fieldstation \
		--work $(B)/bench $(BENCH_ARGS)

run: all
	@mkdir -p var
	$(B)/fieldstation --config config/demo.ini --db var/station.db $(RUN_ARGS)

unit: all $(TEST_BIN) $(REPLAY_BIN)
	@fail=0; for t in $(TEST_BIN); do \
		$$t || { echo "FAILED: $$t"; fail=1; }; \
	done; for n in $(FUZZ_NAMES); do \
		$(B)/tests/replay_$$n tests/fuzz/$$n || { echo "FAILED: replay of tests/fuzz/$$n"; fail=1; }; \
	done; exit $$fail

e2e: all helpers
	@fail=0; for t in $(E2E); do \
		echo "== $$t"; bash $$t || { echo "FAILED: $$t"; fail=1; }; \
	done; exit $$fail

test: unit e2e check-po

# The tests again with memory watched; any report fails (tests/sanitizers.sh).
# ASan and UBSan need a build of their own, in its own folder.
SAN_B     := build-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
test-asan:
	@scripts/install-deps.sh --all
	$(MAKE) --no-print-directory B=$(SAN_B) EXTRA_CFLAGS="$(SAN_FLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" all helpers $(TEST_BIN:$(B)/%=$(SAN_B)/%)
	tests/sanitizers.sh asan $(SAN_B)

test-valgrind: all helpers $(TEST_BIN) $(REPLAY_BIN)
	@scripts/install-deps.sh --all
	tests/sanitizers.sh valgrind $(B)

# Power cuts: the station killed with SIGKILL at random moments while it
# is used, then started again, and checked (tests/crashtest.sh).
CRASH_CYCLES ?= 1000
crashtest: all
	tests/crashtest.sh $(CRASH_CYCLES)

# libFuzzer needs clang; the station's code is built again with coverage,
# ASan and UBSan in build-fuzz/. A finding fails (tests/fuzz/run.sh).
FUZZ_B       := build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_FLAGS   := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
fuzz:
	@scripts/install-deps.sh --all
	$(MAKE) --no-print-directory B=$(FUZZ_B) CC=clang EXTRA_CFLAGS="$(FUZZ_FLAGS)" \
		$(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz/fuzz_%)
	tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

# The emulated-hardware rig: gpio-sim, a second UART and a USB stick under
# qemu, on a kernel built once from Debian's linux-source-6.1.
HWTEST ?= boot gpio serial usb
hwtest: all helpers
	@scripts/install-deps.sh --all
	@B=$(B) tests/vm/hwtest.sh $(HWTEST)

# References name the file only, and the template carries no date, so
# that the catalogue changes only where a message does.
XGETTEXT = xgettext --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 -c/ --add-location=file \
	--package-name=fieldstation $(sort $(wildcard src/*.c screens/*.c drivers/*.c))

# Every message the station can show has its Vietnamese words.
check-po: deps
	@mkdir -p $(B)
	@$(XGETTEXT) -o $(B)/fieldstation.pot
	@msgcmp po/vi.po $(B)/fieldstation.pot && \
	 echo "po/vi.po: every message has its Vietnamese translation"

# Refresh the template and the Vietnamese catalogue from the sources.
pot:
	$(XGETTEXT) -o po/fieldstation.pot
	sed -i '/^"POT-Creation-Date:/d' po/fieldstation.pot
	msgmerge -q -U --backup=none --add-location=file po/vi.po po/fieldstation.pot

install: all
	install -D -m 755 $(B)/fieldstation $(DESTDIR)$(PREFIX)/bin/fieldstation
	install -D -m 644 $(MO) $(DESTDIR)$(PREFIX)/share/locale/vi/LC_MESSAGES/fieldstation.mo
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/share/consolefonts $(FONTS)
	install -d $(DESTDIR)/etc/systemd/system
	@# The records, the PIN's hash and the backups: the station's alone.
	install -d -m 750 $(DESTDIR)/var/lib/fieldstation
	sed 's|/usr/local/|$(PREFIX)/|g' scripts/fieldstation.service \
		>$(DESTDIR)/etc/systemd/system/fieldstation.service
	@# USB sticks mounted when plugged in, unmounted when pulled out.
	install -D -m 644 scripts/90-fieldstation-stick.rules \
		$(DESTDIR)/etc/udev/rules.d/90-fieldstation-stick.rules
	install -D -m 755 scripts/fieldstation-stick \
		$(DESTDIR)$(PREFIX)/lib/fieldstation/fieldstation-stick
	@# A first configuration, never over the farm's own.
	[ -e $(DESTDIR)/etc/fieldstation/fieldstation.ini ] || \
		install -D -m 644 config/demo.ini $(DESTDIR)/etc/fieldstation/fieldstation.ini

clean:
	rm -rf $(B) $(SAN_B) $(FUZZ_B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
