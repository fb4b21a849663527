"""The instructors' tool tools/handout.py, loaded from its file for the tests (it is a
script, not part of the package ``descent``): ``from tools_handout import handout``."""

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "tools" / "handout.py"
_spec = importlib.util.spec_from_file_location("handout", _PATH)
handout = importlib.util.module_from_spec(_spec)
sys.modules["handout"] = handout  # dataclasses look their module up there
_spec.loader.exec_module(handout)
