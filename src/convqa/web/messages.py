"""French wording of the one-line messages the library writes in English.

Refusals and warnings come from the corpus, fetch and question code as English lines
(the API and the CLI return them as they are). A French page shows them in French:
each known phrase is replaced where it occurs, so a prefix such as the file name or the
URL is kept as it was. A line with no known phrase is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_N = r"([\d,.]+)"


def _number(match: re.Match, group: int) -> str:
    # 2,001 → 2 001: French groups thousands with a (narrow no-break) space, 1.5 → 1,5.
    return match.group(group).replace(",", "\u202f").replace(".", ",")


def _sub(template: str, numbers: tuple[int, ...] = ()) -> Callable[[re.Match], str]:
    def replace(match: re.Match) -> str:
        values = [match.group(i) or "" for i in range(match.re.groups + 1)]
        for i in numbers:
            values[i] = _number(match, i)
        return template.format(*values)

    return replace


#: (English phrase, French replacement): more specific phrases first.
_PHRASES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [(re.compile(p), r) for p, r in [
    # Questions.
    (r"the question must be text", _sub("la question doit être du texte")),
    (rf"the question is {_N} characters long; the limit is {_N}", _sub("la question fait {1} caractères ; la limite est de {2}", (1, 2))),
    (r"the question is empty", _sub("la question est vide")),
    (r"the question has no words", _sub("la question ne contient aucun mot")),
    # Reading an article (loader, formats).
    (r"unsupported file type (\S+)", _sub("type de fichier {1} non pris en charge")),
    (r"binary file \(NUL bytes\), not an article", _sub("fichier binaire (octets NUL), pas un article")),
    (r"cannot decode the text \(unknown encoding\)", _sub("texte illisible (encodage inconnu)")),
    (r"front matter cannot be parsed \((\w+)\)", _sub("en-tête YAML illisible ({1})")),
    (r"no article text found in the HTML page", _sub("aucun texte d’article dans la page HTML")),
    (r"not a PDF file \(no %PDF- header\)", _sub("pas un fichier PDF (pas d’en-tête %PDF-)")),
    (r"the PDF has no text layer \(a scan\?\); only PDFs with text can be read",
     _sub("le PDF n’a pas de couche texte (un scan ?) ; seuls les PDF contenant du texte sont lus")),
    (r"the PDF is protected by a password", _sub("le PDF est protégé par un mot de passe")),
    (r"the PDF cannot be read \((\w+)\)", _sub("le PDF est illisible ({1})")),
    (r"no text after the title and metadata", _sub("aucun texte après le titre et les métadonnées")),
    (r"empty file", _sub("fichier vide")),
    (rf"file is {_N} MB, over the {_N} MB limit", _sub("le fichier fait {1} Mo, au-delà de la limite de {2} Mo", (1, 2))),
    (rf"{_N} MB, over the {_N} MB limit", _sub("{1} Mo, au-delà de la limite de {2} Mo", (1, 2))),
    (r"corpus folder not found: (.+)", _sub("dossier du corpus introuvable : {1}")),
    (r"symbolic link, not followed", _sub("lien symbolique, non suivi")),
    (r"same article id (.+) as (.+)", _sub("même identifiant d’article {1} que {2}")),
    (r"no readable article in (.+): add (.+) files", _sub("aucun article lisible dans {1} : ajoutez des fichiers {2}")),
    (r"^skipped (.+?): ", _sub("ignoré {1} : ")),
    # Saving an article (uploads).
    (r"file type (\S+) is not accepted \(use ([^)]*)\)", _sub("type de fichier {1} refusé (utilisez {2})")),
    (rf"the title is {_N} characters long; the limit is {_N}", _sub("le titre fait {1} caractères ; la limite est de {2}", (1, 2))),
    (rf"the source URL is {_N} characters long; the limit is {_N}",
     _sub("l’URL de la source fait {1} caractères ; la limite est de {2}", (1, 2))),
    (r"the source must be an http:// or https:// URL, got (.+)", _sub("la source doit être une URL http:// ou https:// (reçu {1})")),
    (r"cannot create the corpus folder (.+): (.+)", _sub("impossible de créer le dossier du corpus {1} : {2}")),
    (r"the same text is already in the corpus as (.+)", _sub("le même texte est déjà dans le corpus : {1}")),
    (r"already in the corpus as (.+)", _sub("déjà dans le corpus : {1}")),
    (r"article id (.+) is already used by (.+)", _sub("l’identifiant d’article {1} est déjà pris par {2}")),
    (r"no free file name like (.+) in the corpus folder", _sub("aucun nom de fichier libre du type {1} dans le dossier du corpus")),
    (r"cannot read the uploaded file \((.+)\)", _sub("impossible de lire le fichier envoyé ({1})")),
    (r"the article needs a title", _sub("l’article doit avoir un titre")),
    (r"the article text is empty", _sub("le texte de l’article est vide")),
    (r"^saved (\S+) \((.+) was taken\): ", _sub("enregistré sous {1} ({2} était pris) : ")),
    (r"^saved (\S+): ", _sub("enregistré sous {1} : ")),
    # Fetching a page.
    (r"only http:// and https:// URLs can be fetched", _sub("seules les URL http:// et https:// peuvent être téléchargées")),
    (r"redirected to a non-http\(s\) URL", _sub("redirigé vers une URL non http(s)")),
    (r"a URL without a scheme", _sub("une URL sans schéma")),
    (r"not a web page or an article file \(content type (.+)\)", _sub("ni une page web ni un fichier d’article (type de contenu {1})")),
    (r"the server answered (.+)", _sub("le serveur a répondu {1}")),
    (r"more than (\d+) redirects", _sub("plus de {1} redirections")),
    (r"not a valid URL: (.+)", _sub("URL invalide : {1}")),
    (r"no host name in (.+)", _sub("aucun nom d’hôte dans {1}")),
    (r"not a valid host name: (.+)", _sub("nom d’hôte invalide : {1}")),
    (r"resolves to (\S+), a private, loopback or reserved address: refused \(allow it with (\S+) or (\S+)\)",
     _sub("pointe vers {1}, une adresse privée, locale ou réservée : refusé (autorisez-la avec {2} ou {3})")),
    (r"the host name does not resolve \((\w+)\)", _sub("le nom d’hôte ne se résout pas ({1})")),
    (r"TLS failed \((.+)\)", _sub("échec TLS ({1})")),
    (r"cannot reach (\S+?)(:|\s|$)", _sub("impossible de joindre {1}{2}")),
    (r"no complete answer in time", _sub("pas de réponse complète à temps")),
    (r"no answer in time", _sub("pas de réponse à temps")),
    (r"the server's answer is broken \((\w+)\)", _sub("la réponse du serveur est corrompue ({1})")),
    (r"the server sent a (\S+)-compressed page although none was asked for",
     _sub("le serveur a envoyé une page compressée ({1}) sans qu’on la demande")),
    (rf"the page is over the {_N} MB limit", _sub("la page dépasse la limite de {1} Mo", (1,))),
    (r"the page did not arrive in time", _sub("la page n’est pas arrivée à temps")),
    (r"the download broke off \((\w+)\)", _sub("le téléchargement s’est interrompu ({1})")),
    # Indexes and stores.
    (r"another index run holds (.+)", _sub("un autre calcul de l’index est en cours ({1})")),
    (r"Chroma server not reachable at (\S+) \((\w+)\)", _sub("serveur Chroma injoignable à {1} ({2})")),
    (r"record database not reachable at (\S+) \((\w+)\)", _sub("base des enregistrements d’indexation injoignable à {1} ({2})")),
    (r"no index in (.+): run `convqa index` first", _sub("aucun index dans {1} : lancez d’abord `convqa index`")),
    (r"no such article: (.+)", _sub("aucun article indexé avec l’identifiant {1}")),
    (r"sign in to delete articles \(CONVQA_AUTH is set\)", _sub("connectez-vous pour supprimer des articles (CONVQA_AUTH est défini)")),
    (r"the file of (.+) is outside the corpus folder", _sub("le fichier de {1} est hors du dossier du corpus")),
]]


def localize(message: str, lang: str) -> str:
    """``message`` in the page's language: French phrases on a French page, else as written."""
    if lang != "fr" or not message:
        return message
    for pattern, replace in _PHRASES:
        message = pattern.sub(replace, message)
    return message
