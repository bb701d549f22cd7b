# Set-up and everyday commands. `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
HOST ?= 127.0.0.1:8000

.PHONY: demo test install browser serve lint messages wheel-check clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Debian's Chromium (Playwright cannot download browsers here) and CJK fonts for screenshots.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

test: install browser
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo --host $(HOST)
	$(PY) manage.py db_worker & trap 'kill $$!' EXIT; $(PY) manage.py runserver $(HOST)

lint: install
	$(VENV)/bin/ruff check .

messages: install
	cd collection && ../$(PY) ../manage.py makemessages -l ja -l ru --no-obsolete --no-wrap && ../$(PY) ../manage.py compilemessages
	cd demo && ../$(PY) ../manage.py makemessages -l ja -l ru --no-obsolete --no-wrap && ../$(PY) ../manage.py compilemessages

wheel-check: install
	$(PY) -m pip wheel --quiet --no-deps -w build/wheel .
	$(PY) tests/check_wheel.py build/wheel/*.whl

clean:
	rm -rf $(VENV) build dist *.egg-info db.sqlite3
