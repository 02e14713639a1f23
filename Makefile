# fieldstation — build, run on the simulator, test.
#   make          build build/fieldstation and its Vietnamese catalogue
#   make run      start the station on the simulator (config/demo.ini)
#   make test     unit tests (cmocka) and end-to-end tests (tmux)
#   make ARCH=arm64 (or armhf)   the same for the board, into build-ARCH/,
#                 with the target's compiler and pkg-config; make test
#                 ARCH=arm64 runs the tests under qemu-user
#   make test-asan      the same under ASan and UBSan (build-asan/)
#   make test-valgrind  the same under valgrind's memcheck
#   make crashtest  SIGKILL at random moments, CRASH_CYCLES times (1000)
#   make powercut   power cuts inside the station's writes, torn or whole,
#                 POWERCUT_CUTS times (400; POWERCUT_SEED repeats a run)
#   make soak     a month of random hands on the keypad at 600 times speed
#                 (SOAK_DAYS=30, 72 minutes; SOAK_SEED repeats a run)
#   make fuzz     each libFuzzer target of tests/fuzz/ for FUZZ_SECONDS (600);
#                 FUZZ_TARGETS=config runs one
#   make bench    the budgets of DESIGN.md measured on a reference farm
#                 (bench/; BENCH_ARGS="--only startup,screens" for a part)
#   make hwtest   the drivers against real kernel devices in a small VM
#                 (tests/vm/; HWTEST=gpio runs one scenario; HWTEST=console,
#                 the screen's console with the font, is not in the default)
#   make fonts    the console fonts for the screen's tty (build/fonts/)
#   make install  the program, its Vietnamese words and fonts, the service
#                 unit and a first configuration (PREFIX, DESTDIR); it
#                 installs no Debian package
#   make deb      the Debian package build-deb-ARCH/fieldstation_VERSION_ARCH.deb
#                 (ARCH=amd64|arm64|armhf), checked by lintian and tests/deb.sh

VERSION  := 0.1.0
PKGS     := ncursesw sqlite3 libserialport libgpiod inih libxcrypt libqrencode libsodium \
	    xlsxwriter libmosquitto espeak-ng
# eSpeak NG is linked by the speaker alone (src/speaker.c, a program of its
# own that the station runs for each utterance): with the thirty sound
# libraries it brings, the station would start about 15 ms later and hold
# about 4 MB more.
SPEAKER_PKGS := espeak-ng
B        := build
PREFIX   := /usr/local

# The board's architecture. Another than this machine's is a cross-build:
# its own build folder, the triplet's compiler and pkg-config (which finds
# the target's :ARCH -dev packages), and its programs run under qemu-user
# (EMU), since a test runner cannot exec them directly. qemu-user finds
# the target's loader and libraries where multiarch put them (libc6:ARCH,
# pulled in by the :ARCH -dev packages): with -L /usr/TRIPLET it would mix
# the cross toolchain's loader with the multiarch libc, whose versions
# differ, and a forked child crashes (armhf) or hangs (arm64).
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
ARCH      ?= $(HOST_ARCH)
TRIPLET_amd64 := x86_64-linux-gnu
TRIPLET_arm64 := aarch64-linux-gnu
TRIPLET_armhf := arm-linux-gnueabihf
QEMU_amd64    := qemu-x86_64-static
QEMU_arm64    := qemu-aarch64-static
QEMU_armhf    := qemu-arm-static
ifneq ($(ARCH),$(HOST_ARCH))
TRIPLET := $(TRIPLET_$(ARCH))
ifeq ($(TRIPLET),)
$(error ARCH is amd64, arm64 or armhf, not "$(ARCH)")
endif
B := build-$(ARCH)
ifeq ($(origin CC),default)
CC := $(TRIPLET)-gcc
endif
ifeq ($(origin AR),default)
AR := $(TRIPLET)-ar
endif
PKG_CONFIG ?= $(TRIPLET)-pkg-config
EMU        ?= $(QEMU_$(ARCH))
DEPS_ARGS  := --cross $(ARCH)
endif
PKG_CONFIG ?= pkg-config

CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
# 64-bit time and file offsets on every board: a 32-bit one (armhf) would
# otherwise show 1969 after January 2038, and fail to list a folder whose
# inodes do not fit 32 bits. On 64-bit boards they change nothing.
CPPFLAGS += -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 -Isrc -Idrivers -Iscreens \
            -DVERSION='"$(VERSION)"' -DLOCALEDIR='"$(PREFIX)/share/locale"' -MMD -MP \
            -DARCHITECTURE='"$(ARCH)"' \
            -DRELEASE_KEY_PATH='"$(PREFIX)/share/fieldstation/release-key.pub"'
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libmosquitto is opened by the station only when it has a link
# (src/mqtt.h), libxlsxwriter only while it writes a workbook
# (src/xlsx.h): linked, each would load OpenSSL into every station.
DLOPEN_PKGS := libmosquitto xlsxwriter
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(filter-out $(SPEAKER_PKGS) $(DLOPEN_PKGS),$(PKGS)) 2>/dev/null)
SPEAKER_LIBS = $(shell $(PKG_CONFIG) --libs $(SPEAKER_PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARNINGS) $(CFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS    += $(PKG_LIBS) -lm

# The station's logic and drivers, the screens, and main apart, so that a
# test program links only what it uses (the linker pulls objects from the
# archives on demand). The subcommands (src/cmd*.c) are the program's own,
# linked beside main.
CMD_SRC    := $(sort $(wildcard src/cmd*.c))
CORE_SRC   := $(sort $(filter-out src/main.c src/updater_main.c src/speaker.c $(CMD_SRC), \
	      $(wildcard src/*.c)) $(wildcard drivers/*.c))
SCREEN_SRC := $(sort $(wildcard screens/*.c))
CMD_OBJ    := $(CMD_SRC:%.c=$(B)/obj/%.o)
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
# one that lets a test move the system clock, a stand-in for the service
# manager's notification socket, what reads a captured screen for text cut
# off or over its border, and a memory card that loses power and fails
# (tests/cardvfs.c).
HELPERS    := $(B)/tests/sim_probe $(B)/tests/libptyioctl.so $(B)/tests/notify_listen \
	      $(B)/tests/libfakeclock.so $(B)/tests/screencheck $(B)/tests/libcardvfs.so \
	      $(B)/tests/linkload
MO         := $(B)/locale/vi/LC_MESSAGES/fieldstation.mo

.PHONY: all run test unit e2e helpers hwtest bench check-po check-readme deps pot clean install \
	test-asan test-valgrind test-valgrind-unit fuzz crashtest powercut soak fonts deb quick-card
.DEFAULT_GOAL := all

# Installs missing Debian packages, and only when something is missing;
# never for make install (on a board, that must not bring compilers and
# test tools) nor inside the package build (DEPS= there).
DEPS ?= deps
ifneq ($(filter install,$(MAKECMDGOALS)),)
DEPS :=
endif

all: $(DEPS) $(B)/fieldstation $(B)/fieldstation-update $(B)/fieldstation-speak $(MO) fonts

deps:
	@$(PKG_CONFIG) --atleast-version=2.0 libgpiod 2>/dev/null && \
	 $(PKG_CONFIG) --exists $(PKGS) cmocka 2>/dev/null && \
	 command -v tmux >/dev/null && command -v msgfmt >/dev/null && command -v sox >/dev/null && \
	 command -v mosquitto_sub >/dev/null && \
	 command -v bdf2psf >/dev/null && command -v pcf2bdf >/dev/null && \
	 [ -e $(TERMINUS)/ter-u32n_unicode.pcf.gz ] && \
	 { [ -z "$(EMU)" ] || command -v $(firstword $(EMU)) >/dev/null; } || \
	 scripts/install-deps.sh $(DEPS_ARGS)

$(B)/obj/%.o: %.c | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libcore.a: $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/libscreens.a: $(SCREEN_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fieldstation: $(B)/obj/src/main.o $(CMD_OBJ) $(B)/libscreens.a $(B)/libcore.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The privileged installer of new versions and settings (src/updater.h).
$(B)/fieldstation-update: $(B)/obj/src/updater_main.o $(B)/libcore.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/fieldstation-speak: $(B)/obj/src/speaker.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(SPEAKER_LIBS)

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
$(B)/fonts/fieldstation-%.bdf: fonts/fieldstation.set $(B)/fonts/compose | $(DEPS)
	pcf2bdf -o $@.source $(filter %.pcf.gz,$^)
	$(B)/fonts/compose $@.source fonts/fieldstation.set $@
	@rm -f $@.source

$(B)/fonts/%.psf.gz: $(B)/fonts/%.bdf fonts/fieldstation.set
	bdf2psf --fb --log $(B)/fonts/$*.log $< /dev/null fonts/fieldstation.set $(FONT_GLYPHS) \
		$(B)/fonts/$*.psf
	@if [ -s $(B)/fonts/$*.log ]; then cat $(B)/fonts/$*.log; rm -f $(B)/fonts/$*.psf; \
		echo "bdf2psf could not place every glyph (FONT_GLYPHS = $(FONT_GLYPHS))"; exit 1; fi
	gzip -9nf $(B)/fonts/$*.psf

# The office link's load test sends as the stations do, linked directly.
$(B)/tests/linkload: LDLIBS += $(shell $(PKG_CONFIG) --libs libmosquitto 2>/dev/null)

# The backup test fails fsync() as a failing card does.
$(B)/tests/test_backup: LDLIBS += -Wl,--wrap=fsync
# The export test fills the stick up in the middle of a file.
$(B)/tests/test_export: LDLIBS += -Wl,--wrap=write

# The pumps' and the doses' tests say what the sensors read.
$(B)/tests/test_irrigation $(B)/tests/test_dosing: LDLIBS += \
	-Wl,--wrap=readings_zone_moisture -Wl,--wrap=readings_sensor

# The installer's test cuts the power at each of its renames and removals.
$(B)/tests/test_updater: LDLIBS += -Wl,--wrap=rename -Wl,--wrap=unlink

# The font test reads the fonts this build made.
$(B)/tests/test_font: CPPFLAGS += -DFONT_DIR='"$(B)/fonts"'

$(B)/tests/%: tests/%.c $(B)/libscreens.a $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) \
		$(shell $(PKG_CONFIG) --libs cmocka)

$(B)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libc only, so that it can also be linked statically for a VM:
#   make build/tests/sim_probe LDFLAGS=-static
$(B)/tests/sim_probe: tests/sim_probe.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $<

# The service manager's notification socket, for tests (libc only).
$(B)/tests/notify_listen: tests/notify_listen.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/screencheck: tests/screencheck.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/libptyioctl.so: tests/ptyioctl.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

$(B)/tests/libfakeclock.so: tests/fakeclock.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

$(B)/tests/libcardvfs.so: tests/cardvfs.c tests/cardvfs.h
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) -DCARDVFS_PRELOAD -shared -fPIC -o $@ $< \
		$(shell $(PKG_CONFIG) --libs sqlite3) -ldl

# The card's own test links it, and so do the tests of what the station
# does when its card fails.
$(B)/tests/test_cardvfs $(B)/tests/test_irrigation $(B)/tests/test_pin \
	$(B)/tests/test_readings $(B)/tests/test_store: tests/cardvfs.c

helpers: $(HELPERS)

# The benchmark measures the budgets of DESIGN.md on the reference farm;
# it is not a test and never fails. The farm (five years of 16 sensors,
# bench/farm.c) takes a few minutes to make: it is made once and kept
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

# The quick card for the shed's wall, drawn from the console's own screens
# on the demo farm: $(B)/quick-card/the-nhanh.html, one A5 page per menu.
quick-card: all
	FIELDSTATION_BIN=$(abspath $(B))/fieldstation FIELDSTATION_RUNNER="$(EMU)" scripts/quick-card.sh --out $(B)/quick-card/the-nhanh.html

unit: all $(TEST_BIN) $(REPLAY_BIN)
	@fail=0; for t in $(TEST_BIN); do \
		$(EMU) $$t || { echo "FAILED: $$t"; fail=1; }; \
	done; for n in $(FUZZ_NAMES); do \
		$(EMU) $(B)/tests/replay_$$n tests/fuzz/$$n || { echo "FAILED: replay of tests/fuzz/$$n"; fail=1; }; \
	done; exit $$fail

# A cross-built station runs its console under qemu-user in tmux: the
# end-to-end tests that drive only the console (E2E_CROSS) run that way;
# the others start helpers or the station's commands directly.
E2E_CROSS := tests/e2e/home.sh tests/e2e/pumps.sh tests/e2e/schedules.sh tests/e2e/clock.sh \
	     tests/e2e/y2038.sh
ifneq ($(EMU),)
E2E := $(E2E_CROSS)
endif
# A script that cannot run here (it needs root, or a tty node this
# machine lacks) exits 77 and is counted as skipped, not passed; one that
# leaves out a part prints a line starting "SKIP". The summary names
# both. With FIELDSTATION_NO_SKIP set (CI, as root), any skip fails.
e2e: all helpers
	@pass=0; fail=0; skipped=""; parts=""; log=$(B)/e2e-script.log; \
	for t in $(E2E); do \
		echo "== $$t"; began=$$(date +%s); \
		{ FIELDSTATION_BIN=$(abspath $(B))/fieldstation FIELDSTATION_RUNNER="$(EMU)" \
			FIELDSTATION_EMU="$(EMU)" bash $$t; echo $$? >$$log.rc; } 2>&1 | tee $$log; \
		rc=$$(cat $$log.rc); echo "-- $$t: $$(( $$(date +%s) - began )) s"; \
		if [ "$$rc" = 77 ]; then echo "SKIPPED: $$t"; skipped="$$skipped $$t"; \
		elif [ "$$rc" != 0 ]; then echo "FAILED: $$t"; fail=$$((fail + 1)); \
		else pass=$$((pass + 1)); grep -q '^SKIP' $$log && parts="$$parts $$t"; fi; \
	done; rm -f $$log $$log.rc; \
	echo "e2e: $$pass passed, $$(echo $$skipped | wc -w) skipped, $$fail failed"; \
	[ -z "$$skipped" ] || echo "e2e skipped:$$skipped"; \
	[ -z "$$parts" ] || echo "e2e passed with a part skipped:$$parts"; \
	if [ -n "$(FIELDSTATION_NO_SKIP)" ] && [ -n "$$skipped$$parts" ]; then \
		echo "FAILED: tests skipped where every one must run (FIELDSTATION_NO_SKIP)"; \
		fail=$$((fail + 1)); fi; \
	[ "$$fail" = 0 ]

test: unit e2e check-po check-readme

# The tests again with memory watched; any report fails (tests/sanitizers.sh).
# ASan and UBSan need a build of their own, in its own folder.
SAN_B     := build-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
test-asan:
	@scripts/install-deps.sh --all
	$(MAKE) --no-print-directory B=$(SAN_B) EXTRA_CFLAGS="$(SAN_FLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" all helpers $(TEST_BIN:$(B)/%=$(SAN_B)/%)
	SAN_E2E="$(SAN_E2E)" tests/sanitizers.sh asan $(SAN_B)

test-valgrind: all helpers $(TEST_BIN) $(REPLAY_BIN)
	@scripts/install-deps.sh --all
	tests/sanitizers.sh valgrind $(B)

# The unit tests alone under memcheck: what CI runs (the end-to-end tests
# under valgrind take too long for it).
test-valgrind-unit: all $(TEST_BIN) $(REPLAY_BIN)
	@scripts/install-deps.sh --all
	tests/sanitizers.sh valgrind $(B) unit

# Power cuts: the station killed with SIGKILL at random moments while it
# is used, then started again, and checked (tests/crashtest.sh).
CRASH_CYCLES ?= 1000
crashtest: all
	tests/crashtest.sh $(CRASH_CYCLES)

# Power cuts at the write itself: the test card (tests/cardvfs.c, a
# preload) drops or tears what was not synced, at a write inside a
# record's save, a run, a roll-up, a checkpoint, a backup or a migration
# (tests/powercut.sh).
POWERCUT_CUTS ?= 400
powercut: all helpers
	tests/powercut.sh $(POWERCUT_CUTS)

# A month of random hands: the console driven by random keys weighted
# towards real use, with sensors dropping out, sticks coming and going,
# the clock set and kill -9 now and then; memory, open files, the
# database's size, the pumps' ends and every screen watched
# (tests/soak.sh).
SOAK_DAYS ?= 30
soak: all helpers
	tests/soak.sh $(SOAK_DAYS)

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
HWTEST ?= boot gpio meter serial usb
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

# README.md's list of contents leads to its headings, and lists them all.
check-readme:
	@tests/readme-toc.sh README.md

# Refresh the template and the Vietnamese catalogue from the sources.
pot:
	$(XGETTEXT) -o po/fieldstation.pot
	sed -i '/^"POT-Creation-Date:/d' po/fieldstation.pot
	msgmerge -q -U --backup=none --add-location=file po/vi.po po/fieldstation.pot

# The unit runs the installed program (its paths say /usr/bin; PREFIX
# changes them). A first configuration, the template to fill in, is never
# put over the farm's own. The package sets UNITDIR and UDEVDIR to the
# system's folders (/lib/...), make install to the administrator's.
UNITDIR ?= /etc/systemd/system
UDEVDIR ?= /etc/udev/rules.d
# RELEASE_KEY=FILE.pub: the cooperative's release key (fieldstation
# release-key new), which the station checks new versions and settings on
# a stick against; without it the station takes none.
RELEASE_KEY ?=
install: $(B)/fieldstation $(B)/fieldstation-update $(B)/fieldstation-speak $(MO) $(FONTS)
	install -D -m 755 $(B)/fieldstation $(DESTDIR)$(PREFIX)/bin/fieldstation
	install -D -m 755 $(B)/fieldstation-update \
		$(DESTDIR)$(PREFIX)/lib/fieldstation/fieldstation-update
	install -D -m 755 $(B)/fieldstation-speak \
		$(DESTDIR)$(PREFIX)/lib/fieldstation/fieldstation-speak
	install -D -m 644 $(MO) $(DESTDIR)$(PREFIX)/share/locale/vi/LC_MESSAGES/fieldstation.mo
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/share/consolefonts $(FONTS)
	install -d $(DESTDIR)$(UNITDIR)
	@# The records, the PIN's hash and the backups: the station's alone.
	install -d -m 750 $(DESTDIR)/var/lib/fieldstation
	for unit in fieldstation.service fieldstation-update.service fieldstation-update.path; do \
		sed 's|/usr/bin/|$(PREFIX)/bin/|g; s|/usr/lib/fieldstation/|$(PREFIX)/lib/fieldstation/|g; s|/usr/share/|$(PREFIX)/share/|g' \
			scripts/$$unit >$(DESTDIR)$(UNITDIR)/$$unit || exit 1; done
	@if [ -n "$(RELEASE_KEY)" ]; then \
		grep -q '^public: [0-9a-f]\{64\}$$' "$(abspath $(RELEASE_KEY))" || \
			{ echo "RELEASE_KEY=$(RELEASE_KEY) is not a release key's public file (FILE.pub)"; exit 1; }; \
		install -D -m 644 "$(abspath $(RELEASE_KEY))" \
			$(DESTDIR)$(PREFIX)/share/fieldstation/release-key.pub; \
	else echo "make install: no RELEASE_KEY: this station will take no new version or settings from a stick"; fi
	@# The GPIO chips to the group gpio; USB sticks mounted when plugged
	@# in, unmounted when pulled out.
	install -D -m 644 -t $(DESTDIR)$(UDEVDIR) scripts/60-fieldstation-gpio.rules \
		scripts/90-fieldstation-stick.rules
	install -D -m 755 scripts/fieldstation-stick \
		$(DESTDIR)$(PREFIX)/lib/fieldstation/fieldstation-stick
	install -D -m 644 config/demo.ini $(DESTDIR)$(PREFIX)/share/fieldstation/demo.ini
	install -D -m 644 docs/fieldstation.1 $(DESTDIR)$(PREFIX)/share/man/man1/fieldstation.1
	[ -e $(DESTDIR)/etc/fieldstation/fieldstation.ini ] || \
		install -D -m 644 config/template.ini $(DESTDIR)/etc/fieldstation/fieldstation.ini

# The Debian package of ARCH, from debian/ (debhelper; debian/rules runs
# this Makefile with DEPS= in its own folder, build-deb-ARCH/), checked by
# lintian (no error) and tests/deb.sh (what it holds and depends on).
DEB_FILE := build-deb-$(ARCH)/fieldstation_$(VERSION)_$(ARCH).deb
deb:
	@scripts/install-deps.sh --deb $(DEPS_ARGS)
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
	 { echo "debian/changelog is at $$v, the Makefile at $(VERSION)"; exit 1; }
	dpkg-architecture -a$(ARCH) -q DEB_HOST_ARCH >/dev/null
	tests/builddeps.sh $(PKG_CONFIG) $(PKGS)
	dpkg-architecture -a$(ARCH) -c debian/rules clean
	dpkg-architecture -a$(ARCH) -c debian/rules build
	dpkg-architecture -a$(ARCH) -c debian/rules binary
	lintian --fail-on error --display-info $(DEB_FILE)
	tests/deb.sh $(DEB_FILE)

clean:
	rm -rf $(B) $(SAN_B) $(FUZZ_B) build-deb-*

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
