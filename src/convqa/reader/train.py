"""``convqa train-reader``: train the reader on the ``tune`` split of a SQuAD-format dataset.

Honest by construction: questions of ``test`` articles (the article-level ``split_of``
that ``convqa eval`` reports on) are never read. A tenth of the ``tune`` articles is kept
aside as ``dev``, to calibrate answerability and weigh the reranking prior; the rest trains.

For each question the candidates are what the assistant itself would show the reader:
the sentences of the passages retrieved for it (hybrid retrieval on an index of the whole
dataset), pre-ranked by the cheap scorer (convqa.answer.candidates). The model learns

- the answer span inside the gold sentence (start/end tokens),
- "no answer" (the first token) on the other sentences, and on the sentences retrieved
  when the question's own article is left out (unanswerable questions),
- to rank the gold sentence first among the question's candidates (listwise loss).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import pickle
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


#: Weights of the pre-rank beside the reader's margin tried on dev (the best is kept).
PRIOR_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


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


@dataclass
class Example:
    """One tune question with its candidate sentences (article offsets)."""

    question: str
    split: str  # "dev" or "train", by its article (set by _assign_dev)
    gold: tuple[str, int, int]
    candidates: list[dict] = field(default_factory=list)  # own index
    held_out: list[dict] = field(default_factory=list)  # without the question's article


def dev_article(title: str) -> bool:
    """A fifth of the tune articles, chosen by title hash, kept aside for calibration.

    A tenth (10 articles, 255 questions) proved too few: the abstention threshold set to 4%
    on them abstained on 9.6% of test questions, questions of one article being alike.
    """
    return hashlib.sha256(("dev:" + title).encode("utf-8")).digest()[0] % 10 < 2


def build_examples(dataset: Path, work: Path, limit: int | None = None) -> tuple[list[Example], dict[tuple, str]]:
    """Index the dataset's articles and retrieve candidates for every tune question.

    Returns the examples and the text of every sentence (keyed by article id, start, end).
    """
    from convqa.answer.reader_step import reader_candidates
    from convqa.assistant import Assistant
    from convqa.evaluation.dataset import load_squad, write_corpus
    from convqa.evaluation.run import eval_settings
    from convqa.settings import Settings

    evalset = load_squad(dataset)
    questions = [q for q in evalset.questions if q.split == "tune"]
    if limit:  # smoke runs: spread over the articles, so that dev ones are among them
        questions = questions[:: max(1, len(questions) // limit)][:limit]
    write_corpus(evalset, work / "corpus")
    settings = eval_settings(Settings(answerer="sentences"), work / "corpus", work / "data", 10)
    assistant = Assistant(settings)
    print(f"indexing {len(evalset.articles)} articles for training candidates", file=sys.stderr)
    assistant.index()
    titles = {a.doc_id: a.title for a in evalset.articles}
    texts: dict[tuple, str] = {}
    examples = []
    from tqdm import tqdm

    for q in tqdm(questions, desc="candidates", unit="q", file=sys.stderr, mininterval=2):
        query = assistant.pipeline.query(q.question)
        passages = assistant.pipeline.retrieve(query, limit=30)
        own = passages[:8]
        held = [p for p in passages if p.doc_id != q.doc_id][:8]
        rows = []
        for group in (own, held):
            cands = reader_candidates(query, group, assistant.lexical, assistant.sentence_vectors, assistant.calibration)
            rows.append([
                {"doc_id": c.doc_id, "start": c.start, "end": c.end, "prior": c.prior} for c in cands
            ])
            for c in cands:
                texts[(c.doc_id, c.start, c.end)] = c.text
        examples.append(Example(q.question, "", (q.doc_id, q.start, q.end), rows[0], rows[1]))
    _assign_dev(examples, titles)
    return examples, texts


def _assign_dev(examples: list[Example], titles: dict[str, str]) -> None:
    """Mark each example ``dev`` or ``train`` by its article (``titles``: id → title), as
    ``dev_article`` says today."""
    for e in examples:
        e.split = "dev" if dev_article(titles[e.gold[0]]) else "train"


def _gold_index(example: Example) -> int | None:
    doc, start, end = example.gold
    for i, c in enumerate(example.candidates):
        if c["doc_id"] == doc and c["start"] <= start and end <= c["end"]:
            return i
    return None


def _loss(net, tokenizer, question: str, sentences: list[str], spans: list[tuple[int, int] | None],
          gold_row: int | None, max_length: int):
    """SQuAD 2.0 span loss on every row (no span: the first token), plus listwise loss."""
    import torch
    import torch.nn.functional as F

    from convqa.reader.spans import encode_pairs, token_span

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
    per_row = (F.cross_entropy(start_logits, torch.tensor(targets_s), reduction="none")
               + F.cross_entropy(end_logits, torch.tensor(targets_e), reduction="none")) / 2
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


def train(examples: list[Example], texts: dict[tuple, str], e5_dir: Path, options: TrainOptions):
    """Fine-tune a fresh reader on the ``train`` examples; returns the network."""
    import torch
    from transformers import AutoTokenizer

    from convqa.reader.model import FROZEN_PREFIXES, base_network

    torch.manual_seed(options.seed)
    rng = random.Random(options.seed)
    torch.set_num_threads(options.threads)
    tokenizer = AutoTokenizer.from_pretrained(str(e5_dir))
    net = base_network(e5_dir, options.layers).train()
    for name, param in net.named_parameters():
        param.requires_grad = not name.startswith(FROZEN_PREFIXES)
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=options.lr, weight_decay=0.01)
    pool = [e for e in examples if e.split == "train" and _gold_index(e) is not None]
    steps = len(pool) * options.epochs
    warmup = max(1, steps // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1 - s / max(1, steps)))
    from tqdm import tqdm

    bar = tqdm(total=steps, desc="training", unit="q", file=sys.stderr, mininterval=5)
    step, running = 0, 0.0
    for epoch in range(options.epochs):
        rng.shuffle(pool)
        for example in pool:
            gold = _gold_index(example)
            cands = example.candidates
            # Hard negatives: the best pre-ranked wrong sentences, plus one drawn at random.
            wrong = [i for i in range(len(cands)) if i != gold]
            chosen = wrong[: options.negatives - 1] + rng.sample(wrong[options.negatives - 1:], k=min(1, len(wrong[options.negatives - 1:])))
            rows = [gold] + chosen
            rng.shuffle(rows)
            doc, start, end = example.gold
            sentences, spans = [], []
            for i in rows:
                c = cands[i]
                sentences.append(texts[(c["doc_id"], c["start"], c["end"])])
                spans.append((start - c["start"], end - c["start"]) if i == gold else None)
            loss = _loss(net, tokenizer, example.question, sentences, spans, rows.index(gold), options.max_length)
            if example.held_out and step % options.unanswerable_every == 0:
                held = example.held_out[:3]
                loss = loss + _loss(net, tokenizer, example.question,
                                    [texts[(c["doc_id"], c["start"], c["end"])] for c in held],
                                    [None] * len(held), None, options.max_length)
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


def _read(net, tokenizer, question: str, cands: list[dict], texts: dict[tuple, str], options: TrainOptions):
    """(margins, spans) of the first READ_SENTENCES candidates."""
    import torch

    from convqa.answer.reader_step import READ_SENTENCES
    from convqa.reader.spans import best_spans, encode_pairs

    rows = cands[:READ_SENTENCES]
    sentences = [texts[(c["doc_id"], c["start"], c["end"])] for c in rows]
    if not sentences:
        return [], []
    enc = encode_pairs(tokenizer, question, sentences, options.max_length)
    with torch.inference_mode():
        s, e = net(enc.input_ids, enc.attention_mask)
    spans = best_spans(enc, s, e, sentences, 30)
    return [sp.margin for sp in spans], spans


def calibrate(net, examples: list[Example], texts: dict[tuple, str], e5_dir: Path, options: TrainOptions) -> dict:
    """Fit the reranking weight and the answerability calibration on ``dev`` questions."""
    from transformers import AutoTokenizer

    from convqa.evaluation.metrics import f1_score

    tokenizer = AutoTokenizer.from_pretrained(str(e5_dir))
    dev = [e for e in examples if e.split == "dev"]
    rows = []
    for e in dev:
        margins, spans = _read(net, tokenizer, e.question, e.candidates, texts, options)
        held, _ = _read(net, tokenizer, e.question, e.held_out, texts, options)
        rows.append((e, margins, spans, held))
    results = {}
    for weight in PRIOR_WEIGHTS:
        right = 0
        for e, margins, spans, _ in rows:
            if not margins:
                continue
            scores = [m + weight * c["prior"] for m, c in zip(margins, e.candidates)]
            top = max(range(len(scores)), key=scores.__getitem__)
            c = e.candidates[top]
            right += c["doc_id"] == e.gold[0] and c["start"] <= e.gold[1] and e.gold[2] <= c["end"]
        results[weight] = right / max(1, len(rows))
    weight = max(results, key=results.get)
    prior_first = sum(
        bool(e.candidates) and e.candidates[0]["doc_id"] == e.gold[0] and e.candidates[0]["start"] <= e.gold[1]
        and e.gold[2] <= e.candidates[0]["end"] for e, *_ in rows
    ) / max(1, len(rows))
    f1s, own_best, held_best = [], [], []
    for e, margins, spans, held in rows:
        if margins:
            scores = [m + weight * c["prior"] for m, c in zip(margins, e.candidates)]
            top = max(range(len(scores)), key=scores.__getitem__)
            c = e.candidates[top]
            text = texts[(c["doc_id"], c["start"], c["end"])][spans[top].start:spans[top].end]
            f1s.append(f1_score(text, _gold_text(e, texts)))
            own_best.append(margins[top])
        if held:
            held_best.append(max(held))
    own, held = np.array(own_best), np.array(held_best)
    # Threshold: abstain on at most 4% of ordinary dev questions; report what it does to held-out ones.
    threshold = float(np.quantile(own, 0.04)) if len(own) else 0.0
    scale = 1.0 / max(1e-3, float(np.std(np.concatenate([own, held]))) if len(held) else 1.0)
    return {
        "prior_weight": weight,
        "calib_a": scale,
        "calib_b": -scale * threshold,
        "dev_sentence_first": results[weight],
        "dev_prior_first": prior_first,
        "dev_sentence_first_by_weight": results,
        "dev_span_f1": float(np.mean(f1s)) if f1s else None,
        "dev_abstain_ordinary": float(np.mean(own < threshold)) if len(own) else None,
        "dev_abstain_held_out": float(np.mean(held < threshold)) if len(held) else None,
        "dev_questions": len(rows),
    }


def _gold_text(example: Example, texts: dict[tuple, str]) -> str:
    doc, start, end = example.gold
    for c in example.candidates:
        if c["doc_id"] == doc and c["start"] <= start and end <= c["end"]:
            return texts[(doc, c["start"], c["end"])][start - c["start"]:end - c["start"]]
    return ""


def train_reader(dataset: Path, out: Path, options: TrainOptions | None = None, work: Path | None = None) -> dict:
    """The whole command: candidates, training, calibration, weights written to ``out``."""
    import torch

    from convqa.model.e5_weights import materialize_e5
    from convqa.reader.model import ReaderConfig, file_sha256, save_reader

    options = options or TrainOptions()
    started = time.perf_counter()
    random.seed(options.seed)
    np.random.seed(options.seed)
    torch.manual_seed(options.seed)
    with tempfile.TemporaryDirectory(prefix="convqa-train-") as tmp:
        work = work or Path(tmp)
        cache = work / f"examples-{file_sha256(dataset)[:16]}-{options.limit_questions}.pkl"
        if cache.is_file():  # a kept work folder: the candidates of an earlier run
            examples, texts = pickle.loads(cache.read_bytes())
            # The dev share may have changed since the candidates were cached.
            from convqa.evaluation.dataset import load_squad

            _assign_dev(examples, {a.doc_id: a.title for a in load_squad(dataset).articles})
        else:
            examples, texts = build_examples(dataset, work, options.limit_questions)
            cache.write_bytes(pickle.dumps((examples, texts)))
        e5_dir = materialize_e5(work / "data" / "models" / "multilingual-e5-small")
        t_train = time.perf_counter()
        net = train(examples, texts, e5_dir, options)
        train_seconds = time.perf_counter() - t_train
        # Written before calibration too: a long run is never lost to a later error.
        save_reader(net, ReaderConfig(layers=options.layers, max_length=options.max_length, seed=options.seed), out)
        figures = calibrate(net, examples, texts, e5_dir, options)
        figures |= {"train_seconds": round(train_seconds, 1), "train_questions": sum(e.split == "train" for e in examples)}
        config = ReaderConfig(
            layers=options.layers, max_length=options.max_length, calib_a=figures["calib_a"], calib_b=figures["calib_b"],
            prior_weight=figures["prior_weight"], data_sha256=file_sha256(dataset), seed=options.seed,
            notes=json.dumps({"options": asdict(options), "dev": figures}, ensure_ascii=False),
        )
        save_reader(net, config, out)
        # Answerability through the real answer step, on the same index.
        from convqa.reader.calibrate import calibrate_reader

        figures["end_to_end"] = calibrate_reader(out, dataset, work)
    figures["total_seconds"] = round(time.perf_counter() - started, 1)
    from convqa.reader.model import read_config

    config = read_config(out)
    return {"config": asdict(config), "figures": figures}
