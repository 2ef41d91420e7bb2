# Two commands do all the set-up:  `make lab` (start the course)  and  `make test`.
# The first use of either creates .venv and installs the kit into it; `make test` also
# installs the test tools from npm (once, again when package-lock.json changes) when npm
# is there. `make check` is the quick first run: lint, the data schemas, the fast tests.

PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.coursekit-installed
PORT    ?= 8888
# JupyterLab refuses to run as root without --allow-root (CI and containers run as root).
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PYTEST_ARGS ?=
# npm's own record of what `npm ci` installed: newer than package-lock.json once done.
NPM_STAMP := node_modules/.package-lock.json
NPM := $(shell command -v npm 2>/dev/null)
# Run everything as if the environment were activated: nbgrader calls tools such as
# `alembic` by name, so the environment's bin/ must be on PATH.
export PATH := $(abspath $(BIN)):$(PATH)
export VIRTUAL_ENV := $(abspath $(VENV))
LAB_ARGS ?=
# When sessions start, for clock times on run sheets and slides: make handouts START=18:30
START ?=

.PHONY: lab test check npm-tools lint sync handouts bench clean help

help:
	@echo "make lab    start the course in JupyterLab (lessons/00-start-here.ipynb)"
	@echo "make test   run every test (lessons, journal, grading, browser; ~10 minutes on"
	@echo "            2 cores; needs chromium and npm, see README)"
	@echo "make check  the quick first run: ruff, the course data schemas and the fast tests"
	@echo "            (under 2 minutes; no browser)"
	@echo "make lint   ruff and the lesson content linter"
	@echo "make sync   regenerate everything built from assets/: shared lesson cells, glossary,"
	@echo "            references, the safety protocol's tables, the nbgrader source checks,"
	@echo "            and the printable support list (build/handouts/support.html and .pdf)"
	@echo "make handouts  build printable handouts, run sheets and slides into build/"
	@echo "            (START=18:30 prints clock times on run sheets and slides)"
	@echo "make bench  print the benchmarks' figures"
	@echo "make site   build the browser edition (nothing to install for learners) into build/site"

$(STAMP): pyproject.toml
	@echo "==> Creating the virtual environment in $(VENV) (first use only)"
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> Installing the course kit and its dependencies (a few minutes the first time)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@echo "==> Installing the kit's privacy settings into JupyterLab"
	$(BIN)/coursekit setup
	@touch $(STAMP)

lab: $(STAMP)
	@echo "==> Starting JupyterLab on lessons/00-start-here.ipynb (stop it with Ctrl+C twice)"
	$(BIN)/jupyter lab $(ALLOW_ROOT) --port=$(PORT) \
		--ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/lessons/00-start-here.ipynb $(LAB_ARGS)

# The npm packages the slide decks (reveal.js, copied next to them by `make handouts`)
# and the browser and hub tests use (axe-core, configurable-http-proxy). Without npm those tests skip and say what to install (in CI,
# where .ci/run installs npm, they fail instead).
$(NPM_STAMP): package.json package-lock.json
	@echo "==> Installing the test tools from npm (first use only)"
	@npm ci --no-audit --no-fund --update-notifier=false --loglevel=error || { \
	  echo "ERROR: npm ci failed; fix the problem above, or remove node_modules/ and retry" >&2; \
	  exit 1; }
	@touch $(NPM_STAMP)

npm-tools:
ifneq ($(NPM),)
	@$(MAKE) --no-print-directory $(NPM_STAMP)
else
	@echo "NOTE: npm is not installed: slide decks cannot be built and the accessibility," \
	      "slide and hub tests will skip (install Node.js and npm, e.g. apt-get install npm)"
endif

test: $(STAMP) npm-tools
	@echo "==> Checking the course data (assets/, facilitator/sessions/) against its schemas"
	@$(BIN)/coursekit lessons lint
	@echo "==> Running the test suite"
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests" >&2; fi; exit $$rc

# The quick first run: lint, the data schemas and the tests not marked slow or browser
# (test_extensions.py starts JupyterLab's extension manager twice: `make test` runs it).
CHECK_ARGS ?= -q -m "not slow and not browser" --ignore=tests/test_extensions.py
check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/coursekit lessons lint
	@$(BIN)/python -m pytest $(CHECK_ARGS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/coursekit lessons lint

sync: $(STAMP)
	$(BIN)/coursekit lessons sync
	$(BIN)/coursekit handouts protocol
	$(BIN)/coursekit grade generate
	$(BIN)/coursekit handouts support -o build

# The slides need the kit's own reveal.js (npm): installed here, never loaded from a CDN.
handouts: $(STAMP) npm-tools
	$(BIN)/coursekit handouts check
	$(BIN)/coursekit handouts build -o build $(if $(START),--start $(START))

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "==> $$b"; $(BIN)/python $$b || exit $$?; done

# The browser edition (JupyterLite + Pyodide): built from lessons/ and the kit's wheel into
# $(SITE_OUT), a folder any static web host can serve. Needs Python 3.12+ somewhere
# (site/build.py finds it, or set SITE_PYTHON) and npm; caches in build/site-cache/.
# Prints a short summary; the tools' full log only on failure, or as it comes with V=1.
SITE_OUT ?= build/site
V ?=
.PHONY: site
site:
	@if [ -x $(BIN)/coursekit ]; then \
	  echo "==> Checking the course data against its schemas"; $(BIN)/coursekit lessons lint; \
	else echo "NOTE: no $(VENV) yet, so the course data was not checked (make lint does it)"; fi
	@V="$(V)" $(PYTHON) site/build.py --out "$(SITE_OUT)"

clean:
	rm -rf build .pytest_cache
