"""Answer excerpts: at most N words of the quoted sentence, centred on the short answer."""

from __future__ import annotations

from convqa.answer.compose import excerpt

SENTENCE = (
    "Lors de la réception, rendant compte au Secrétaire général To Lam et aux chefs de délégation des "
    "résultats de la cérémonie de signature de la Convention de Hanoï, le général Luong Tam Quang, ministre "
    "de la Sécurité publique, a déclaré que 110 pays et organisations internationales avaient participé."
)


def test_a_short_sentence_is_kept_whole():
    assert excerpt("Le pont a coûté 4,7 millions d'euros.", 16, 35, 40) == "Le pont a coûté 4,7 millions d'euros."


def test_a_long_sentence_is_cut_around_the_focus_with_ellipses():
    at = SENTENCE.index("110 pays")
    shown = excerpt(SENTENCE, at, at + len("110 pays"), 12)
    assert "110 pays" in shown and shown.startswith("…") and len(shown.strip("…").split()) == 12
    assert shown.strip("…") in SENTENCE  # the article's own words, in order


def test_a_focus_at_the_start_is_not_padded_before():
    shown = excerpt(SENTENCE, 0, 4, 10)
    assert not shown.startswith("…") and shown.endswith("…") and shown.startswith("Lors de la réception")
