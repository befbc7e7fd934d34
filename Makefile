# aichain: two commands are the whole set-up.
#   make book   build the book into _build/html with every notebook executed
#   make test   lint, a from-scratch build of the book, then pytest
# Both first create .venv (if missing) and install the pinned environment.

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BUILD_FLAGS := --warningiserror --keep-going

# Edition: `make book EDITION=student` removes the exercises' solutions (instructor is the default).
# The student edition is built into its own folder, _build/student (tools/build_book.py --out): its pages
# are rendered from the instructor build's execution cache in _build (no notebook runs again) and
# _build/html is never touched; the build fails if a solution is left.
EDITION ?=
ifneq ($(strip $(EDITION)),)
export AICHAIN_EDITION := $(EDITION)
endif
STUDENT := $(filter student,$(strip $(EDITION)))
# Where the pages of this edition go: _build (html, singlehtml) or _build/student.
EDITION_OUT := $(if $(STUDENT),--out _build/student)
SITE := $(if $(STUDENT),_build/student/html,_build/html)

# Language (issue 26): `make book` builds both editions from one execution: the English one into
# _build/html, every page linking to its Chinese page, then the Chinese one (中文版) into _build/zh from the
# English build's execution cache (no notebook runs again; the texts come from the catalogues in
# locale/zh_CN), copied into the English site as _build/html/zh, every page linking back. English is the
# site's root because it is the source every translation is made from. `make book LANG=en` builds the
# English edition alone (its pages link to no other edition, and a copy of the Chinese one is removed, as
# it would not be current); `make book LANG=zh` the Chinese one alone, from the English build's cache.
# Only a LANG given on the command line counts (the LANG of the environment is the shell's locale), and the
# build itself then runs with the environment's locale, not with LANG=zh.
# The student edition has both languages too: `make book EDITION=student` builds the English student
# edition into _build/student/html, each page linking to its Chinese page, then the Chinese one into
# _build/student/zh, copied to _build/student/html/zh (both from _build's execution cache; the build fails
# if a solution is left in either). Both, as `make book`, because a class is given one site to read in
# the language it prefers, and a student who switches language must land on a page without solutions:
# an English-only student site would link to no Chinese edition, or to the instructor's.
# LANG=en and LANG=zh build one of them, as for the instructor's edition.
BOOK_LANG := $(if $(filter command line,$(origin LANG)),$(strip $(LANG)),all)
ifeq ($(origin LANG),command line)
override LANG := $(shell echo "$$LANG")
endif
ifneq ($(filter-out en zh all,$(BOOK_LANG)),)
$(error LANG=$(BOOK_LANG): the book's languages are en and zh (both when LANG is not given))
endif
# The build commands of each language choice: English (with or without the link to the Chinese pages),
# then Chinese.
BUILD_EN := $(BIN)/python tools/build_book.py _build $(EDITION_OUT)
BUILD_ZH := $(BIN)/python tools/build_book.py _build $(EDITION_OUT) --language zh_CN -- $(BUILD_FLAGS)
BOOK_BUILD_all := $(BUILD_EN) --counterpart zh_CN -- $(BUILD_FLAGS) && $(BUILD_ZH)
BOOK_BUILD_en := $(BUILD_EN) -- $(BUILD_FLAGS)
BOOK_BUILD_zh := $(BUILD_ZH)
SITE := $(if $(filter zh,$(BOOK_LANG)),$(SITE)/zh,$(SITE))

# Notebooks run with the virtual environment's python and its kernel.
export PATH := $(BIN):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# The directory make was run from (also under make -C): relative AICHAIN_DATA and AICHAIN_COLUMNS
# paths are read from it, not from chapters/ where the notebooks run.
export AICHAIN_CWD ?= $(if $(PWD),$(PWD),$(CURDIR))

.PHONY: env book pdf pdf-deps test lint clean help bench montecarlo montecarlo-world calibrate browser-deps check-data locale

help:
	@echo "make book   - build the book into _build/html (executes every chapter), English and Chinese (_build/html/zh)"
	@echo "make book EDITION=student - the student edition (no solutions) into _build/student/html, English and Chinese (html/zh); LANG=en|zh one"
	@echo "make book LANG=en - the English edition alone; LANG=zh the Chinese edition (中文版) alone, into _build/html/zh, from the English build's execution"
	@echo "make locale - update the Chinese catalogues (locale/zh_CN) of the pages that have one (PAGES=\"index ...\" adds pages)"
	@echo "make pdf    - the whole book as one PDF, _build/pdf/aichain.pdf and in Chinese aichain-zh.pdf (Chromium prints a single-page build); LANG=en|zh one"
	@echo "make pdf EDITION=student - the student PDFs (no solutions; aichain-student.pdf, aichain-student-zh.pdf), the student site, the handouts PDF, the course pack"
	@echo "make test   - ruff and the import contracts, a from-scratch book build (and its PDF when Chromium is installed), and pytest"
	@echo "make check-data - check the file in AICHAIN_DATA and print one report (exit 2 if it fails)"
	@echo "make bench  - time the book build and the Tables 3-10 battery at 1x/10x/100x (about 15 minutes)"
	@echo "make calibrate - choose the default simulated world's parameters (indirect inference; about 10 minutes)"
	@echo "make montecarlo - rerun and store the Monte Carlo (REPS=200 by default; AICHAIN_DASK=tcp://host:8786 for a cluster)"
	@echo "make montecarlo-world - rerun and store the closest world's Monte Carlo, data/montecarlo/world (200 replications of"
	@echo "                 every printed statistic of Tables 3-10; about 5 minutes on 2 cores; rerun after make calibrate)"
	@echo "make clean  - remove _build (the execution cache included)"

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 11) else "aichain needs Python 3.11; $(PYTHON) is %d.%d. Run: make PYTHON=python3.11 ..." % v)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

# tools/build_book.py: check-data (its verdict cached per inputs), the cache guard, the parallel
# pre-execution and jupyter-book build; it keeps the last good site (marked as not current when a
# build fails) and, when a chapter fails, prints the chapter, the cell and the exception last.
book: $(STAMP)
	@$(BOOK_BUILD_$(BOOK_LANG))
	@echo "Open $(SITE)/index.html (or: python -m http.server -d $(SITE) 8000)"

# The Chinese catalogues (issue 26): Sphinx's gettext builder writes one message template per page
# (_build/locale/gettext/<page>.pot; nothing is executed again), and sphinx-intl merges the templates of the
# pages being translated into locale/zh_CN/LC_MESSAGES/<page>.po: new paragraphs get an empty translation,
# changed ones a fuzzy one (tests/test_i18n.py fails until they are translated). The pages updated are those
# that have a catalogue, and those named in PAGES (make locale PAGES="teaching chapters/baseline").
# tools/table_labels.py then merges the labels of the English site's executed tables (_build/html, from the last
# make book), their data cells' words and their marks' tooltips into $(LOCALE_PO)/tables.po, which the Chinese
# build applies to those tables' header cells, data cells and tooltips, and tools/figure_labels.py the texts of its
# figures (from the executed notebooks) into $(LOCALE_PO)/figures.po, which the chapters read when they run (an
# input of the execution: a change re-executes the chapters).
LOCALE_PO := locale/zh_CN/LC_MESSAGES
PAGES ?=
LOCALE_PAGES = $(sort $(filter-out tables figures figure_alt sphinx,$(patsubst $(LOCALE_PO)/%.po,%,$(shell find $(LOCALE_PO) -name '*.po' 2>/dev/null))) $(PAGES))
locale: $(STAMP)
	@$(BIN)/python tools/build_book.py _build --builder gettext -- $(BUILD_FLAGS)
	@rm -rf _build/locale/selected && for page in $(LOCALE_PAGES); do \
		test -f _build/locale/gettext/$$page.pot || { echo "make locale: no page $$page"; exit 1; }; \
		mkdir -p _build/locale/selected/$$(dirname $$page) && cp _build/locale/gettext/$$page.pot _build/locale/selected/$$page.pot; \
	done
	@test -z "$(strip $(LOCALE_PAGES))" || $(BIN)/sphinx-intl update -p _build/locale/selected -d locale -l zh_CN
	@$(BIN)/python tools/table_labels.py _build/html
	@$(BIN)/python tools/figure_labels.py _build/html
	@echo "Translate the empty and fuzzy entries of $(LOCALE_PO)/*.po, then: make book LANG=zh"

check-data: $(STAMP)
	@$(BIN)/python tools/check_data.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/sync_environment.py --check
	$(BIN)/lint-imports --no-cache

# Headless Chromium for the browser tests: installed from Debian's packages when running as root
# (as CI does); elsewhere install it yourself (apt-get install chromium) or the tests are skipped.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "chromium: $$(chromium --version 2>/dev/null); Noto CJK fonts present"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fontconfig >/dev/null; \
	else echo "chromium or the Noto CJK fonts missing and not root: browser and PDF tests will be skipped or fail"; fi

# The whole book as one PDF: a single-page HTML build (same execution cache, same extensions) printed by
# headless Chromium, which renders MathJax, Chinese (Noto CJK), tables and figures as the site does
# (tools/make_pdf.py --build). Then the site is rebuilt so that its landing page links the PDF (copied to
# _build/html/aichain.pdf). EDITION=student writes _build/pdf/aichain-student.pdf (no solutions) from a
# single-page build in _build/student/singlehtml and the student site _build/student/html (the execution
# cache is _build's: nothing runs again; _build/html and _build/singlehtml are not touched), then prints the
# handouts (one page per chapter) and puts both PDFs into the student site's course pack
# (tools/course_pack.py). Neither PDF has the API reference (it stays on the site).
# LANG as for `make book` (issue 26): the Chinese PDF, _build/pdf/aichain-zh.pdf (aichain-student-zh.pdf),
# is the Chinese edition's single-page build (_build/zh/singlehtml, or _build/student/zh/singlehtml; from the
# same execution cache, so its numbers are the English PDF's) printed the same way, and the Chinese site's
# landing page links it. Without LANG both PDFs are printed, then both sites built; LANG=en or LANG=zh
# prints one and builds its site; with EDITION=student the course packs of the sites built are refreshed (the
# Chinese site's pack carries the Chinese PDFs and the chapters' notebooks with their text in Chinese).
PDF_BASE := $(if $(STUDENT),aichain-student,aichain)
PDF_en := $(BIN)/python tools/make_pdf.py --build _build $(EDITION_OUT) _build/pdf/$(PDF_BASE).pdf -- $(BUILD_FLAGS)
PDF_zh := $(BIN)/python tools/make_pdf.py --build _build $(EDITION_OUT) --language zh_CN \
	_build/pdf/$(PDF_BASE)-zh.pdf -- $(BUILD_FLAGS)
PDF_all := $(PDF_en) && $(PDF_zh)
PDF_FILES_en := _build/pdf/$(PDF_BASE).pdf
PDF_FILES_zh := _build/pdf/$(PDF_BASE)-zh.pdf
PDF_FILES_all := $(PDF_FILES_en) $(PDF_FILES_zh)
pdf: $(STAMP) pdf-deps
	$(PDF_$(BOOK_LANG))
	$(BOOK_BUILD_$(BOOK_LANG))
	$(if $(STUDENT),$(BIN)/python tools/course_pack.py _build $(EDITION_OUT))
	@echo "Wrote $(PDF_FILES_$(BOOK_LANG)) (also linked from the landing page of $(SITE))"

# Chromium and the CJK fonts for `make pdf`: installed from Debian's packages when running as root.
pdf-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "chromium: $$(chromium --version 2>/dev/null); Noto CJK fonts present"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fontconfig >/dev/null; \
	else echo "make pdf needs chromium and fonts-noto-cjk (apt-get install chromium fonts-noto-cjk) or root" >&2; exit 1; fi

# The whole-book PDF is built too when Chromium is there (tests/test_pdf.py checks it; CI installs
# Chromium through browser-deps): the single-page build and its print, then the site, which links it
# (tools/make_pdf.py --build: the site build then reuses the pages the single-page build read).
# So is the student PDF (tests/test_pdf_student.py): the student edition's single-page build in
# _build/student (the execution cache is _build's; _build's pages and Sphinx state are not touched),
# printed to _build/pdf/aichain-student.pdf before the site is built, so that the site's course pack has it.
# So are the Chinese PDFs (tests/test_pdf_zh.py; issue 26): the Chinese edition's single page in
# _build/zh/singlehtml, printed to _build/pdf/aichain-zh.pdf before the Chinese site is built (which links
# it, and reuses the pages its single-page build read: they share _build/zh's Sphinx state), and the
# Chinese student edition's in _build/student/zh/singlehtml, printed to _build/pdf/aichain-student-zh.pdf.
# The phases are run by .ci/phases.py (issue 27): lint, check-data and the execution one after another; the
# four PDFs two at a time (each writes its own folder and file), then both sites at the same time (after
# every PDF, which their digests count), the handouts, and pytest. Each phase's wall and CPU time is printed
# at the end (also when a phase fails, which fails make test with its name and its log).
# The tests read this one build (_build/html, _build/pdf); tests/test_incremental_builds.py starts its
# sandbox from its execution cache. pytest runs on two workers (pytest-xdist), a test file per worker at
# a time (--dist loadfile: a file's fixtures are built once), the longest files first (tests/conftest.py),
# and prints each worker's busy time and its longest files.
test: $(STAMP) browser-deps
	@$(BIN)/python .ci/phases.py $(BIN) -- $(BUILD_FLAGS)

clean:
	rm -rf _build

# make montecarlo REPS=10000 [JOBS=8] [WHAT=battery] [SCALE=10]; on a cluster, name its Dask scheduler:
# AICHAIN_DASK=tcp://host:8786 make montecarlo REPS=10000. Interrupted runs resume from their checkpoints.
REPS  ?= 200
JOBS  ?= 2
WHAT  ?= lab
SCALE ?= 1
montecarlo: $(STAMP)
	$(BIN)/python -m aichain_utils.replication.lab --reps $(REPS) --jobs $(JOBS) --what $(WHAT) --scale $(SCALE)

# The closest world's Monte Carlo (aichain_utils.replication.closestworld): every printed statistic of Tables 3-10 in
# 200 draws of the calibrated world, on seeds neither the calibration nor the default panel uses.
montecarlo-world: $(STAMP)
	$(BIN)/python -m aichain_utils.replication.closestworld --jobs $(JOBS)

# Writes the calibrated: block of data/simulation/params.yml and data/simulation/calibration.json.
calibrate: $(STAMP)
	$(BIN)/python tools/calibrate.py --jobs $(JOBS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py --update-readme

# The data matrix's expensive level: a copy of the repository built on the simulated panel, then
# incrementally on each partial file in turn (Stata files of finished variables: the required ones only,
# and the required ones with FSIE and ITSE on an unbalanced panel; a raw file without the ITSE input),
# every page with its table or its reason, no nan, no simulation-only sentence, each file byte-identical
# afterwards (tests/test_data_matrix.py; about 25 minutes). `make test` runs its cheap level (every
# generated file, every chapter's computations, no Sphinx).
.PHONY: test-data-matrix
test-data-matrix: $(STAMP)
	AICHAIN_DATA_MATRIX=1 $(BIN)/python -m pytest -q tests/test_data_matrix.py
