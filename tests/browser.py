"""The headless Chromium that the site check and the JupyterLab check drive (Debian's
package, through Playwright): one place for how it is started."""

# No sandbox (CI runs as root), no GPU, and nothing that reaches the network on its own.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch_chromium(playwright, executable: str, *extra_args: str):
    """Start Chromium at ``executable`` with the flags above (and ``extra_args``)."""
    return playwright.chromium.launch(
        executable_path=executable, args=[*extra_args, *CHROMIUM_ARGS]
    )
