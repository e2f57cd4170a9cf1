# Tierscope: `make run` starts the dashboard, `make test` runs the whole suite.
# Both install what they need first; nothing else is required on a fresh machine.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
DB     ?= data/portfolio.duckdb
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT    := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

export BROWSER_PATH ?= /usr/bin/chromium
export TIERSCOPE_DB ?= $(abspath $(DB))

.PHONY: run test install install-test system-deps demo lint format bench clean

run: install
	$(BIN)/python -m analytics demo --if-empty --db "$(TIERSCOPE_DB)"
	$(BIN)/python -m ui.serve --server.port $(PORT) --server.headless true

test: install-test system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

install: $(BIN)/.installed

install-test: $(BIN)/.installed-test

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-test: requirements-test.txt $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

# Debian's Chromium (browser tests, chart export), CJK fonts (Chinese in charts) and
# Java (the PySpark portability test); installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || missing="$$missing fonts-noto-cjk"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(APT) update -qq && $(APT) install -y -qq $$missing; \
	fi

demo: install
	$(BIN)/python -m analytics demo --db "$(TIERSCOPE_DB)"

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-test
	$(BIN)/python bench/load.py
	$(BIN)/python bench/demo.py
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
