# The two commands a newcomer needs: `make run` and `make test`. Everything else is for CI and us.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
EXTRAS := dev,browser,postgres,redis
HOST ?= 127.0.0.1
PORT ?= 8000
# axe-core for the browser tests (package-lock.json), reinstalled when the lock changes. Without
# npm the step is left out and the browser tests skip, saying why.
NPM := $(shell command -v npm 2>/dev/null)
NODE_TOOLS := node_modules/.installed
# Lighthouse has its own lock in benchmarks/node, so `make test` never downloads it. Its package.json
# pins two packages Lighthouse's trace engine asks for as "latest": otherwise each new release of
# them puts the lock out of sync and `npm ci` refuses to install.
LIGHTHOUSE := benchmarks/node/node_modules/.installed

.PHONY: run test lint check serve serve-cached bench bench-search bench-email bench-lockout lighthouse messages constraints clean

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]'
	touch $@

$(NODE_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(LIGHTHOUSE): benchmarks/node/package.json benchmarks/node/package-lock.json
	npm ci --prefix benchmarks/node --no-audit --no-fund
	touch $@

# The laptop setup: DEBUG on, links and the printed login pointing at this very server, mails
# printed on the terminal (unless EMAIL_URL says otherwise).
RUN_ENV := DEBUG=1 SITE_URL=http://$(HOST):$(PORT) EMAIL_URL=$${EMAIL_URL:-console://}

# Background tasks (archive/tasks.py) are run by `manage.py db_worker` processes: TASK_WORKERS of
# them start before the command that follows this prefix, and stop when it ends, by Ctrl-C or
# otherwise. (Restart `make run` to give the worker changed task code.)
TASK_WORKERS ?= 1
WITH_TASK_WORKERS = workers=; \
	for n in $$(seq $(TASK_WORKERS)); do \
		$(BIN)/python manage.py db_worker --no-reload --verbosity 1 & workers="$$workers $$!"; \
	done; \
	trap 'kill $$workers 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM;

run: $(INSTALLED)
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py loaddemo
	$(RUN_ENV) $(BIN)/python manage.py ensure_admin
	export $(RUN_ENV); $(WITH_TASK_WORKERS) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(INSTALLED) $(if $(NPM),$(NODE_TOOLS))
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Production-style serving: hashed, compressed static files through whitenoise, gunicorn workers,
# and TASK_WORKERS task workers beside them. Configure with the environment (README.md,
# "Deployment", which also says how to run workers on their own).
serve: $(INSTALLED)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(WITH_TASK_WORKERS) $(BIN)/gunicorn --config config/gunicorn.py config.wsgi

# The same behind Varnish (deploy/varnish/jugan.vcl): Varnish on BIND (127.0.0.1:8000), gunicorn on
# APP_BIND (127.0.0.1:8001), content changes purged from Varnish as they commit.
serve-cached: $(INSTALLED)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(WITH_TASK_WORKERS) $(BIN)/python -m deploy.varnish

# Seeds throwaway databases in /tmp and prints a table of queries, latency and throughput.
bench: $(INSTALLED)
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python -m benchmarks.run

# A published week mailed to 10,000 subscribers through a local SMTP server by two task workers:
# mails per second, peak memory, duplicates (benchmarks/email.py).
bench-email: $(INSTALLED)
	$(BIN)/python -m benchmarks.email

# What a sign-in refused by the lockout costs, beside one whose password is hashed (a minute).
# Only search, on 5,200 and 100,000 posts: its medians and how they grow (benchmarks/run.py).
bench-search: $(INSTALLED)
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	BENCH_SEARCH_ONLY=1 $(BIN)/python -m benchmarks.run

bench-lockout: $(INSTALLED)
	$(BIN)/python -m benchmarks.lockout

# Lighthouse's four scores for home, the week page and search, phone and desktop, on a server it
# starts with the demo data and production settings; fails on any score below 100 it does not
# explain (benchmarks/lighthouse.py). Needs npm and Chromium (CHROME_PATH).
lighthouse: $(INSTALLED) $(LIGHTHOUSE)
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python -m benchmarks.lighthouse

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(INSTALLED)
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Refresh the Korean catalogue from the code and templates, then compile it (the .mo is committed).
messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages --locale ko --add-location file --no-obsolete
	$(BIN)/python manage.py compilemessages --locale ko --ignore '.venv'

constraints: $(INSTALLED)
	head -n 2 constraints.txt > constraints.new
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^jugan' >> constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) staticfiles node_modules benchmarks/node/node_modules
