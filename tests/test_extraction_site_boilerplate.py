"""Learning a site's boilerplate from recurrence: thresholds, shared quotes, other editions."""

from __future__ import annotations

from ingest.extraction.site_boilerplate import (
    CROSS_EDITION,
    RECURS,
    count_editions,
    learn,
    paragraph_hash,
    strip_learned,
)

FOLLOW = "Follow our live coverage on the messaging app of your choice."
QUOTE = "“We will rebuild every house,” the governor said."


def _story(n: int, *extra: str) -> str:
    return "\n".join((f"Story {n} opens with its own first paragraph.", f"Story {n} ends.", *extra))


def _learned(articles, known=None, places=None, **thresholds):
    thresholds = {"min_articles": 5, "min_share": 0.3, **thresholds}
    return learn(count_editions(articles), known or {}, places or {}, **thresholds)


def test_paragraph_on_enough_articles_and_share_is_learned_with_its_place():
    articles = [("en", _story(n, FOLLOW)) for n in range(6)]
    (finding,) = _learned(articles)
    assert (finding.sample, finding.articles, finding.out_of) == (FOLLOW, 6, 6)
    assert (finding.rule, finding.position, finding.edition) == (RECURS, -1, "en")


def test_quote_two_stories_share_survives():
    articles = [("en", _story(n, QUOTE if n < 2 else "")) for n in range(20)]
    assert _learned(articles, min_articles=2) == []


def test_too_few_articles_learn_nothing_whatever_the_share():
    assert _learned([("en", _story(n, FOLLOW)) for n in range(4)]) == []


def test_a_paragraph_printed_twice_in_one_article_counts_once():
    articles = [("en", _story(0, FOLLOW, FOLLOW, FOLLOW, FOLLOW, FOLLOW))]
    assert _learned(articles, min_articles=2) == []


def test_same_place_as_another_editions_boilerplate_is_boilerplate_too():
    policy_ckb = "دەستەی نووسەران هەموو نووسینێک دەخوێنێتەوە."
    articles = [("en", _story(n, FOLLOW)) for n in range(6)]
    articles += [("ckb", _story(10 + n, policy_ckb)) for n in range(2)]
    articles += [("ckb", _story(20))]
    found = {(f.edition, f.sample, f.rule) for f in _learned(articles)}
    assert found == {("en", FOLLOW, RECURS), ("ckb", policy_ckb, CROSS_EDITION)}


def test_place_alone_is_not_enough_in_another_edition():
    articles = [("en", _story(n, FOLLOW)) for n in range(6)]
    articles += [("ckb", _story(10 + n, f"Last line {n}.")) for n in range(3)]
    assert {f.edition for f in _learned(articles)} == {"en"}


def test_known_paragraphs_are_not_learned_again_and_give_their_place():
    known, places = {"en": {paragraph_hash(FOLLOW)}}, {"en": {-1}}
    articles = [("en", _story(n, FOLLOW)) for n in range(6)]
    articles += [("ar", _story(10 + n, "تابعونا على تيليغرام.")) for n in range(2)]
    found = _learned(articles, known, places)
    assert [(f.edition, f.rule) for f in found] == [("ar", CROSS_EDITION)]


def test_quote_in_a_boilerplate_place_of_a_large_edition_survives():
    places = {"ckb": {-1}}
    articles = [("en", _story(n, QUOTE if n < 2 else "")) for n in range(10)]
    assert _learned(articles, {}, places) == []


def test_strip_learned_matches_the_normalised_paragraph():
    lines = ["Body.", "Follow  our live coverage on the messaging app of your choice. "]
    assert strip_learned(lines, {paragraph_hash(FOLLOW)}) == ["Body."]
