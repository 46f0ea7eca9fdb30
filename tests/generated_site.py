"""A Rudaw-shaped fixture site of any size, written to a folder: robots.txt, one sitemap, and
``count`` short English articles (``/english/kurdistan/<8 digits>``), each with its own
canonical URL and title so that every page is one stored article."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

HOME = "https://www.rudaw.net"
_PARAGRAPH = (
    "Officials in the Kurdistan Region said on {day} that talks on story {n} would continue"
    " next week, after a first round that both sides described as constructive and open."
)
_ARTICLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Story {n}: talks in Erbil go on | Rudaw.net</title>
<link rel="canonical" href="{home}{path}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-07-{day:02d}T10:00:00+03:00">
</head><body>
<header><nav><a href="/english">English</a></nav></header>
<article><h1>Story {n}: talks in Erbil go on</h1>
{paragraphs}
</article>
<footer>Copyright Rudaw</footer>
</body></html>
"""


def article_path(n: int) -> str:
    return f"/english/kurdistan/{1000_0000 + n}"


def write_site(root: Path, count: int) -> list[str]:
    """Write the site under ``root``; return the article paths."""
    paths = [article_path(n) for n in range(count)]
    root.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text(
        f"User-agent: *\nDisallow: /english/search\n\nSitemap: {HOME}/sitemap.xml\n",
        encoding="utf-8",
    )
    urls = "".join(f"<url><loc>{HOME}{path}</loc></url>\n" for path in paths)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n',
        encoding="utf-8",
    )
    for n, path in enumerate(paths):
        day = 1 + n % 28
        paragraphs = "\n".join(
            f"<p>{_PARAGRAPH.format(day=f'July {day}', n=n)} ({k})</p>" for k in range(3)
        )
        page = root / f"{path.strip('/')}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            _ARTICLE.format(n=n, day=day, home=HOME, path=path, paragraphs=paragraphs),
            encoding="utf-8",
        )
    return paths
