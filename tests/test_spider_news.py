"""Discovery from one fetched page: which links become article requests and which are followed as listings."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from ingest.items import PageItem
from ingest.spiders.news import Kurdistan24Spider
from tests.conftest import SITES, project_settings

HOST = "https://www.kurdistan24.net"
STORY = "/en/story/815342/kurdistan-region-expands-round-the-clock-electricity-to-sulaimani"
PAGE = f"""<html><body>
<header><nav><ul>
  <li><a href="/en">Home</a></li>
  <li><a href="/en/section/14/middle-east">Middle East</a></li>
  <li><a href="/en/live">Live</a></li>
  <li><a href="/en/tag/erbil">Erbil</a></li>
  <li><a href="/en/node/14/contact">Contact</a></li>
  <li><a href="/en/files/2024/k24-brochure.pdf">Brochure</a></li>
  <li><a href="https://www.facebook.com/kurdistan24">Facebook</a></li>
  <li><a href="/ku/section/3/kurdistan">کوردستان</a></li>
</ul></nav></header>
<main><article><h1>A story</h1>
  <p>Body. Read More: <a href="{STORY}?utm_source=related&amp;fbclid=x#top">Electricity</a></p>
  <p>Also: <a href="{STORY}/">the same story</a></p>
  <p><a href="/en/about-us/2024/board">An unlisted page outside any menu</a></p>
  <p><a href="https://www.kurdistan24.net:99999/en/news">A link with a broken port</a></p>
</article>
<aside><h2>Most read</h2><a href="/en/story/815401/erbil-airport/">Airport</a>
  <a href="/en/news?page=1">More news</a></aside></main>
</body></html>"""


def _spider(**settings):
    settings = {"INGEST_SKIP_KNOWN": False, "INGEST_MAX_LISTING_DEPTH": 2, **settings}
    crawler = get_crawler(Kurdistan24Spider, project_settings(**settings))
    return Kurdistan24Spider.from_crawler(crawler, editions="en")


def _visit(spider, depth: int, body: str = PAGE) -> tuple[list[str], list[str]]:
    """Feed an article page found at ``depth``; return the article and listing URLs requested."""
    url = f"{HOST}/en/story/815999/a-story"
    response = HtmlResponse(
        url,
        body=body.encode(),
        encoding="utf-8",
        request=Request(url, meta={"ingest_depth": depth}),
    )
    out = list(spider.parse_article(response, site="kurdistan24", edition="en", found_via="feed"))
    assert isinstance(out[0], PageItem)
    requests = [r for r in out if isinstance(r, Request)]
    articles = [r.url for r in requests if r.callback == spider.parse_article]
    listings = [r.url for r in requests if r.callback == spider.parse_listing]
    return articles, listings


def test_article_pages_lead_to_articles_listings_and_menu_sections():
    spider = _spider()
    articles, listings = _visit(spider, depth=1)
    # Normalised: no tracking parameters, fragment or trailing slash.
    assert articles == [HOST + STORY, f"{HOST}/en/story/815401/erbil-airport"]
    # The section's URL shape is in no listing pattern, but it is in the menu. Not followed:
    # live and tag pages (excluded), contact and file links, other sites, other editions,
    # and an unlisted page that is in no menu.
    assert listings == [f"{HOST}/en", f"{HOST}/en/section/14/middle-east", f"{HOST}/en/news?page=1"]
    assert spider.crawler.stats.get_value("ingest/discover/links/sections") == 1
    assert spider.crawler.stats.get_value("ingest/discover/invalid_link") == 1


def test_links_seen_on_an_earlier_page_are_not_requested_again():
    spider = _spider()
    _visit(spider, depth=1)
    assert _visit(spider, depth=1) == ([], [])


def test_depth_limits_what_a_page_leads_to():
    # At the limit an article still leads to the articles it links, not to listings.
    articles, listings = _visit(_spider(), depth=2)
    assert articles and not listings
    # One hop past it, an article page is a leaf.
    assert _visit(_spider(), depth=3) == ([], [])


def test_the_fixture_story_menu_links_the_section():
    page = next((SITES / "kurdistan24" / "en" / "story" / "815342").glob("*.html"))
    _, listings = _visit(_spider(), depth=1, body=page.read_text(encoding="utf-8"))
    assert f"{HOST}/en/section/14/middle-east" in listings
