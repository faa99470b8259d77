# `make run` and `make test` are the two commands a newcomer needs; both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck pytest bench lock validate clean

$(BIN)/tipbot-runtime: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(BIN)/tipbot-dev: requirements-dev.txt requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(BIN)/tipbot-runtime

run: $(BIN)/tipbot-runtime
	$(BIN)/tipbot serve

validate: $(BIN)/tipbot-runtime
	$(BIN)/tipbot validate

test: $(BIN)/tipbot-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(BIN)/tipbot-dev
	$(BIN)/python -m benchmarks

# Regenerate the exact pins from the ranges in pyproject.toml.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --quiet --python-version 3.11 -o requirements.txt
	$(PYTHON) -m uv pip compile pyproject.toml --quiet --python-version 3.11 --extra dev -o requirements-dev.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
