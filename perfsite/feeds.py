"""Discovery files: sitemap.xml, robots.txt and an Atom feed, written from their views (outputs.py
decides what each lists), with absolute URLs from the site's 网址 (so a site under a sub-path is
described right) and dates from content, never the clock."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .values import written_amount


def urlset(urls: list[str]) -> str:
    entries = "".join(f"  <url><loc>{escape(url)}</loc></url>\n" for url in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def sitemapindex(urls: list[str]) -> str:
    """sitemap.xml of a site above the protocol's limit: the index of its sitemaps."""
    entries = "".join(f"  <sitemap><loc>{escape(url)}</loc></sitemap>\n" for url in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</sitemapindex>\n")


def robots(sitemap: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {sitemap}\n"


def atom(feed: dict[str, Any]) -> str:
    """The Atom feed of ``feed['entries']``, newest first."""
    pages = feed["entries"]
    updated = max((p["published"] for p in pages), default=None)
    entries = []
    for p in pages:
        when = f"{p['published'].isoformat()}T00:00:00Z"
        title = f"{p['name']}（{p['year']}年度）"
        summary = "" if p["total"] is None else f"{p['department']}，资金总额 {written_amount(p['total'])} 万元"
        link = ident = p["url"]
        if p["evaluation"] is not None:  # a self-evaluation: its own page, its 总分
            title, summary = f"自评：{title}", f"{p['department']}，自评总分 {written_amount(p['evaluation'][0])}，" \
                                              f"自评等级 {p['evaluation'][1]}"
        elif p["correction"] is not None:  # an entry of its own per 更正, linking the page's 更正说明
            number, summary = p["correction"]
            title, link, ident = f"更正：{title}", f"{p['url']}#corrections", f"{p['url']}#correction-{number}"
        entries.append(f"  <entry>\n    <title>{escape(title)}</title>\n"
                       f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(link)}/>\n"
                       f"    <id>{escape(ident)}</id>\n    <updated>{when}</updated>\n"
                       f"    <summary>{escape(summary)}</summary>\n  </entry>\n")
    stamp = updated.isoformat() if updated else "1970-01-01"
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
            f"  <title>{escape(feed['title'])}</title>\n"
            f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(feed['home'])}/>\n"
            f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(feed['self'])}/>\n"
            f"  <id>{escape(feed['self'])}</id>\n  <updated>{stamp}T00:00:00Z</updated>\n"
            f"  <author><name>{escape(feed['publisher'])}</name></author>\n" + "".join(entries) + "</feed>\n")
