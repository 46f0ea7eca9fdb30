"""Learning a site's boilerplate from recurrence: thresholds, shared quotes, other editions."""

from __future__ import annotations

from ingest.extraction.site_boilerplate import (
    CROSS_EDITION,
    RECURS,
    TITLE_PREFIX,
    TITLE_SUFFIX,
    affix_hash,
    count_editions,
    learn,
    paragraph_hash,
    strip_learned,
    strip_learned_title,
)

FOLLOW = "Follow our live coverage on the messaging app of your choice."
QUOTE = "“We will rebuild every house,” the governor said."


def _story(n: int, *extra: str) -> str:
    return "\n".join((f"Story {n} opens with its own first paragraph.", f"Story {n} ends.", *extra))


def _learned(articles, known=None, places=None, **thresholds):
    """Learn from ``(edition, text)`` or ``(edition, title, text)`` articles."""
    thresholds = {"min_articles": 5, "min_share": 0.3, **thresholds}
    articles = [a if len(a) == 3 else (a[0], f"Story {i}", a[1]) for i, a in enumerate(articles)]
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


def _titled(titles: list[str]) -> list[tuple[str, str, str]]:
    return [("en", title, _story(n)) for n, title in enumerate(titles)]


def test_title_part_on_enough_articles_is_learned_whatever_the_outlet_is_called():
    # No og:site_name, a host name that says nothing: only the recurrence gives it away.
    titles = [f"Floods close {n} schools ~ The Morning Ledger" for n in range(6)]
    titles += [f"Live · Council votes on budget {n} ~ The Morning Ledger" for n in range(2)]
    (suffix,) = _learned(_titled(titles))
    assert (suffix.rule, suffix.sample, suffix.articles, suffix.out_of) == (
        TITLE_SUFFIX,
        "The Morning Ledger",
        8,
        8,
    )


def test_label_in_front_of_many_titles_is_learned_as_a_prefix():
    titles = [f"Opinion | Why district {n} needs schools" for n in range(5)]
    (prefix,) = _learned(_titled(titles))
    assert (prefix.rule, prefix.sample) == (TITLE_PREFIX, "Opinion")


def test_title_part_two_stories_share_survives():
    # Two stories of a series share their last part; twenty others do not.
    titles = [f"Story {n} - Part of the flood series" for n in range(2)]
    titles += [f"Headline number {n}" for n in range(20)]
    assert _learned(_titled(titles), min_articles=2) == []


def test_learned_title_parts_are_cut_and_a_title_never_emptied():
    learned = {affix_hash(TITLE_SUFFIX, "The Morning Ledger"), affix_hash(TITLE_PREFIX, "Opinion")}
    assert strip_learned_title("Opinion | Schools reopen ~ The Morning Ledger", learned) == (
        "Schools reopen",
        [affix_hash(TITLE_SUFFIX, "The Morning Ledger"), affix_hash(TITLE_PREFIX, "Opinion")],
    )
    assert strip_learned_title("Schools reopen", learned) == ("Schools reopen", [])
    # A separator inside the headline is not a learned part.
    assert strip_learned_title("Erbil - Duhok road reopens", learned)[0] == (
        "Erbil - Duhok road reopens"
    )
