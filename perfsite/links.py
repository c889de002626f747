"""Internal links and anchors of a built site: every one must lead somewhere (``build --strict``).

Each page is parsed once with the standard library's ``html.parser``; its links are resolved the
way a browser resolves them against the page's own URL (percent-decoded as UTF-8, query strings
dropped, a directory or a path ending in ``/`` meaning its ``index.html``) and looked up in one
listing of the whole tree under the site root. A fragment must name an ``id`` (or an
``<a name>``) of the target page; each target page's ids are read once and kept, so checking a
few pages of a large site reads only those pages and the pages their fragments point into.

Links that leave the site (``https:``, ``//host/…``, ``mailto:``, ``tel:``, ``javascript:``,
``data:``, any other scheme) are not checked. A link that climbs above the site root with
``../``, or a root-relative link outside ``base_path``, is broken: it cannot be served by this site.

Codes: **E070** the target file does not exist (or lies outside the site), **E071** the target
page has no element with the fragment's id.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from .diagnostics import Diagnostic, Level, nearest

__all__ = ["check_links"]

# (tag, attribute) pairs that hold one URL; srcset attributes hold a list of candidates.
_URL_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href", "xlink:href"),  # xlink:href: an <a> inside inline SVG
    "area": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src",),
    "source": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "track": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "input": ("src",),
    "object": ("data",),
    "use": ("href", "xlink:href"),  # inline SVG
    "image": ("href", "xlink:href"),
}
_SRCSET_TAGS = frozenset({"img", "source"})
_LINK_TAGS = frozenset({"a", "area", "link"})  # "链接"; anything else is an embedded resource ("引用")
_HTML_SUFFIXES = (".html", ".htm")

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_ASCII_WS = " \t\n\r\f"
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")


@dataclass(frozen=True)
class _Ref:
    """One URL found in a page, with where its tag starts."""

    url: str
    line: int
    col: int
    tag: str


# Tags that can neither carry a URL nor an id need not reach the parser: _without_inert_tags turns
# each into plain text by overwriting its "<" with "." (so every line and column stays where it was)
# before the text is fed to html.parser, which then parses a fifth of the tags of a project page,
# three to four times faster; the scan costs a sixth of the parse it saves. A tag is inert when it
# is an end tag, or a start tag whose attributes are none of _ANCHOR_ATTRS and whose values hold
# no "<" or ">"; never the start or end tag of an element whose content is raw text to some version
# of html.parser (so a </script> is never lost). Every other tag is matched whole and left alone
# (so nothing inside its attribute values is touched), and so is every "</…>", "<!…>" and "<?…>"
# up to its first ">". Only a "<" changes, so no comment, marked section or script ends elsewhere.
# tests/test_links.py compares the two parses on random tag soup.
_RAW_TEXT = r"(?:script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext|template)(?![\w-])"
_ANCHOR_ATTRS = r"(?:id|name|href|src|srcset|data|poster|xlink:href)(?![^\s=/>])"
_INERT_ATTR = rf"""(?!{_ANCHOR_ATTRS})[^\s=/>"'<]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+))?"""
_INERT_REST = (rf"""/(?!{_RAW_TEXT})[a-z][a-z0-9]*+\s*>"""
               rf"""|(?!{_RAW_TEXT})[a-z][a-z0-9-]*+(?:\s+{_INERT_ATTR})*+\s*/?>""")
_KEEP_REST = r"""[a-z](?:[^>"']++|"[^"]*+"|'[^']*+')*+>|[a-z][^>]*+>|/?[!?][^>]*+>|/[^>]*+>"""
_TAGS = re.compile(rf"<(?:(?=(?:{_INERT_REST}))(?P<inert>)|{_KEEP_REST})", re.IGNORECASE)


def _untag(match: re.Match[str]) -> str:
    return "." if match.lastindex else match[0]


def _without_inert_tags(text: str) -> str:
    """``text`` with every tag that cannot matter to links turned into text, positions unchanged."""
    return _TAGS.sub(_untag, text)


class _PageParser(HTMLParser):
    """Collects the ids (and ``<a name>``s) of a page and, unless ``ids_only``, its URLs."""

    def __init__(self, ids_only: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.ids_only = ids_only
        self.ids: set[str] = set()
        self.refs: list[_Ref] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        first: dict[str, str] = {}
        for name, value in attrs:
            if value is not None and name not in first:
                first[name] = value  # a repeated attribute: browsers use the first one
        if "id" in first:
            self.ids.add(first["id"])
        if tag == "a" and "name" in first:
            self.ids.add(first["name"])
        if self.ids_only:
            return
        if tag == "base":
            # The first <base href> sets the document's base URL, for links before it as well.
            if self.base is None:
                self.base = first.get("href")
            return
        names = _URL_ATTRS.get(tag)
        if names is None and tag not in _SRCSET_TAGS:
            return
        line, offset = self.getpos()
        for name, value in first.items():
            if names is not None and name in names:
                self.refs.append(_Ref(value, line, offset + 1, tag))
            elif name == "srcset" and tag in _SRCSET_TAGS:
                self.refs.extend(_Ref(url, line, offset + 1, tag) for url in _srcset_urls(value))


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` attribute (``a.png 1x, b.png 2x``), as the HTML spec splits it."""
    urls = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i] in _ASCII_WS or value[i] == ","):
            i += 1
        start = i
        while i < n and value[i] not in _ASCII_WS:
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptors, up to the comma that ends this candidate (not inside parens)
            depth = 0
            while i < n and (value[i] != "," or depth):
                depth += value[i] == "("
                depth -= value[i] == ")" and depth > 0
                i += 1
        if url:
            urls.append(url)
    return urls


class _Site:
    """The files under the site root, listed once; each page parsed at most once.

    A page to be checked that a fragment points into before its turn is parsed in full then, and
    its URLs are kept until its turn comes; any other page is parsed for its ids only.
    """

    def __init__(self, root: Path, todo: Iterable[str] = (), over: Path | None = None,
                 gone: Iterable[str] = ()) -> None:
        """``over``: files that stand in for (or beside) those under ``root``; ``gone``: files of
        ``root`` that are not part of the site (check_links)."""
        self.root, self.over = root, over
        self.files, self.dirs = self._list(root)
        self.files.difference_update(gone)
        self.overlaid: set[str] = set()
        if over is not None:
            self.overlaid, dirs = self._list(over)
            self.files |= self.overlaid
            self.dirs |= dirs
        self.pending: set[str] = set(todo)
        self._parsed: dict[str, _PageParser] = {}
        self._ids: dict[str, frozenset[str]] = {}

    @staticmethod
    def _list(root: Path) -> tuple[set[str], set[str]]:
        files: set[str] = set()
        dirs: set[str] = {""}
        for dirpath, dirnames, filenames in os.walk(root):
            rel = Path(dirpath).relative_to(root).as_posix()
            prefix = "" if rel == "." else rel + "/"
            dirs.update(prefix + d for d in dirnames)
            files.update(prefix + f for f in filenames)
        return files, dirs

    def _parse(self, page: str, ids_only: bool) -> _PageParser:
        where = self.over if self.over is not None and page in self.overlaid else self.root
        parser = _parse_file(where / page, ids_only)
        self._ids[page] = frozenset(parser.ids)
        return parser

    def take(self, page: str) -> _PageParser:
        """A page to check, parsed in full (once)."""
        self.pending.discard(page)
        parsed = self._parsed.pop(page, None)
        return parsed if parsed is not None else self._parse(page, ids_only=False)

    def ids(self, page: str) -> frozenset[str]:
        found = self._ids.get(page)
        if found is None:
            try:
                if page in self.pending:
                    self._parsed[page] = self._parse(page, ids_only=False)
                else:
                    self._parse(page, ids_only=True)
            except OSError:
                self._ids[page] = frozenset()
            found = self._ids[page]
        return found


class _Broken(Exception):
    """A link that cannot resolve to a file inside the site: the message and hint to report."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _segments(path: str) -> list[str]:
    """The percent-decoded (UTF-8) segments of a URL path, the empty last one kept (``a/`` → a, "")."""
    return [unquote(s, encoding="utf-8", errors="replace") for s in path.split("/")]


def _walk(start: list[str], segments: list[str], url: str, top: str) -> list[str]:
    """``start`` (a directory, as segments) followed by ``segments``, dot segments resolved.

    A trailing empty segment stays (the path names a directory); other empty ones are ignored,
    as a file server ignores ``a//b``. Climbing above ``start``'s top raises ``_Broken``.
    """
    out = list(start)
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg == "..":
            if not out:
                raise _Broken(f"链接「{url}」用「../」跳出了{top}",
                              f"「../」多了：从本页所在目录算起，它越过了{top}；请少写一级「../」")
            out.pop()
            if i == last:
                out.append("")
        elif seg == ".":
            if i == last:
                out.append("")
        elif seg or i == last:
            out.append(seg)
    return out


def _target(page: str, path: str, url: str, base_path: str) -> str:
    """The file under the root that ``path`` (a URL path, no query or fragment) names, from ``page``."""
    if path.startswith("/"):
        segments = _walk([], _segments(path[1:]), url, "服务器的根目录")
        prefix = _base_segments(base_path)
        if segments[:len(prefix)] != prefix:
            raise _Broken(f"链接「{url}」不在网站路径 {base_path} 之下，站内找不到它",
                          f"以「/」开头的站内链接须以网站路径 {base_path} 开头；或改用相对路径")
        segments = segments[len(prefix):] or [""]  # "/xxgk/jxmb" without its slash: the site root
    else:
        segments = _walk(page.split("/")[:-1], _segments(path), url, "网站根目录")
    if any("/" in s or "\x00" in s for s in segments):
        raise _Broken(f"链接「{url}」的路径含有编码的「/」（%2F）或空字符，不指向任何文件",
                      "文件名中不能有「/」；请直接写「/」分隔目录")
    rel = "/".join(s for s in segments if s)
    if segments[-1] == "":
        return f"{rel}/index.html" if rel else "index.html"
    return rel


def _base_segments(base_path: str) -> list[str]:
    """``/xxgk/jxmb/`` → ["xxgk", "jxmb"]: the segments a root-relative link must start with."""
    return [unquote(s, encoding="utf-8", errors="replace") for s in base_path.split("/") if s]


def _normalize_base(base_path: str) -> str:
    base_path = base_path.strip()
    if not base_path.startswith("/"):
        base_path = "/" + base_path
    if not base_path.endswith("/"):
        base_path += "/"
    return base_path


def _clean(url: str) -> str:
    """A URL attribute as a browser reads it: outer whitespace, tabs and newlines gone, ``\\`` → ``/``."""
    return url.strip(_ASCII_WS).translate(_TAB_NEWLINE).replace("\\", "/")


def _is_external(url: str) -> bool:
    return url.startswith("//") or _SCHEME_RE.match(url) is not None


@dataclass(frozen=True)
class _Base:
    """A page's ``<base href>``: relative links resolve against it instead of the page."""

    href: str  # path only (no query, no fragment), relative to the page or root-relative
    external: bool  # on another host: its relative links cannot be checked

    @property
    def directory(self) -> str:
        return self.href.rsplit("/", 1)[0] + "/" if "/" in self.href else ""


def _base_of(href: str | None) -> _Base | None:
    if href is None:
        return None
    url = _clean(href)
    if _is_external(url):
        return _Base("", True)
    url = url.partition("#")[0].partition("?")[0]
    return _Base(url, False) if url else None


def _check_ref(site: _Site, page: str, ref: _Ref, base: _Base | None, base_path: str) -> Diagnostic | None:
    url = _clean(ref.url)
    if not url or _is_external(url):
        return None
    path, hash_, fragment = url.partition("#")
    path = path.partition("?")[0]
    if base is not None and not path.startswith("/"):
        if base.external:
            return None  # it resolves against another host
        path = base.directory + path if path else base.href
    word = "链接" if ref.tag in _LINK_TAGS else "引用"

    def problem(code: str, message: str, hint: str) -> Diagnostic:
        if word != "链接":
            message = message.replace("链接", word, 1)
        return Diagnostic(page, ref.line, ref.col, Level.ERROR, code, message, hint)

    if not path:
        target = page  # "#id", "?q", "": this page
    else:
        try:
            target = _target(page, path, ref.url, base_path)
        except _Broken as broken:
            return problem("E070", broken.message, broken.hint)
        if target not in site.files and target in site.dirs:
            target = f"{target}/index.html"  # "2022" without its slash: the directory's index.html
        if target not in site.files:
            kind = "页面" if target.endswith(_HTML_SUFFIXES) else "文件"
            where = PurePosixPath(page).parent.as_posix()
            where = "网站根目录" if where == "." else f"目录 {where}/"
            return problem("E070", f"链接「{ref.url}」指向的{kind} {target} 不存在",
                           f"检查文件名和「../」的层数（相对路径从本页所在的{where}算起）；"
                           "以「/」结尾的链接指向该目录下的 index.html")
    if not hash_ or not target.endswith(_HTML_SUFFIXES):
        return None
    decoded = unquote(fragment, encoding="utf-8", errors="replace")
    if decoded == "" or decoded.lower() == "top":
        return None
    ids = site.ids(target)
    if decoded in ids or fragment in ids:
        return None
    hint = f"{target} 中没有 id（或 <a name>）为「{decoded}」的元素；请改正链接，或在目标页面加上这个 id"
    close = nearest(decoded, sorted(ids), cutoff=0.6) if len(ids) <= 5000 else None
    if close:
        hint += f"。是否想写「{close}」？"
    return problem("E071", f"链接「{ref.url}」的锚点「{decoded}」在 {target} 中不存在", hint)


def _page_key(page: str) -> str:
    rel = PurePosixPath(page.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"page path must be relative to the site root and stay inside it: {page!r}")
    return rel.as_posix()


def _parse_file(path: Path, ids_only: bool) -> _PageParser:
    parser = _PageParser(ids_only=ids_only)
    parser.feed(_without_inert_tags(path.read_text(encoding="utf-8-sig", errors="replace")))
    parser.close()
    return parser


def page_ids(path: Path) -> frozenset[str]:
    """The ids (anchors) of one HTML file: what links into it can point at."""
    return frozenset(_parse_file(path, ids_only=True).ids)


def check_links(root: Path, pages: Iterable[str] | None = None, *, base_path: str = "/",
                over: Path | None = None, gone: Iterable[str] = ()) -> list[Diagnostic]:
    """Every broken internal link or anchor in the HTML files under ``root`` (a built site directory).

    ``pages``: the relative paths (posix, e.g. "2022/wuye-houqin.html") to check; None = every
    *.html under root. Targets are always resolved against the whole tree under root, whichever
    pages are checked.
    ``base_path``: the URL path the site is deployed under (e.g. "/xxgk/jxmb/"); a root-relative
    link "/xxgk/jxmb/2022/index.html" resolves to root/"2022/index.html", and a root-relative link
    outside base_path is broken.

    Diagnostics: E070 (target file missing, above the root or outside ``base_path``) and E071
    (anchor missing), at the 1-based line and column of the tag, sorted by path, line, column.
    A page in ``pages`` that cannot be read raises ``OSError``.
    ``over`` and ``gone``: the site is the tree under root with the files under ``over`` put in
    (a build's changed files, staged) and the files ``gone`` taken out (those it removes).
    """
    root = Path(root)
    base_path = _normalize_base(base_path)
    todo = None if pages is None else sorted({_page_key(p) for p in pages})
    site = _Site(root, todo or (), over, gone)
    if todo is None:
        todo = sorted(f for f in site.files if f.endswith(".html"))
        site.pending.update(todo)
    found: set[Diagnostic] = set()
    for page in todo:
        parsed = site.take(page)
        base = _base_of(parsed.base)
        for ref in parsed.refs:
            diagnostic = _check_ref(site, page, ref, base, base_path)
            if diagnostic is not None:
                found.add(diagnostic)
    return sorted(found, key=lambda d: (d.path, d.line, d.col, d.code, d.message))
