"""The words the question rules look for: question words, focus nouns and what they ask for.

Kept apart from the rules (``convqa.analysis.question``) so that a word is added in one
place. Patterns are matched on the case-folded question with typographic apostrophes made
straight; each names the question type (``wh``), the expected answer kind, and a focus the
pattern itself implies (« en quelle année » asks for a year).
"""

from __future__ import annotations

import re

_W = r"(?<![\w-])"  # a word start (a hyphen belongs to the word: « peut-être »)
_E = r"(?![\w])"

#: (pattern, wh, expects, implied focus), tried at every position; the earliest match wins,
#: the first listed on a tie (so « en quelle année » beats « quel »).
WH_PATTERNS: list[tuple[re.Pattern[str], str, str, str]] = [
    (re.compile(p), wh, kind, focus)
    for p, wh, kind, focus in [
        # French
        (
            rf"{_W}(?:en|dans|depuis|à partir de|de) quelles? (année|date|siècle|époque|période|décennie)s?{_E}",
            "quand",
            "DATE",
            "",
        ),
        (rf"{_W}(?:depuis|jusqu'à|jusqu'|à partir de) quand{_E}", "quand", "DATE", ""),
        (rf"{_W}quand{_E}", "quand", "DATE", ""),
        (rf"{_W}combien{_E}", "combien", "NUM", ""),
        (rf"{_W}(?:pourquoi|pour quelles? raisons?|dans quel but|pour quoi faire){_E}", "pourquoi", "REASON", ""),
        (rf"{_W}comment (?:s'appelle(?:nt)?|se nomment|se nomme|appelle-t-on|nomme-t-on){_E}", "quel", "", "nom"),
        (rf"{_W}comment{_E}", "comment", "MANNER", ""),
        (rf"{_W}(?:d'où|où|ou se|ou est|ou a|ou sont|ou trouve|ou vit|ou vivent){_E}", "ou", "LOC", ""),
        (rf"{_W}(?:qui est-ce qui|qui est-ce que|qui){_E}", "qui", "PER", ""),
        (rf"{_W}(?:quels?|quelles?|lequel|laquelle|lesquels|lesquelles){_E}", "quel", "", ""),
        (rf"{_W}(?:qu'est-?ce qu'|qu'est-?ce que{_E}|qu'est-?ce qui{_E}|que{_E}|qu'|quoi{_E})", "quoi", "", ""),
        # English
        (rf"{_W}(?:in )?(?:what|which) (year|date|century|decade|day|month)s?{_E}", "quand", "DATE", ""),
        (rf"{_W}how (?:many|much){_E}", "combien", "NUM", ""),
        (rf"{_W}how (?:long|old|far|big|large|tall|high|often){_E}", "combien", "NUM", ""),
        (rf"{_W}when{_E}", "quand", "DATE", ""),
        (rf"{_W}where{_E}", "ou", "LOC", ""),
        (rf"{_W}(?:who|whom|whose){_E}", "qui", "PER", ""),
        (rf"{_W}why{_E}", "pourquoi", "REASON", ""),
        (rf"{_W}how{_E}", "comment", "MANNER", ""),
        (rf"{_W}which{_E}", "quel", "", ""),
        (rf"{_W}what{_E}", "quoi", "", ""),
    ]
]

#: Focus nouns (singular, lower case, accents kept) → the answer kind they ask for.
FOCUS_KINDS: dict[str, str] = {}
for _kind, _words in {
    "PER": "personne homme femme président présidente auteur auteure joueur joueuse entraîneur maire ministre roi "
    "reine artiste écrivain chanteur chanteuse acteur actrice fondateur fondatrice directeur directrice chef "
    "personnage scientifique architecte peintre pape empereur général capitaine élu candidat vainqueur gagnant "
    "person man woman president author player coach mayor minister king queen artist writer singer actor "
    "founder director leader winner",
    "LOC": "ville pays région lieu endroit quartier département continent île rue commune village province état "
    "capitale territoire localité site zone city country region place town area state island street village",
    "ORG": "club entreprise société organisation organisme parti équipe association journal groupe institution "
    "université marque compagnie banque chaîne radio fédération syndicat école company organization organisation "
    "party team newspaper group institution university brand bank",
    "DATE": "année date jour mois siècle époque période heure décennie saison year date day month century decade "
    "period time season",
    "NUM": "nombre montant prix coût budget pourcentage taux âge population superficie durée somme part quantité "
    "chiffre distance taille hauteur longueur poids vitesse score total température altitude surface capacité "
    "number amount price cost budget percentage rate age population area duration sum share quantity figure "
    "distance size height length weight speed score total temperature",
    "REASON": "raison cause motif but objectif reason cause motive purpose",
    "MANNER": "manière façon moyen méthode way manner means method",
}.items():
    FOCUS_KINDS.update(dict.fromkeys(_words.split(), _kind))

#: Words that may stand between « quel » (or "which/what") and its noun.
SKIP_AFTER_QUEL = frozenset(
    "est sont était étaient fut furent sera seront a ont avait le la les l' un une des de du d' "
    "son sa ses leur leurs ce cet cette ces mon ma mes notre nos votre vos "
    "is are was were the a an of did does do his her its their this that these those".split()
)

#: Question and function words that are no content of the question's own.
NOT_CONTENT = frozenset(
    "combien pourquoi comment quand quel quelle quels quelles lequel laquelle lesquels lesquelles "
    "ou où qui quoi que est-ce ce c cela ça fait faire font a ont est sont était sera peut "
    "how many much what which who whom whose when where why the a an is are was were be been do does did "
    "of in on at to for by with from and or it its this that there their they he she his her him them "
    "about will would can could should has have had into as".split()
)

#: Starts of an elliptic follow-up (« Et en 2024 ? », "What about Lyon?").
ELLIPSIS = re.compile(r"^\s*(?:et|and|what about|how about|quid|mais encore|ou bien|pareil)\b")

#: Third-person pronouns and possessives that need an antecedent.
PRONOUN = re.compile(
    r"(?<![\w])(il|elle|ils|elles|lui|eux|leur|leurs|son|sa|ses|celui-ci|celle-ci|ceux-ci|celles-ci|"
    r"ce dernier|cette dernière|ces derniers|he|she|it|they|him|her|them|his|its|their)(?![\w])"
)
#: An object clitic before a verb (« Qui l'a fondé ? »).
OBJECT_CLITIC = re.compile(r"(?<![\w])l'(?:a|ont|avait|avaient|aura|auront|aurait|est|était)(?![\w])")
#: Impersonal « il » (« Quel temps fera-t-il ? », « Combien y a-t-il… », « il faut »).
IMPERSONAL = re.compile(
    r"(?:y a|faut|fera|fait|pleut|pleuvra|neige|agit|vaut|reste|existe|semble|manque)-t?-?il\b"
    r"|\bil (?:y a|y avait|y aura|faut|fallait|fait|fera|pleut|neige|s'agit|existe|reste|semble)\b"
    r"|\bit (?:is|was) (?:raining|snowing|cold|hot|sunny)\b"
)
#: An antecedent inside the question: a name (a capitalised word not first) or a noun
#: after a determiner (checked on the original case).
ANTECEDENT = re.compile(
    r"(?<=\s)[A-ZÀ-ÖØ-Þ][\w-]+|(?<![\w])(?:le|la|les|l'|un|une|ce|cette|ces|the|a|an) ?[a-zà-öø-ÿ]{3,}"
)
