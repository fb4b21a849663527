"""Small Sphinx fixes for the Descent book (registered in _config.yml, local_extensions).

Jupyter Book 1.0.4 lets sphinx-thebe 0.3.1 add its inline configuration script twice to
every page, and the second copy throws "Identifier 'THEBE_JS_URL' has already been
declared" in the browser console. The book does not use Thebe (code runs in Binder), so
each page keeps only the first copy of any duplicated script.
"""

from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
