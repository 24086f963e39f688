"""The French analyzer: elisions, case, accents, stop words and stems."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convqa.index.analyzer import analyze, fold_accents

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it


def test_elisions_are_split_and_stop_words_dropped():
    assert analyze("l'ONUDC et d'Hanoï qu'il jusqu'à") == ["onudc", "hanoi"]


def test_inflections_and_accents_meet_on_one_term():
    assert analyze("présidente")[0] == analyze("président")[0] == analyze("PRESIDENTS")[0]
    assert analyze("Équateur") == analyze("equateur")
    assert analyze("cybercriminalité") == analyze("Cybercriminalite")


def test_curly_apostrophes_behave_like_straight_ones():
    assert analyze("L’ONUDC a affirmé son engagement") == analyze("L'ONUDC a affirmé son engagement")


@given(st.text(max_size=200))
def test_analysis_is_total_and_its_terms_are_folded(text):
    terms = analyze(text)
    for term in terms:
        # casefold(), not lower(): the analyzer's own fold (it maps Cherokee to its capitals)
        assert term and term == fold_accents(term) and term == term.casefold() or not term.isalpha()
        assert " " not in term and "'" not in term


def test_case_is_folded_for_scripts_whose_fold_is_not_lower():
    # Found by the property above: casefold() maps Cherokee small letters to capitals, so
    # both cases must give one term (and the Greek final sigma, and German ß, likewise).
    assert analyze("aᎠ") == analyze("Aꭰ") != []
    assert analyze("ΟΔΟΣ") == analyze("οδος") == analyze("οδοσ")
    assert analyze("STRASSE") == analyze("straße")
