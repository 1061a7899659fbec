"""``report.pdf``: the report printed by headless Chromium (Playwright), as a reader's browser would print it."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from ..errors import InputError
from ..io import atomic_write

#: Environment variable naming the Chromium executable (default: ``chromium`` on the PATH, Debian's package).
CHROMIUM_ENV = "VENPRS_CHROMIUM"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
_INSTALL = ("install them with `bash scripts/install.sh --test` (apt-get install chromium; pip install playwright), "
            "or run without --pdf")


def chromium_executable() -> str:
    """The Chromium that prints ``report.pdf``; :class:`InputError` (one line) if it or Playwright is missing.

    Returns
    -------
    str
        Path of the executable: ``$VENPRS_CHROMIUM``, else ``chromium`` (or ``chromium-browser``) on the PATH.

    Raises
    ------
    InputError
        Playwright is not installed or no Chromium executable is found; the message says how to install them.
    """
    if importlib.util.find_spec("playwright") is None:
        raise InputError(f"--pdf needs Playwright (Python package), which is not installed; {_INSTALL}")
    exe = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe or not (Path(exe).is_file() and os.access(exe, os.X_OK)):
        where = f"{CHROMIUM_ENV}={exe}" if os.environ.get(CHROMIUM_ENV) else "chromium on the PATH"
        raise InputError(f"--pdf needs Chromium, not found ({where}); {_INSTALL}")
    return exe


def write_pdf(html: Path, pdf: Path, *, executable: str | None = None) -> int:
    """Print the self-contained ``html`` file to ``pdf`` (A4, backgrounds, page numbers) with headless Chromium.

    The page's print CSS (``@media print``) applies: table headers repeat on every page, rows and
    figures are not split, headings stay with what follows. The file is written atomically.

    Parameters
    ----------
    html : pathlib.Path
        The report (it loads nothing from the network: figures are inline).
    pdf : pathlib.Path
        Target file.
    executable : str, optional
        Chromium executable (default :func:`chromium_executable`).

    Returns
    -------
    int
        Size of the PDF in bytes.

    Raises
    ------
    InputError
        Chromium could not be started or could not print the page.

    References
    ----------
    .. [1] Playwright for Python, ``Page.pdf``: https://playwright.dev/python/docs/api/class-page#page-pdf
    """
    exe = executable or chromium_executable()
    from playwright.sync_api import Error, sync_playwright

    footer = ('<div style="font-size:8px;width:100%;text-align:center;color:#555">'
              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, headless=True, args=LAUNCH_ARGS)
            try:
                page = browser.new_page()
                page.goto(Path(html).resolve().as_uri(), wait_until="load")
                data = page.pdf(format="A4", print_background=True, display_header_footer=True,
                                header_template="<span></span>", footer_template=footer,
                                margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
            finally:
                browser.close()
    except Error as e:
        first = (str(e).strip().splitlines() or [""])[0][:200]
        raise InputError(f"--pdf: Chromium ({exe}) could not print the report: {first}") from None
    with atomic_write(pdf) as tmp:
        tmp.write_bytes(data)
    return len(data)
