"""The reader network and its shipped weights.

The network is the bundled multilingual-e5-small cut to its first ``layers`` layers, with a
linear head giving each token a start and an end logit (SQuAD 2.0 style: the first token,
``<s>``, stands for "no answer here"). Only what training changed is stored: the
transformer layers and the head, in float16. The word-embedding matrix (96M of the
model's 118M parameters) stays frozen and is taken from the bundled model at load time,
so the committed file stays small.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

#: Parameters that training never changes: loaded from the bundled model, never stored.
FROZEN_PREFIXES = ("encoder.embeddings.word_embeddings.",)


class ReaderError(Exception):
    """The reader's weights are missing, corrupt or do not fit the model."""


@dataclass(frozen=True)
class ReaderConfig:
    """What a weights file was trained as; stored beside it as ``reader.json``."""

    layers: int = 8
    max_length: int = 128
    max_answer_tokens: int = 30
    base: str = "multilingual-e5-small"
    #: Answerability: P(answer) = sigmoid(weights · features + b) over the features named in
    #: convqa.reader.features.FEATURES, fitted on tune's dev articles; with no weights,
    #: sigmoid(a * margin + b).
    calib_a: float = 1.0
    calib_b: float = 0.0
    calib_weights: tuple[float, ...] = ()
    #: Reranking: final candidate score = margin + prior_weight * prior (fitted on tune).
    prior_weight: float = 0.0
    sha256: str = ""
    data_sha256: str = ""
    seed: int = 0
    notes: str = ""


class ReaderNet(nn.Module):
    """e5's first layers and a start/end head over every token."""

    def __init__(self, encoder: nn.Module, layers: int) -> None:
        super().__init__()
        encoder.encoder.layer = encoder.encoder.layer[:layers]
        encoder.config.num_hidden_layers = layers
        self.encoder = encoder
        self.qa = nn.Linear(encoder.config.hidden_size, 2)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Start and end logits, each (batch, tokens)."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits = self.qa(hidden)
        return logits[..., 0], logits[..., 1]


def base_network(e5_dir: Path, layers: int) -> ReaderNet:
    """A fresh reader on the bundled model's weights (the starting point of training)."""
    from transformers import BertModel
    from transformers.utils import logging as hf_logging

    # The bundled folder carries e5's (unused) pooler: transformers would report it as an
    # unexpected key on every load.
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        encoder = BertModel.from_pretrained(str(e5_dir), add_pooling_layer=False, local_files_only=True)
    finally:
        hf_logging.set_verbosity(level)
    return ReaderNet(encoder, layers)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_reader(net: ReaderNet, config: ReaderConfig, folder: Path) -> ReaderConfig:
    """Write ``reader.safetensors`` (float16, trained parameters only) and ``reader.json``."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tensors = {
        k: v.detach().to(torch.float16).contiguous()
        for k, v in net.state_dict().items()
        if not k.startswith(FROZEN_PREFIXES)
    }
    weights = folder / "reader.safetensors"
    save_file(tensors, str(weights), metadata={"format": "pt"})
    config = ReaderConfig(**(asdict(config) | {"sha256": file_sha256(weights)}))
    (folder / "reader.json").write_text(json.dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
    return config


def read_config(folder: Path) -> ReaderConfig:
    """The config of a reader folder; ReaderError when missing or unreadable."""
    try:
        data = json.loads((folder / "reader.json").read_text(encoding="utf-8"))
        data = {k: v for k, v in data.items() if k in ReaderConfig.__dataclass_fields__}
        data["calib_weights"] = tuple(data.get("calib_weights") or ())
        return ReaderConfig(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise ReaderError(
            f"reader config {folder / 'reader.json'} is missing or unreadable ({exc.__class__.__name__})"
        ) from None


def load_reader(folder: Path, e5_dir: Path) -> tuple[ReaderNet, ReaderConfig]:
    """The shipped reader, checked against its sha256; ReaderError with the fix otherwise."""
    from safetensors.torch import load_file

    config = read_config(folder)
    weights = folder / "reader.safetensors"
    if not weights.is_file():
        raise ReaderError(f"reader weights {weights} are missing")
    if file_sha256(weights) != config.sha256:
        raise ReaderError(f"reader weights {weights} are corrupt (sha256 mismatch)")
    net = base_network(e5_dir, config.layers)
    state = {k: v.to(torch.float32) for k, v in load_file(str(weights)).items()}
    missing, unexpected = net.load_state_dict(state, strict=False)
    if unexpected or [k for k in missing if not k.startswith(FROZEN_PREFIXES)]:
        raise ReaderError(f"reader weights {weights} do not fit a {config.layers}-layer reader")
    return net.eval(), config
