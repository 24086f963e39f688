"""The page's words, in French and in English: one language per page.

The page language comes from the visitor's choice (the switch, remembered by the
browser), else from the browser's ``Accept-Language`` / ``navigator.language``. It rules
every label, placeholder, example, status line, report, error and answer scaffold;
the answer text itself stays in the question's language (see convqa.answer.language).
Pure Python, without Gradio.
"""

from __future__ import annotations

import re
from typing import Any

# An index run's line is the catalogue's (convqa.messages), shared with the CLI; the page's
# modules take it from here with the rest of the page's words.
from convqa.index.report import index_summary as index_summary

LANGUAGES = ("fr", "en")
#: Pages whose browser asks for neither language are in English.
DEFAULT = "en"
#: The switch: each language named in itself, as language menus do.
CHOICES = [("Français", "fr"), ("English", "en")]

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "page_title": "convqa · questions sur l’actualité",
        "intro": "### Questions sur l’actualité\nRéponses citées mot pour mot des articles indexés, avec leurs sources. "
        "Questions en français ou en anglais ; les questions de suivi tiennent compte de la conversation.",
        "tab_chat": "Questions",
        "tab_add": "Ajouter",
        "tab_articles": "Articles",
        "chat_placeholder": "Posez une question sur les articles, ou choisissez un exemple.",
        "question_placeholder": "Votre question…",
        "ask": "Demander",
        "top_k": "Sources citées au plus",
        "new_conversation": "Nouvelle conversation",
        "status": "**{docs}** article{s} · **{chunks}** passages indexés · modèle {model} · stockage {store}",
        "store_embedded": "local",
        "store_server": "serveur",
        "disagree": "les index ne concordent pas : reconstruisez l’index",
        "unavailable": "Index indisponible : {error}",
        "empty_corpus": "**Aucun article indexé.** Ajoutez-en dans l’onglet « Ajouter », "
        "ou déposez des fichiers {types} dans le dossier `{folder}` puis reconstruisez l’index.",
        "add_intro": "Les articles ajoutés sont vérifiés, enregistrés dans le dossier `{folder}`, puis indexés "
        "(seuls les articles nouveaux ou modifiés sont calculés). Fichiers {types} de {mb} Mo au plus, "
        "lien vers une page web ou un tel fichier, ou texte collé. Un nom déjà pris reçoit un numéro : "
        "rien n’est écrasé.",
        "files": "Fichiers d’articles ({types} ; {mb} Mo au plus)",
        "add_files": "Ajouter les fichiers",
        "url": "Lien vers un article",
        "add_url": "Ajouter depuis le lien",
        "title": "Titre",
        "source": "URL de la source (facultatif)",
        "text": "Texte de l’article",
        "add_text": "Ajouter cet article",
        "full": "Recalculer tous les articles (plus lent)",
        "rebuild": "Reconstruire l’index",
        "articles_intro": "Les articles indexés, les plus récents d’abord. Supprimer un article retire son fichier "
        "du dossier `{folder}` et ses passages des deux index.",
        "col_title": "Titre",
        "col_date": "Date",
        "col_source": "Source",
        "col_passages": "Passages",
        "refresh": "Actualiser la liste",
        "pick": "Article à supprimer",
        "delete": "Supprimer…",
        "confirm": "Supprimer « {title} » ? Le fichier `{path}` sera retiré du dossier et ses {passages} "
        "des index. Cette action est définitive.",
        "confirm_yes": "Oui, supprimer",
        "cancel": "Annuler",
        "pick_first": "Choisissez d’abord un article dans la liste.",
        "no_articles": "Aucun article indexé pour l’instant.",
        # The chat's answer scaffold.
        "sources": "Sources",
        "context": "Voir dans l’article",
        "abstain": "Pas de réponse",
        "changed": "L’article a changé depuis son indexation : reconstruisez l’index.",
        "searching": "Recherche dans les articles…",
        "error": "Question refusée",
        "no_answer": "Pas de réponse",
        "generated": "généré par {name} · citations vérifiées",
        "fallback": "réponse extractive",
        # Reports of adding, removing and indexing.
        "added": "Ajouté",
        "already": "Déjà présent",
        "refused": "Refusé",
        "removed": "Supprimé",
        "warning": "Avertissement",
        "index": "Index",
        "failed": "l’indexation a échoué : {error}",
        "nothing": "rien à ajouter",
        "reading": "Lecture du corpus",
        "indexing": "Indexation : article {done}/{total} · passage {pdone}/{ptotal}",
        "language": "Langue",
        "up_to_date": "Index à jour",
        "n_passages": "{n} passage{s}",
    },
    "en": {
        "page_title": "convqa · questions on the news",
        "intro": "### Ask the news\nAnswers quoted word for word from the indexed articles, with their sources. "
        "Ask in French or English; follow-up questions use the conversation.",
        "tab_chat": "Chat",
        "tab_add": "Add articles",
        "tab_articles": "Articles",
        "chat_placeholder": "Ask a question about the articles, or pick an example.",
        "question_placeholder": "Your question…",
        "ask": "Ask",
        "top_k": "Sources cited at most",
        "new_conversation": "New conversation",
        "status": "**{docs}** article{s} · **{chunks}** passages indexed · model {model} · {store} store",
        "store_embedded": "embedded",
        "store_server": "server",
        "disagree": "the indexes disagree: rebuild the index",
        "unavailable": "Index unavailable: {error}",
        "empty_corpus": "**No article is indexed.** Add some in the “Add articles” tab, or put {types} files "
        "in the `{folder}` folder, then rebuild the index.",
        "add_intro": "Added articles are checked, saved in the `{folder}` folder, then indexed (only new or "
        "changed articles are computed). Files {types} up to {mb} MB each, a link to a web page or "
        "to such a file, or a pasted text. A name already taken gets a number: nothing is overwritten.",
        "files": "Article files ({types}; up to {mb} MB)",
        "add_files": "Add the files",
        "url": "Link to an article",
        "add_url": "Add from the link",
        "title": "Title",
        "source": "Source URL (optional)",
        "text": "Article text",
        "add_text": "Add this article",
        "full": "Re-embed every article (slower)",
        "rebuild": "Rebuild the index",
        "articles_intro": "The indexed articles, newest first. Deleting an article removes its file from the "
        "`{folder}` folder and its passages from both indexes.",
        "col_title": "Title",
        "col_date": "Date",
        "col_source": "Source",
        "col_passages": "Passages",
        "refresh": "Refresh the list",
        "pick": "Article to delete",
        "delete": "Delete…",
        "confirm": "Delete “{title}”? The file `{path}` will be removed from the folder and its {passages} "
        "from the indexes. This cannot be undone.",
        "confirm_yes": "Yes, delete",
        "cancel": "Cancel",
        "pick_first": "Choose an article in the list first.",
        "no_articles": "No article is indexed yet.",
        "sources": "Sources",
        "context": "Show in the article",
        "abstain": "No answer",
        "changed": "The article changed since it was indexed: rebuild the index.",
        "searching": "Searching the articles…",
        "error": "Question refused",
        "no_answer": "No answer",
        "generated": "generated by {name} · citations checked",
        "fallback": "extractive answer",
        "added": "Added",
        "already": "Already there",
        "refused": "Refused",
        "removed": "Removed",
        "warning": "Warning",
        "index": "Index",
        "failed": "indexing failed: {error}",
        "nothing": "nothing to add",
        "reading": "Reading the corpus",
        "indexing": "Indexing: article {done}/{total} · passage {pdone}/{ptotal}",
        "language": "Language",
        "up_to_date": "Index up to date",
        "n_passages": "{n} passage{s}",
    },
}

#: Example questions shown in the empty chat, per page language.
EXAMPLES = {
    "fr": [
        "Quel organisme dirige Ghada Waly ?",
        "Combien de pays étaient représentés à la cérémonie de signature ?",
        "Qui s’est exprimé au nom des chefs de délégation ?",
    ],
    "en": [
        "Which organisation does Ghada Waly lead?",
        "Which country's vice-president spoke for the heads of delegation?",
        "What did UNODC consider creating in Hanoi?",
    ],
}


def language(value: object) -> str:
    """'fr' or 'en' for a language tag or choice ('fr-FR', 'en', …); DEFAULT otherwise."""
    tag = str(value or "").strip().lower()[:2]
    return tag if tag in LANGUAGES else DEFAULT


def pick_language(choice: str = "", accept_language: str = "", navigator: str = "") -> str:
    """The page language: an explicit choice, else the first fr/en of Accept-Language, else navigator.language."""
    if str(choice or "").lower()[:2] in LANGUAGES:
        return language(choice)
    ranked = []
    for i, part in enumerate(str(accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = re.search(r"q=([0-9.]+)", params)
        try:
            q = float(weight.group(1)) if weight else 1.0
        except ValueError:
            q = 0.0
        ranked.append((-q, i, tag.strip().lower()[:2]))
    for _, _, tag in sorted(ranked):
        if tag in LANGUAGES:
            return tag
    return language(navigator)


def text(lang: str, key: str, **values: Any) -> str:
    """The page's words for ``key`` in ``lang``, with ``values`` filled in."""
    words = TEXTS[language(lang)][key]
    return words.format(**values) if values else words


def plural(n: int) -> str:
    """'s' unless n is 0 or 1 (the same rule serves both languages' words here)."""
    return "" if abs(n) <= 1 else "s"
