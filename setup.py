"""The analyzer's core is compiled to C with mypyc when tousu is installed.

The same modules run as plain Python; compiled, they analyse about 1.3 times as many
complaints per second. The metadata is in pyproject.toml; this file only adds the extension
modules. TOUSU_PURE_PYTHON=1 installs without compiling, as does a machine without a C
compiler or the Python headers.
"""

import os
import shutil
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup

# The analyzer's pure core: what runs for every complaint. Its command line and evaluation
# code run once per invocation and stay interpreted.
COMPILED_PACKAGE = Path("src/tousu/analysis")
INTERPRETED = {"__init__.py", "cli.py", "datasets.py", "evaluate.py"}


def compiled_extensions() -> list[Extension]:
    if os.environ.get("TOUSU_PURE_PYTHON"):
        return []
    missing = _missing_build_tools()
    if missing:
        print(f"tousu: {missing} not found: the analyzer is installed as plain Python (slower)", file=sys.stderr)
        return []
    from mypyc.build import mypycify

    sources = sorted(str(path) for path in COMPILED_PACKAGE.glob("*.py") if path.name not in INTERPRETED)
    # The project's strict mypy settings (pyproject.toml) are for checking, and name a plugin
    # that is not installed where this builds: compile with mypy's defaults instead. Modules the
    # package imports from elsewhere (the pydantic policy models, through the knowledge base's
    # settlement rules) are read for their types only; without the plugin mypy would misread
    # them, and `make lint` checks them properly.
    return mypycify(
        ["--config-file=", "--ignore-missing-imports", "--follow-imports=silent", *sources], group_name="tousu_analysis"
    )


def _missing_build_tools() -> str | None:
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"the C compiler ({compiler})"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").exists():
        return "the Python headers (Python.h)"
    return None


setup(ext_modules=compiled_extensions())
