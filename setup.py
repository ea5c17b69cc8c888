"""
setuptools entry point; the project metadata lives in pyproject.toml.

It registers the commands that compile the Go core (build_scripts/setuptools_cmds.py) and
gives the optional dependencies, which depend on the machine (build_scripts/extras.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup

# The build backend puts build_scripts/ on sys.path already (backend-path); this makes
# `python setup.py ...` and other direct setuptools runs work too.
sys.path.insert(0, str(Path(__file__).resolve().parent / "build_scripts"))

from extras import optional_dependencies  # noqa: E402
from setuptools_cmds import BinaryDistribution, cmdclass  # noqa: E402

setup(
    cmdclass=cmdclass,
    distclass=BinaryDistribution,
    extras_require=optional_dependencies(),
)
