# The README's two entry points are `make demo` and `make test`; both install what they need.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PA     := $(VENV)/bin/partner-archive
PORT   ?= 8765
DEMO   ?= archive/demo

.PHONY: install build demo test lint bench browser clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# The parser compiled by Cython (setup.py), again whenever one of its sources changed. Without a C compiler
# the parser simply runs as Python; pipeline/compiled.py never lets a compiled module older than its source run.
build: $(VENV)/.compiled

$(VENV)/.compiled: $(VENV)/.installed setup.py $(wildcard pipeline/parse/*.py)
	$(PY) -m pip install -q 'Cython>=3.0' 'setuptools>=68'
	$(PY) setup.py -q build_ext --inplace
	touch $@

# Headless Chromium for the HTML-export browser test (Debian package, needs root/apt).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

demo: build
	$(PY) -m pipeline.demo --port $(PORT) --archive $(DEMO)

test: build
	$(VENV)/bin/ruff check pipeline tests bench setup.py
	$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check pipeline tests bench setup.py

bench: build
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) archive/demo build pipeline/parse/*.c pipeline/parse/*.so pipeline/parse/_compiled_from.json
