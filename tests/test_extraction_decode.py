"""Pages that declare no charset are decoded from their bytes: a crawl per encoding, no U+FFFD."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from ingest.extraction.decode import decode_html
from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import fresh_database, run_crawl
from tests.site_server import SiteServer

if TYPE_CHECKING:
    from collections.abc import Iterator

PARAGRAPHS = {
    "cp1251": [
        "Правительство региона в среду объявило о новом плане водоснабжения северных районов.",
        "Стоимость проекта оценивается в сорок миллионов долларов, сообщили в ведомстве.",
        "Министр сказал, что работы начнутся весной и продлятся два года.",
        "Жители трёх деревень уже получили временные цистерны с питьевой водой.",
    ],
    "latin-1": [
        "Le conseil régional a annoncé mercredi un nouveau plan pour l'eau des districts du nord.",
        "Les travaux débuteront au printemps, a précisé le ministre à Erbil.",
        "Trois villages reçoivent déjà des citernes d'eau potable, selon la préfecture.",
        "Le coût du projet est estimé à quarante millions de dollars, selon le ministère.",
    ],
    "windows-1256": [
        "أعلنت حكومة الإقليم يوم الأربعاء عن خطة جديدة لتزويد المناطق الشمالية بالمياه.",
        "وقال الوزير إن العمل سيبدأ في الربيع ويستمر عامين.",
        "وتلقت ثلاث قرى بالفعل صهاريج مؤقتة لمياه الشرب.",
        "وتقدر كلفة المشروع بأربعين مليون دولار بحسب الوزارة المعنية بالأمر.",
    ],
}


def _page(encoding: str) -> bytes:
    """An article in ``encoding`` with no <meta charset>: only the bytes tell."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[encoding])
    return (
        f"<html><head><title>News {encoding}</title></head><body><article>"
        f"<h1>News {encoding}</h1>{body}</article></body></html>"
    ).encode(encoding)


@pytest.mark.parametrize("encoding", PARAGRAPHS)
def test_undeclared_charset_is_detected(encoding):
    text = decode_html(_page(encoding), "text/html")
    assert "\ufffd" not in text
    for paragraph in PARAGRAPHS[encoding]:
        assert paragraph in text


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Iterator[dict[str, Article]]:
    directory = tmp_path_factory.mktemp("charsets")
    site = directory / "site"
    (site / "news").mkdir(parents=True)
    headers = {}
    for encoding in PARAGRAPHS:
        (site / "news" / f"{encoding}.html").write_bytes(_page(encoding))
        headers[f"/news/{encoding}"] = {"Content-Type": "text/html"}  # no charset
    (site / "_site.json").write_text(json.dumps({"headers": headers}))
    with fresh_database("sqlite", directory) as url, SiteServer(site) as server:
        listed = directory / "urls.txt"
        listed.write_text("\n".join(f"{server.url}/news/{e}" for e in PARAGRAPHS))
        result = run_crawl("urls", directory, url, f"file={listed}")
        assert result.returncode == 0, result.log[-3000:]
        engine = make_engine(url)
        with make_sessionmaker(engine)() as session:
            yield {a.url.rsplit("/", 1)[1]: a for a in session.scalars(select(Article))}
        engine.dispose()


@pytest.mark.parametrize("encoding", PARAGRAPHS)
def test_crawled_page_without_charset_is_stored_as_written(crawled, encoding):
    article = crawled[encoding]
    assert article.title == f"News {encoding}"
    assert article.text == "\n".join(PARAGRAPHS[encoding])
