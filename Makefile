# The README's two entry points are `make demo` and `make test`; both install what they need.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PA     := $(VENV)/bin/partner-archive
PORT   ?= 8765
DEMO   ?= archive/demo

.PHONY: install demo test lint bench browser clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Headless Chromium for the HTML-export browser test (Debian package, needs root/apt).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

demo: install
	$(PY) -m pipeline.demo --port $(PORT) --archive $(DEMO)

test: install
	$(VENV)/bin/ruff check pipeline tests bench
	$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check pipeline tests bench

bench: install
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) archive/demo
