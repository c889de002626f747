"""Discovery files: sitemap.xml, robots.txt and an Atom feed, all with absolute URLs from the
site's 网址 (so a site under a sub-path is described right) and dates from content, never the clock."""

from __future__ import annotations

import datetime as dt
import heapq
from xml.sax.saxutils import escape, quoteattr

from .site import ProjectPage, Site
from .values import fmt_amount


def _url(site: Site, path: str) -> str:
    return site.config.url(path)


def html_paths(site: Site) -> list[str]:
    """Every page of the site, in a stable order."""
    paths = ["index.html", "departments/index.html", "search.html"]
    for year in site.years:
        paths.append(year.path)
        if year.changes_path:
            paths.append(year.changes_path)
            if year.split_changes:
                paths += [part.path for part in year.department_changes]
        paths += [p.path for p in year.projects]
    paths += [d.path for d in site.departments]
    return paths


SITEMAP_LIMIT = 50_000  # pages one sitemap file may list (the sitemaps.org protocol's limit)


def sitemap_parts(site: Site, paths: list[str] | None = None) -> dict[str, list[str]]:
    """The sitemap files besides sitemap.xml, each with the pages it lists: none while the site has
    at most SITEMAP_LIMIT pages (sitemap.xml lists them all; search engines ignore a longer one),
    else one per year (in parts of at most the limit) and one of the other pages, which
    sitemap.xml then indexes. ``paths``: html_paths(site), when the caller has it."""
    paths = html_paths(site) if paths is None else paths
    if len(paths) <= SITEMAP_LIMIT:
        return {}
    groups: dict[str, list[str]] = {}
    for path in paths:
        head = path.partition("/")[0]
        groups.setdefault(head if head.isdigit() else "site", []).append(path)
    parts = {}
    for group, pages in groups.items():
        chunks = [pages[i:i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)]
        for number, chunk in enumerate(chunks, start=1):
            parts[f"sitemap-{group}{'' if len(chunks) == 1 else f'-{number}'}.xml"] = chunk
    return parts


def urlset(site: Site, paths: list[str]) -> str:
    entries = "".join(f"  <url><loc>{escape(_url(site, p))}</loc></url>\n" for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def sitemap(site: Site, paths: list[str] | None = None) -> str:
    """sitemap.xml: every page, or the index of the sitemap_parts when there are any.
    ``paths``: html_paths(site), when the caller has it."""
    paths = html_paths(site) if paths is None else paths
    parts = sitemap_parts(site, paths)
    if not parts:
        return urlset(site, paths)
    entries = "".join(f"  <sitemap><loc>{escape(_url(site, name))}</loc></sitemap>\n" for name in parts)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</sitemapindex>\n")


def robots(site: Site) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {_url(site, 'sitemap.xml')}\n"


def _published(page: ProjectPage) -> dt.date:
    return page.summary.published or dt.date(page.year, 1, 1)


FEED_ENTRIES = 100


def newest(site: Site) -> list[ProjectPage]:
    """The feed's tables: the newest ``FEED_ENTRIES``, newest first, each dated by 公开日期, else
    1 January of its budget year. Feed readers poll for what is new: 10,000 entries (5 MB) would
    serve no one."""
    return heapq.nlargest(FEED_ENTRIES, site.projects, key=lambda p: (_published(p), p.path))


def feed_shows(pages: list[ProjectPage]) -> list[str]:
    """What the feed shows of each of its tables, for its key: an implementer edit is not in it."""
    return [f"{p.path}\x1f{p.name}\x1f{p.year}\x1f{p.summary.department}\x1f{p.total}\x1f{_published(p)}"
            for p in pages]


def atom(site: Site, pages: list[ProjectPage] | None = None) -> str:
    """The Atom feed of ``newest(site)`` (``pages``, when the caller has them)."""
    pages = newest(site) if pages is None else pages
    updated = max((_published(p) for p in pages), default=dt.date(1970, 1, 1))
    entries = []
    for p in pages:
        when = f"{_published(p).isoformat()}T00:00:00Z"
        title = f"{p.name}（{p.year}年度）"
        summary = f"{p.summary.department}，资金总额 {fmt_amount(p.total)} 万元"
        entries.append(f"  <entry>\n    <title>{escape(title)}</title>\n"
                       f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(_url(site, p.path))}/>\n"
                       f"    <id>{escape(_url(site, p.path))}</id>\n    <updated>{when}</updated>\n"
                       f"    <summary>{escape(summary)}</summary>\n  </entry>\n")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
            f"  <title>{escape(site.config.title)}</title>\n"
            f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(_url(site, 'index.html'))}/>\n"
            f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(_url(site, 'feed.xml'))}/>\n"
            f"  <id>{escape(_url(site, 'feed.xml'))}</id>\n  <updated>{updated.isoformat()}T00:00:00Z</updated>\n"
            f"  <author><name>{escape(site.config.publisher)}</name></author>\n" + "".join(entries) + "</feed>\n")
