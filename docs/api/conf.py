"""Sphinx configuration of the venprs API reference (built from the numpydoc docstrings).

Build: ``sphinx-build -W --keep-going -b html docs/api <out>`` (scripts/test.sh does this with
warnings as errors, into a temporary folder).
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "src")))

from venprs.version import __version__  # noqa: E402

project = "venprs"
author = "venprs developers"
copyright = "2026, venprs developers"
release = version = __version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc", "sphinx.ext.viewcode"]
autosummary_generate = False
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_typehints = "none"  # the docstrings say the types (numpydoc)
numpydoc_show_class_members = False
numpydoc_validation_checks: set = set()
html_theme = "alabaster"
exclude_patterns = ["_build"]
nitpicky = False
# References sections are bibliographies (numpydoc), not every entry is cited inline as [1]_
suppress_warnings = ["ref.citation"]
