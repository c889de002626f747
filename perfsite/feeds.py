"""Discovery files: sitemap.xml, robots.txt and an Atom feed, all with absolute URLs from the
site's 网址 (so a site under a sub-path is described right) and dates from content, never the clock."""

from __future__ import annotations

import datetime as dt
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


def sitemap(site: Site) -> str:
    entries = "".join(f"  <url><loc>{escape(_url(site, p))}</loc></url>\n" for p in html_paths(site))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def robots(site: Site) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {_url(site, 'sitemap.xml')}\n"


def _published(page: ProjectPage) -> dt.date:
    return page.summary.published or dt.date(page.year, 1, 1)


FEED_ENTRIES = 100


def atom(site: Site) -> str:
    """The newest ``FEED_ENTRIES`` tables, newest first; each dated by 公开日期, else 1 January of its
    budget year. Feed readers poll for what is new: 10,000 entries (5 MB) would serve no one."""
    pages = sorted(site.projects, key=lambda p: (_published(p), p.path), reverse=True)[:FEED_ENTRIES]
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
