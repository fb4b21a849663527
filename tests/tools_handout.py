"""The instructors' tool tools/handout.py, loaded from its file for the tests (it is a
script, not part of the package ``descent``): ``from tools_handout import handout``."""

from scripts import load

handout = load("tools/handout.py")
