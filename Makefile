# Two entry points for a newcomer: `make run` and `make test`.
# Both set everything up first: the Debian libraries Qt needs, a venv in .venv, the project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEB_PACKAGES := libgl1 libegl1 libglib2.0-0 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0 libxcb-randr0 \
	libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 binutils

.PHONY: run test test-fast setup deps bench package clean lint

run: setup
	$(BIN)/skyline

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

test-fast: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m "not slow and not packaging"

setup: deps $(STAMP)

deps:
	@bash scripts/apt-deps.sh $(DEB_PACKAGES)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

bench: setup
	$(BIN)/python benchmarks/analysis_bench.py
	$(BIN)/python benchmarks/sim_bench.py
	$(BIN)/python benchmarks/reliability_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/gui_bench.py

lint: setup
	$(BIN)/ruff check simcore designer tests benchmarks

package: setup
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build packaging/skyline.spec

# dist/skyline-<version>-linux-x86_64.tar.gz (a .zip on Windows and macOS): see docs/packaging.md
.PHONY: tarball
tarball: package
	$(BIN)/python packaging/make_tarball.py --dist dist

clean:
	rm -rf build dist .pytest_cache
