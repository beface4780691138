# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The first Python >= 3.12 found; pyenv machines find 3.13.0 through .python-version.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)
DEMO_EXPERTS ?= 300
DEMO_NEEDS ?= 120
DEMO_SEED ?= 1

.PHONY: install run test lint messages clean

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found; install one (e.g. pyenv install 3.13.0)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	@touch $@

install: $(VENV)/.installed

run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --experts $(DEMO_EXPERTS) --needs $(DEMO_NEEDS) --seed $(DEMO_SEED)
	DEBUG=1 $(PY) manage.py refresh_stats
	@# A background worker beside the server runs the long work (assignment runs); it stops with the server.
	DEBUG=1 $(PY) manage.py db_worker --no-reload --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Needs gettext (apt-get install gettext): refresh the catalogues, translate, then compile.
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l fr -l es --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
