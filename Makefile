# Two commands for a fresh machine: `make run` (demo platform on SQLite) and `make test` (all tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench clean-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/kechuang migrate --noinput -v0
	$(BIN)/kechuang demo --if-empty
	$(BIN)/kechuang matching reindex
	$(BIN)/kechuang serve

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

test: install lint
	@if [ -x /usr/bin/chromium ]; then echo "浏览器测试：使用 /usr/bin/chromium"; \
	elif [ -n "$$CI" ]; then echo "CI 上缺少 /usr/bin/chromium（.ci/run 应已安装）" >&2; exit 1; \
	else echo "提示：未找到 /usr/bin/chromium，跳过浏览器测试（sudo apt-get install chromium fonts-wqy-microhei 可启用）"; fi
	@echo "== 测试（SQLite） =="
	$(BIN)/python -m pytest -q -p no:cacheprovider
	@echo "== 测试（PostgreSQL） =="
	$(BIN)/python tests/run_with_postgres.py $(BIN)/python -m pytest -q -p no:cacheprovider

bench: install
	$(BIN)/kechuang bench registry --json
