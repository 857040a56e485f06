"""report.pdf beside report.html: headless Chromium's print-to-PDF of the page as it
is (the report's own print rules apply). Chromium is a test dependency (`make
chromium`) that a user's machine may lack: then no PDF is written and the reason is
returned for the caller to say once; the audit never fails for want of a PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_ENV = "RAPPORT_CHROMIUM"  # a browser binary other than the usual ones
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
# Headless, offline, no first-run or background work (tests/report_helpers.py too).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class PdfResult:
    path: Path | None  # None: no PDF was written
    note: str  # what happened, for the output and the asset metadata


def find_chromium() -> str | None:
    configured = os.environ.get(CHROMIUM_ENV, "").strip()
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in CANDIDATES:
        if found := shutil.which(candidate):
            return found
    return None


def write_pdf(html_path: Path) -> PdfResult:
    """Print `html_path` to report.pdf in its folder (written whole or not at all)."""
    browser = find_chromium()
    if browser is None:
        where = os.environ.get(CHROMIUM_ENV) or "/usr/bin/chromium or chromium on PATH"
        return PdfResult(
            None,
            f"no PDF written: Chromium not found ({where}); install it (make chromium) "
            f"or set {CHROMIUM_ENV}",
        )
    out = html_path.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="rapport-pdf-") as tmp:
        partial = Path(tmp) / "report.pdf"
        cmd = [
            browser,
            *CHROMIUM_FLAGS,
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={partial}",
            html_path.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return PdfResult(None, f"no PDF written: Chromium could not print the report: {exc}")
        if proc.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
            return PdfResult(None, f"no PDF written: Chromium exited {proc.returncode}: {last}")
        shutil.move(partial, out.with_name(out.name + ".partial"))
        os.replace(out.with_name(out.name + ".partial"), out)
    return PdfResult(out, f"wrote {out}")
