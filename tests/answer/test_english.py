"""English questions about the French seed article, beside the same questions in French.

The reader, trained on French questions only, reads English ones through the same
multilingual encoder. Each pair names a fact the quoted sentence must hold. The rates
are printed (pytest -s) and reported in the README; the floors below were set before the
first run, not fitted to it.
"""

from __future__ import annotations

PAIRS = [  # (English, French, a fact of the answering sentence)
    ("Who received the heads of delegation?", "Qui a reçu les chefs de délégation ?", "To Lam a reçu"),
    (
        "Which ministry was in charge of organising the signing ceremony?",
        "Quel ministère était chargé d'organiser la cérémonie de signature ?",
        "agence chargée",
    ),
    (
        "How many countries and international organisations were represented?",
        "Combien de pays et d'organisations internationales étaient représentés ?",
        "110 pays",
    ),
    ("Who is the executive director of UNODC?", "Qui est la directrice exécutive de l'ONUDC ?", "Ghada Waly"),
    (
        "What did UNODC consider creating in Hanoi?",
        "Qu'est-ce que l'ONUDC envisage de créer à Hanoï ?",
        "centre régional de formation",
    ),
    (
        "Which country's vice-president spoke for the heads of delegation?",
        "De quel pays est la vice-présidente qui a représenté les chefs de délégation ?",
        "Équateur",
    ),
    ("On what day did To Lam receive the delegations?", "Quel jour To Lam a-t-il reçu les délégations ?", "25 octobre"),
    ("What does Vietnam call on countries to do?", "À quoi le Vietnam appelle-t-il les pays ?", "ratifier rapidement"),
    ("Who is the Minister of National Defence?", "Qui est le ministre de la Défense nationale ?", "Phan Van Giang"),
    (
        "Which defence policy does Vietnam apply?",
        "Quelle politique de défense le Vietnam applique-t-il ?",
        "quatre non",
    ),
    ("Who is the Minister of Foreign Affairs?", "Qui est le ministre des Affaires étrangères ?", "Le Hoai Trung"),
    (
        "What is the Convention a step towards?",
        "Vers quoi la Convention marque-t-elle une étape ?",
        "premier cadre juridique mondial",
    ),
]


def quoted_rate(assistant, questions: list[str]) -> tuple[float, list[str]]:
    missed, right = [], 0
    for question, (_, _, fact) in zip(questions, PAIRS):
        answer = assistant.ask(question)
        if not answer.abstained and fact in answer.citations[0].quote:
            right += 1
        else:
            missed.append(question)
    return right / len(PAIRS), missed


def test_english_questions_quote_the_right_french_sentence(seed_assistant):
    english, missed_en = quoted_rate(seed_assistant, [p[0] for p in PAIRS])
    french, missed_fr = quoted_rate(seed_assistant, [p[1] for p in PAIRS])
    print(
        f"\nright sentence quoted: English {english:.2f}, French {french:.2f}; "
        f"missed EN {missed_en}; missed FR {missed_fr}"
    )
    assert english >= 8 / 12, missed_en
    assert french >= 9 / 12, missed_fr
