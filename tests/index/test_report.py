"""An index run said in one line, articles first and their passages in brackets, in both
languages: on hand-built reports, no model or store."""

from __future__ import annotations

import pytest

from convqa.index.report import IndexReport, index_summary

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

EVERY_KIND = IndexReport(
    added=13,
    updated=0,
    deleted=5,
    documents=4,
    chunks=31,
    seconds=1.25,
    articles_added=1,
    articles_updated=2,
    articles_deleted=1,
    articles_unchanged=1,
    passages_added=4,
    passages_updated=9,
    passages_deleted=2,
)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "en",
            "1 article added (4 passages) · 2 articles updated (9 passages) · 1 article removed (2 passages) "
            "· 1 unchanged — 4 articles (31 passages) in 1.2 s",
        ),
        (
            "fr",
            "1 article ajouté (4 passages) · 2 articles mis à jour (9 passages) · 1 article supprimé (2 passages) "
            "· 1 inchangé — 4 articles (31 passages) en 1,2 s",
        ),
    ],
)
def test_each_kind_of_change_is_counted_in_articles_with_its_own_passages(lang, line):
    assert EVERY_KIND.summary(lang) == line
    assert index_summary(EVERY_KIND.to_dict(), lang) == line  # the dict the web API sends says the same


@pytest.mark.parametrize(
    ("report", "en", "fr"),
    [
        (
            IndexReport(documents=1, chunks=1, seconds=0.04, articles_added=1, passages_added=1),
            "1 article added (1 passage) — 1 article (1 passage) in 0.0 s",
            "1 article ajouté (1 passage) — 1 article (1 passage) en 0,0 s",
        ),
        (
            IndexReport(articles_deleted=2, passages_deleted=12, seconds=0.3),
            "2 articles removed (12 passages) — 0 articles (0 passages) in 0.3 s",
            "2 articles supprimés (12 passages) — 0 article (0 passage) en 0,3 s",
        ),
        (
            IndexReport(documents=2001, chunks=30000, articles_unchanged=2001, seconds=2.0),
            "2,001 unchanged — 2,001 articles (30,000 passages) in 2.0 s",
            "2\u202f001 inchangés — 2\u202f001 articles (30\u202f000 passages) en 2,0 s",
        ),
        (
            IndexReport(),
            "no change — 0 articles (0 passages) in 0.0 s",
            "aucun changement — 0 article (0 passage) en 0,0 s",
        ),
    ],
)
def test_singular_and_plural_follow_each_language(report, en, fr):
    assert (report.summary("en"), report.summary("fr")) == (en, fr)
