# The project's commands. Each target sets up what it needs first, so on a fresh machine
# `make demo` and `make test` are each one command.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := $(patsubst %/pyproject.toml,%,$(wildcard */pyproject.toml))
PLUGINS := tap-impact-crm tap-tracksale tap-trackfinity target-tracksale
SETUP_STAMP := $(VENV)/.setup-done
MELTANO_STAMP := .meltano/.install-done
export MELTANO_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup meltano-install demo test unit bench lint format docs dist clean

setup: $(SETUP_STAMP)

$(SETUP_STAMP): $(addsuffix /pyproject.toml,$(PACKAGES)) requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' || \
		{ echo "Python 3.10 to 3.12 is needed: run make with PYTHON=/path/to/python3.x"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.5"
	@# Names of earlier layouts: connector-kit is now part of each plugin, the sandbox renamed.
	@$(BIN)/uv pip uninstall --quiet --python $(BIN)/python connector-kit api-sandbox 2>/dev/null || true
	@# The newest singer-sdk the plugins allow, also in an existing environment: the suite
	@# (and CI) runs on the release a new user would get.
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python \
		--upgrade-package singer-sdk $(foreach p,$(PACKAGES),-e ./$(p)) -r requirements-dev.txt
	@$(BIN)/python -m compileall -q -j 0 connector-kit $(PACKAGES) >/dev/null
	@touch $@

meltano-install: $(MELTANO_STAMP)

$(MELTANO_STAMP): $(SETUP_STAMP) meltano.yml
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/meltano install
	@$(BIN)/python -m compileall -q -j 0 .meltano/extractors .meltano/loaders >/dev/null
	@touch $@

demo: meltano-install
	$(BIN)/python demo/run_demo.py

test: meltano-install
	@bash scripts/ensure_postgres.sh >/dev/null || test $$? -eq 2
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: setup
	$(BIN)/python bench/run_bench.py $(ARGS)

# The fast tests: units, the SDK boundary, the import graph, the project's files (under a minute).
unit: setup
	$(BIN)/python -m pytest -n 2 tests/unit tests/test_project.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(foreach p,connector_kit $(subst -,_,$(PLUGINS)),-p $(p))

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: setup
	$(BIN)/python scripts/readme_settings.py
	$(BIN)/python scripts/plugin_definitions.py

# Each plugin's sdist and wheel (built from the sdist, with connector_kit in both) into dist/.
dist: setup
	rm -rf dist
	$(foreach p,$(PLUGINS),$(BIN)/uv build --quiet --out-dir dist $(p) &&) true

clean:
	rm -rf $(VENV) .meltano .output dist
