"""``convqa train-reader``: train the reader on the ``tune`` split of a SQuAD-format dataset.

The examples (convqa.training.examples) are the tune questions with the candidates the
assistant itself would show the reader. The model learns

- the answer span inside the gold sentence (start/end tokens),
- "no answer" (the first token) on the other sentences, and on the sentences retrieved
  when the question's own article is left out (unanswerable questions),
- to rank the gold sentence first among the question's candidates (listwise loss).
"""

from __future__ import annotations

import json
import pickle
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm
from transformers import AutoTokenizer

from convqa.evaluation.dataset import load_squad
from convqa.model.e5_weights import materialize_e5
from convqa.reader.model import (
    FROZEN_PREFIXES,
    ReaderConfig,
    ReaderNet,
    base_network,
    file_sha256,
    read_config,
    save_reader,
)
from convqa.reader.spans import encode_pairs, token_span
from convqa.settings import Settings
from convqa.training.calibrate import calibrate_reader
from convqa.training.examples import Example, Texts, assign_dev, build_examples, gold_index, sentence_text
from convqa.training.rerank import calibrate_margin


@dataclass
class TrainOptions:
    """Knobs of one training run (the defaults made the shipped weights)."""

    layers: int = 8
    epochs: int = 2
    lr: float = 5e-5
    negatives: int = 4
    unanswerable_every: int = 3  # one question in N also trains on its held-out candidates
    # 256, not 128: at 128 an answer near the end of a long sentence (the seed article's
    # 80-word "110 pays" sentence) was cut off and taught as "no answer".
    max_length: int = 256
    seed: int = 13
    limit_questions: int | None = None  # smoke runs
    threads: int = 2


def _loss(
    net: ReaderNet,
    tokenizer,
    question: str,
    sentences: list[str],
    spans: list[tuple[int, int] | None],
    gold_row: int | None,
    max_length: int,
) -> torch.Tensor:
    """SQuAD 2.0 span loss on every row (no span: the first token), plus listwise loss."""
    enc = encode_pairs(tokenizer, question, sentences, max_length)
    start_logits, end_logits = net(enc.input_ids, enc.attention_mask)
    mask = torch.zeros_like(start_logits, dtype=torch.bool)
    mask[:, 0] = True
    for row, tokens in enumerate(enc.sentence_tokens):
        mask[row, tokens] = True
    start_logits = start_logits.masked_fill(~mask, -1e4)
    end_logits = end_logits.masked_fill(~mask, -1e4)
    targets_s, targets_e = [], []
    for row, span in enumerate(spans):
        tok = token_span(enc, row, *span) if span is not None else None
        targets_s.append(tok[0] if tok else 0)
        targets_e.append(tok[1] if tok else 0)
    per_row = (
        F.cross_entropy(start_logits, torch.tensor(targets_s), reduction="none")
        + F.cross_entropy(end_logits, torch.tensor(targets_e), reduction="none")
    ) / 2
    answering = torch.tensor([span is not None for span in spans])
    # The answer's own span counts in full: averaged with the (easy, many) "no answer" rows
    # it would be diluted by the number of negatives, and spans would barely be learned.
    loss = per_row[answering].sum() + (per_row[~answering].mean() if (~answering).any() else 0.0)
    if gold_row is not None and len(sentences) > 1:
        # Each sentence's best answer against its own "no answer": the gold one should win.
        null = start_logits[:, 0] + end_logits[:, 0]
        best = start_logits[:, 1:].max(dim=1).values + end_logits[:, 1:].max(dim=1).values
        loss = loss + F.cross_entropy((best - null)[None, :], torch.tensor([gold_row]))
    return loss


def _rows(example: Example, texts: Texts, rng: random.Random, negatives: int) -> tuple[list[str], list, int]:
    """The sentences one step trains on: the gold one among hard negatives, shuffled;
    returns (sentences, answer spans in each, the gold row)."""
    gold = gold_index(example)
    cands = example.candidates
    # Hard negatives: the best pre-ranked wrong sentences, plus one drawn at random.
    wrong = [i for i in range(len(cands)) if i != gold]
    chosen = wrong[: negatives - 1] + rng.sample(wrong[negatives - 1 :], k=min(1, len(wrong[negatives - 1 :])))
    rows = [gold] + chosen
    rng.shuffle(rows)
    doc, start, end = example.gold
    sentences, spans = [], []
    for i in rows:
        c = cands[i]
        sentences.append(sentence_text(c, texts))
        spans.append((start - c["start"], end - c["start"]) if i == gold else None)
    return sentences, spans, rows.index(gold)


def train(examples: list[Example], texts: Texts, e5_dir: Path, options: TrainOptions) -> ReaderNet:
    """Fine-tune a fresh reader on the ``train`` examples; returns the network."""
    torch.manual_seed(options.seed)
    rng = random.Random(options.seed)
    torch.set_num_threads(options.threads)
    tokenizer = AutoTokenizer.from_pretrained(str(e5_dir))
    net = base_network(e5_dir, options.layers).train()
    for name, param in net.named_parameters():
        param.requires_grad = not name.startswith(FROZEN_PREFIXES)
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=options.lr, weight_decay=0.01)
    pool = [e for e in examples if e.split == "train" and gold_index(e) is not None]
    steps = len(pool) * options.epochs
    warmup = max(1, steps // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1 - s / max(1, steps))
    )
    bar = tqdm(total=steps, desc="training", unit="q", file=sys.stderr, mininterval=5)
    step, running = 0, 0.0
    for epoch in range(options.epochs):
        rng.shuffle(pool)
        for example in pool:
            sentences, spans, gold_row = _rows(example, texts, rng, options.negatives)
            loss = _loss(net, tokenizer, example.question, sentences, spans, gold_row, options.max_length)
            if example.held_out and step % options.unanswerable_every == 0:
                held = example.held_out[:3]
                loss = loss + _loss(
                    net,
                    tokenizer,
                    example.question,
                    [sentence_text(c, texts) for c in held],
                    [None] * len(held),
                    None,
                    options.max_length,
                )
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            bar.update(1)
            bar.set_postfix(loss=f"{running:.3f}", epoch=epoch + 1)
    bar.close()
    return net.eval()


def _examples(dataset: Path, work: Path, settings: Settings, limit: int | None) -> tuple[list[Example], Texts]:
    """The examples, from a kept work folder's cache when an earlier run left them there."""
    cache = work / f"examples-v2-{file_sha256(dataset)[:16]}-{limit}.pkl"
    if cache.is_file():
        examples, texts = pickle.loads(cache.read_bytes())
        # The dev share may have changed since the candidates were cached.
        assign_dev(examples, {a.doc_id: a.title for a in load_squad(dataset).articles})
        return examples, texts
    examples, texts = build_examples(dataset, work, settings, limit)
    cache.write_bytes(pickle.dumps((examples, texts)))
    return examples, texts


def train_reader(
    dataset: Path, out: Path, settings: Settings, options: TrainOptions | None = None, work: Path | None = None
) -> dict:
    """The whole command: candidates, training, calibration, weights written to ``out``.

    ``settings`` is the caller's configuration; the indexes are built from it on a fresh
    store in the work folder.
    """
    options = options or TrainOptions()
    started = time.perf_counter()
    random.seed(options.seed)
    np.random.seed(options.seed)
    torch.manual_seed(options.seed)
    with tempfile.TemporaryDirectory(prefix="convqa-train-") as tmp:
        work = work or Path(tmp)
        examples, texts = _examples(dataset, work, settings, options.limit_questions)
        e5_dir = materialize_e5(work / "data" / "models" / "multilingual-e5-small")
        t_train = time.perf_counter()
        net = train(examples, texts, e5_dir, options)
        train_seconds = time.perf_counter() - t_train
        # Written before calibration too: a long run is never lost to a later error.
        save_reader(net, ReaderConfig(layers=options.layers, max_length=options.max_length, seed=options.seed), out)
        figures = calibrate_margin(net, examples, texts, e5_dir, options.max_length)
        figures |= {
            "train_seconds": round(train_seconds, 1),
            "train_questions": sum(e.split == "train" for e in examples),
        }
        config = ReaderConfig(
            layers=options.layers,
            max_length=options.max_length,
            calib_a=figures["calib_a"],
            calib_b=figures["calib_b"],
            prior_weight=figures["prior_weight"],
            data_sha256=file_sha256(dataset),
            seed=options.seed,
            notes=json.dumps({"options": asdict(options), "dev": figures}, ensure_ascii=False),
        )
        save_reader(net, config, out)
        # Answerability through the real answer step, on the same index.
        figures["end_to_end"] = calibrate_reader(out, dataset, work, settings)
    figures["total_seconds"] = round(time.perf_counter() - started, 1)
    return {"config": asdict(read_config(out)), "figures": figures}
