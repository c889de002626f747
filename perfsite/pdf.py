"""Project pages as PDF attachments (``build --pdf`` / ``pdf: true``), through WeasyPrint.

WeasyPrint was chosen over the system Chromium (measured, see docs/internals.md "PDF attachments"): it embeds
Noto Sans CJK as real CID fonts whose text extracts as the characters written, where Chromium's
Skia drew every CJK glyph as a Type3 font whose text came out as Kangxi radicals (⽬ for 目); it
runs in the build's own forked workers, without a browser process, and writes no clock time.
It reads the page's print stylesheet (``@media print``, the wide form's ``@page wide``) and
nothing else: every other URL a page names is refused, so a PDF is made only from its view.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Level
from .render import TemplateProblem

STYLESHEET = "site.css"  # the one file (under static/) that a page's PDF reads besides the page
HINT = ("安装 PDF 引擎：pip install 'perfsite[pdf]'，并安装 pango（Debian：apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 fonts-noto-cjk），或去掉 --pdf / site.yaml 的 pdf: true")


def problem(where: str, message: str) -> Diagnostic:
    return Diagnostic(where, 0, 0, Level.ERROR, "E081", message, HINT)


def engine(asked: str) -> str | Diagnostic:
    """The engine's name and version (in every PDF's key), or why it cannot run: WeasyPrint
    missing, or the pango it loads at import. ``asked``: what asked for PDFs (--pdf, site.yaml)."""
    try:
        import weasyprint
    except ImportError:
        return problem(asked, "无法生成 PDF：没有安装 WeasyPrint (PDF engine not installed)")
    except OSError as exc:  # cffi could not load pango, harfbuzz or fontconfig
        return problem(asked, f"无法生成 PDF：WeasyPrint 找不到系统库 (missing system library)：{exc}")
    return f"weasyprint {weasyprint.__version__}"


def epoch() -> str | None:
    """SOURCE_DATE_EPOCH (reproducible builds): read once by the build, and part of PDFs' views."""
    return os.environ.get("SOURCE_DATE_EPOCH")


def date_of(source_epoch: str | None, fallback: dt.date) -> str:
    """A PDF's CreationDate and ModDate: ``source_epoch`` (SOURCE_DATE_EPOCH) when set, else
    ``fallback`` (the table's date), never the clock."""
    seconds = (source_epoch or "").strip()
    if seconds.isdigit():
        return dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{fallback.isoformat()}T00:00:00Z"


def convert(pages: list[str], css: Path, title: str | None, date: str, where: str) -> bytes:
    """One PDF of ``pages`` (HTML), each starting on a new page, styled by ``css`` for print.
    ``title``: the document's, else the first page's <title>. ``where``: the output, for errors.
    Raises TemplateProblem (E081) when the engine fails."""
    try:
        stylesheet = css.read_bytes()
        documents = [_LAID.get(page, stylesheet, keep=len(pages) == 1) for page in pages]
        document = documents[0].copy([p for d in documents for p in d.pages])
        document.metadata = copy.copy(document.metadata)  # the laid-out page's is kept (_Laid): not changed
        if title is not None:
            document.metadata.title = title
        document.metadata.created = document.metadata.modified = date
        return document.write_pdf()
    except Exception as exc:  # noqa: BLE001 -- the engine's own errors, any kind: the build fails cleanly
        # a TemplateProblem, as a page that cannot be made: the build stops and publishes nothing
        raise TemplateProblem(problem(where, f"PDF 生成失败 (PDF engine failed)：{type(exc).__name__}: {exc}")) from None


class _Laid:
    """The last few pages laid out, by their HTML: a department's PDF follows its projects' own
    in the list of outputs, so its pages were mostly just laid out (layout is two thirds of a
    PDF's time, writing it the rest; the bytes are the same, a layout being a function of the HTML
    and the stylesheet). Only one-page PDFs are kept, and only a few: a laid-out page holds ~40 MB."""

    LIMIT = 8

    def __init__(self) -> None:
        self.pages: OrderedDict[tuple[str, bytes], Any] = OrderedDict()

    def get(self, page: str, stylesheet: bytes, keep: bool) -> Any:
        key = (page, stylesheet)
        found = self.pages.get(key)
        if found is None:
            found = _lay_out(page, stylesheet)
            if keep:
                self.pages[key] = found
                while len(self.pages) > self.LIMIT:
                    self.pages.popitem(last=False)
        return found


_LAID = _Laid()


def _lay_out(page: str, stylesheet: bytes) -> Any:
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _Only(URLFetcher):
        """The stylesheet, and nothing else: no network, no file outside the view."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.endswith("/static/" + STYLESHEET):
                return URLFetcherResponse(url, body=stylesheet, headers={"Content-Type": "text/css; charset=utf-8"})
            raise ValueError(f"not part of a PDF's view: {url}")

    return weasyprint.HTML(string=page, base_url="file:///site/page/", url_fetcher=_Only()).render()
