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

Two fixes make the build faster without changing a page:

- ``_nodes_belong_to_their_page``: a node that autodoc or a nested parse made inside a
  temporary docutils document keeps a reference to that document, and through its
  settings to Sphinx's whole environment, with every page read so far. Sphinx pickles each
  page's doctree, and reads it back again and again (figure numbers, cross-references):
  the API page's doctree weighed 27.5 MB, for 0.2 MB of text. Each node now refers to its
  own page's document.
- ``_exercise_copies_stand_alone``: sphinx-exercise keeps every exercise and solution in
  the environment (its registry). It keeps a solution as the page's own node, which refers
  to its parent, and so to the whole page: the environment carried every page with a
  solution, 14 MB of its 18 MB, which each reading process sends back and the main process
  loads again (0.75 s a time). The registry now keeps a copy, which refers to no document.
- ``_bibliography_style_found_once``: each ``{footcite}`` makes a bibliography style, which
  looks itself and its name, label and sorting styles up among the entry points of every
  installed package (pybtex's ``find_plugin``): about 10 s of the English build, 20 s of
  the Korean one, which parses each translated paragraph again. The classes found once
  are registered as runtime plugins, which ``find_plugin`` looks up first.
"""

from __future__ import annotations

import re

from docutils import nodes

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


def _nodes_belong_to_their_page(app, doctree) -> None:
    for node in doctree.findall(nodes.Node):
        if node.document is not doctree:
            node.document = doctree


def _exercise_copies_stand_alone(app, doctree) -> None:
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for entry in registry.values():
        node = entry.get("node")
        if entry.get("docname") != app.env.docname or node is None:
            continue
        if node.parent is not None:  # a solution: the page's own node
            node = entry["node"] = node.deepcopy()
        for part in node.findall(nodes.Node):
            part.document = None


def _bibliography_style_found_once(app) -> None:
    from pybtex.plugin import find_plugin, register_plugin

    style = find_plugin("pybtex.style.formatting", app.config.bibtex_default_style)
    wanted = {
        ("pybtex.style.formatting", app.config.bibtex_default_style): style,
        # what the style looks up each time it is made: its own choice, or pybtex's default
        ("pybtex.style.names", style.default_name_style or "plain"): None,
        ("pybtex.style.labels", style.default_label_style or "number"): None,
        ("pybtex.style.sorting", style.default_sorting_style or "none"): None,
    }
    for (group, name), found in wanted.items():
        register_plugin(group, name, found or find_plugin(group, name), force=True)


def setup(app):
    app.connect("builder-inited", _bibliography_style_found_once)
    app.connect("doctree-read", _nodes_belong_to_their_page, priority=900)
    app.connect("doctree-read", _exercise_copies_stand_alone, priority=900)
    app.connect("autodoc-process-docstring", _docstring_as_text, priority=600)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
