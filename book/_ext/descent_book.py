"""Small Sphinx fixes for the Descent book (registered in _config.yml, local_extensions).

Jupyter Book 1.0.4 lets sphinx-thebe 0.3.1 add its inline configuration script twice to
every page, and the second copy throws "Identifier 'THEBE_JS_URL' has already been
declared" in the browser console. The book does not use Thebe (code runs in Binder), so
each page keeps only the first copy of any duplicated script.

The API page (book/api.md) renders the package's docstrings with autodoc. They are written
to be read as plain text in an editor or with ``help()``: formulas sit in indented blocks
after a line ending in ":", and use "|g|" for absolute values. ``_docstring_as_text`` makes
those blocks literal (one formula per line, as in the source) and escapes the bars, which
reStructuredText would take for substitutions.
"""

from __future__ import annotations

import re

_INLINE_LITERAL = re.compile(r"(``.+?``)")


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # an inline script is registered with filename None or "" depending on who adds it
        filename = getattr(script, "filename", script) or ""
        key = (filename, tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _escape_bars(line: str) -> str:
    """``|`` to ``\\|`` outside inline literals."""
    parts = _INLINE_LITERAL.split(line)
    return "".join(p if p.startswith("``") else p.replace("|", "\\|") for p in parts)


def _docstring_as_text(app, what, name, obj, options, lines):
    """A line ending in ":" then a blank line then an indented block: make the block a
    literal block; escape "|" everywhere else."""
    out, literal_indent = [], None
    for i, line in enumerate(lines):
        if literal_indent is not None:
            if line.strip() and _indent(line) <= literal_indent:
                literal_indent = None
            else:
                out.append(line)
                continue
        following = lines[i + 2] if i + 2 < len(lines) else ""
        opens_block = (
            line.rstrip().endswith(":")
            and not line.rstrip().endswith("::")
            and i + 1 < len(lines)
            and not lines[i + 1].strip()
            and following.strip()
            and _indent(following) > _indent(line)
        )
        if opens_block:
            out.append(_escape_bars(line.rstrip()) + ":")
            literal_indent = _indent(line)
        else:
            out.append(_escape_bars(line))
    lines[:] = out


def setup(app):
    app.connect("autodoc-process-docstring", _docstring_as_text, priority=600)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
