"""The repository's scripts that are not part of the package ``descent`` (tools/, the
book's Sphinx extensions in book/_ext/), loaded from their files for the tests, with no
sys.path edit: ``load("tools/handout.py")``."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load(relative_path: str):
    """The module of the script at ``relative_path`` from the repository's root, named
    after its file; registered in sys.modules, where dataclasses look their module up."""
    path = ROOT / relative_path
    if path.stem in sys.modules:
        return sys.modules[path.stem]
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module
