#!/usr/bin/env python3
"""How convqa's costs grow with the corpus: 1,000, 10,000 and 100,000 passages.

For each size, a corpus of French article files (Markdown with front matter) is made
from PIAF's Wikipedia paragraphs: each passage is a run of PIAF sentences recombined at
random (fixed seed), ten passages an article. Then, in one run:

- **base build, the cheap way (documented):** the files are read and chunked by the real
  loader and chunker (this also fills the chunk cache, as a first run would), the lexical
  rows are built by the real code (timed: the "first build of its lexical side"), and the
  records go into the real record manager. Only the *vectors* are not computed by the
  model, which would take hours on 2 cores: a pool of PIAF sentences is really encoded
  once, a sentence's vector is its pool vector (a passage's sentences are pool sentences),
  and a passage's vector is the normalised mean of its sentences' vectors. They are written
  straight into the two Chroma collections, the revision is marked, and the next real
  ``convqa index`` finds the corpus up to date.
- **measured through the real ``convqa index`` command, with the real model:** an
  unchanged re-run; adding one new article of about ten passages; removing it again.
- **an answering process** (a fresh Python process with an ``Assistant``, as the app
  holds): cold start up to the first answer, ask p50 / p95 against the same run's floor
  (the bare encoding of the same question by the model, interleaved with the asks), and
  its resident memory (RSS) at each stage.
- size on disk of the data directory.

Usage: ``nice -n 10 .venv/bin/python scripts/bench_scale.py [--sizes 1000 10000 100000]
[--work /tmp/convqa-scale] [--out docs/scale]``. Writes ``scale.json`` and ``scale.png``
into ``--out``, prints a table; ``--keep`` keeps the corpora and data under ``--work``,
``--append`` adds the sizes measured to those already in ``scale.json``. The summary
compares the largest size with the smallest of the same file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"
PASSAGES_PER_ARTICLE = 10
SEED = 12


#: The caller's settings that the started processes keep: which embedding model, and its cut.
KEPT_SETTINGS = ("CONVQA_MODEL", "CONVQA_EMBED_DIMS")


# -- the corpus -----------------------------------------------------------------------


def piaf_pool(path: Path) -> tuple[list[str], list[str], list[str]]:
    """PIAF's sentences (8–45 words, split by convqa's own splitter), titles and questions."""
    from convqa.corpus.sentences import sentence_spans

    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    sentences, titles, questions = [], [], []
    for article in data:
        titles.append(article["title"])
        for paragraph in article["paragraphs"]:
            text = paragraph["context"]
            for s, e in sentence_spans(text):
                if 8 <= len(text[s:e].split()) <= 45:
                    sentences.append(text[s:e])
            questions += [qa["question"] for qa in paragraph["qas"]]
    return sorted(set(sentences)), titles, questions


def article_text(rng: random.Random, number: int, pool: list[str], titles: list[str], prefix: str) -> str:
    """One article file: front matter, then ten paragraphs of 70–150 words of PIAF sentences."""
    paragraphs = []
    for _ in range(PASSAGES_PER_ARTICLE):
        words, picked = 0, []
        while words < 70:
            sentence = rng.choice(pool)
            if words + len(sentence.split()) > 150:
                continue
            picked.append(sentence)
            words += len(sentence.split())
        paragraphs.append(" ".join(picked))
    title = f"{rng.choice(titles)} : dossier {prefix}{number}"
    day = 1 + number % 28
    head = (
        f"---\nid: {prefix}-{number:06d}\ntitle: {json.dumps(title, ensure_ascii=False)}\nsource: https://example.org/{prefix}/{number}\n"
        f"date: 2024-{1 + number % 12:02d}-{day:02d}\nlang: fr\n---\n"
    )
    return head + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, passages: int, pool: list[str], titles: list[str]) -> int:
    """Write about ``passages`` passages as article files; the number of articles."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    articles = max(1, passages // PASSAGES_PER_ARTICLE)
    for n in range(articles):
        (folder / f"scale-{n:06d}.md").write_text(article_text(rng, n, pool, titles, "scale"), encoding="utf-8")
    return articles


def new_article(pool: list[str], titles: list[str], number: int) -> str:
    """The article the benchmark adds: the same text at every size."""
    return article_text(random.Random(1000 + number), number, pool, titles, "nouveau")


# -- the base build -------------------------------------------------------------------
def pool_vectors(work: Path, pool: list[str], settings) -> dict[str, list[float]]:
    """Real passage vectors of the pool's sentences (encoded once, cached under --work)."""
    import numpy as np

    cache = work / "pool-vectors.npy"
    if cache.exists():
        vectors = np.load(cache)
    else:
        from convqa.model.embedder import Embedder
        from convqa.model.spec import spec_for

        vectors = Embedder(spec_for(settings), settings.data_dir).encode_passages(pool)
        np.save(cache, vectors)
    return dict(zip(pool, vectors))


def base_build(settings, pool_vecs: dict) -> dict:
    """Fill every index for the corpus without the model computing vectors (see module doc)."""
    import numpy as np

    from convqa.index.builder import chunk_documents, record_manager
    from convqa.index.catalog import lexical_path
    from convqa.index.chunk_cache import load_chunked
    from convqa.index.lexical import LexicalIndex
    from convqa.index.lexical_rows import LexicalRows, fingerprint
    from convqa.index.sentences import SentenceIndex
    from convqa.index.vectors import VectorStore
    from convqa.model.embedder import LazyEmbedder
    from convqa.model.spec import spec_for

    timings: dict[str, float] = {}
    started = time.perf_counter()
    articles, _, _ = load_chunked(settings, lambda article: chunk_documents([article], settings))
    docs = [doc for article in articles for doc in article.docs]
    timings["read_and_chunk_s"] = time.perf_counter() - started

    dim = len(next(iter(pool_vecs.values())))
    embedder = LazyEmbedder(spec_for(settings), settings.data_dir)  # never loaded here: only its name
    store = VectorStore(settings, embedder)
    sentences = SentenceIndex(store.client, settings.collection, embedder)
    batch = min(5000, store.client.get_max_batch_size())
    started = time.perf_counter()
    sentence_rows: list[tuple[str, list[float], dict]] = []
    for i in range(0, len(docs), batch):
        part = docs[i : i + batch]
        vectors = []
        for doc in part:
            spans = json.loads(doc.metadata["sentences"])
            texts = [doc.page_content[s:e] for s, e in spans]
            found = [pool_vecs[t] for t in texts if t in pool_vecs] or [np.ones(dim, dtype=np.float32)]
            mean = np.mean(found, axis=0)
            mean = mean / np.linalg.norm(mean)
            vectors.append(mean.tolist())
            for n, text in enumerate(texts):
                vector = pool_vecs.get(text)
                sentence_rows.append(
                    (f"{doc.id}:{n}", (vector if vector is not None else mean).tolist(), {"chunk_id": doc.id, "n": n})
                )
        store.collection.upsert(
            ids=[d.id for d in part],
            embeddings=vectors,
            documents=[d.page_content for d in part],
            metadatas=[d.metadata for d in part],
        )
    for i in range(0, len(sentence_rows), batch):
        part = sentence_rows[i : i + batch]
        sentences.collection.upsert(
            ids=[r[0] for r in part], embeddings=[r[1] for r in part], metadatas=[r[2] for r in part]
        )
    timings["write_vectors_s"] = time.perf_counter() - started

    started = time.perf_counter()
    manager = record_manager(settings)
    for i in range(0, len(docs), 1000):
        part = docs[i : i + 1000]
        manager.update([d.id for d in part], group_ids=[d.metadata["doc_id"] for d in part])
    timings["records_s"] = time.perf_counter() - started

    # The lexical side's first build, by the real code: analysis, rows, then BM25 in memory.
    started = time.perf_counter()
    rows = LexicalRows(lexical_path(settings))
    known = {d.id: (d.page_content, d.metadata) for d in docs}
    rows.sync(known, lambda ids: [(i, *known[i]) for i in ids])
    LexicalIndex.from_rows(rows.read())
    timings["lexical_first_build_s"] = time.perf_counter() - started
    store.mark_revision(fingerprint(list(known)))
    return {
        "articles": len(articles),
        "passages": len(docs),
        "sentences": len(sentence_rows),
        **{k: round(v, 2) for k, v in timings.items()},
    }


# -- measured operations ---------------------------------------------------------------
def convqa_index(env: dict[str, str]) -> dict:
    """Run ``convqa index --json``: its wall seconds (process included) and its report."""
    script = Path(sys.executable).with_name("convqa")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "convqa.cli"]
    started = time.perf_counter()
    done = subprocess.run([*command, "index", "--json"], capture_output=True, text=True, env=env, timeout=3600)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"convqa index failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "wall_s": round(wall, 2),
        "run_s": report["seconds"],
        "added": report["added"],
        "deleted": report["deleted"],
        "skipped": report["skipped"],
    }


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (MB), or its high-water mark with ``"VmHWM"``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def probe(spawned: float, questions: list[str]) -> None:
    """The answering process: prints its cold start, ask and floor times, and RSS, as JSON."""

    def peak_mb() -> float:
        # VmHWM, not getrusage's ru_maxrss: Linux carries the high-water mark of the image
        # an exec replaces into ru_maxrss, and subprocess starts this probe by vfork + exec
        # from the benchmark process, so ru_maxrss reported the benchmark's own memory
        # (7.95 GB at 100,000 passages; at 10,000, 1,742 MB against 1,103 MB from a shell).
        return rss_mb("VmHWM")

    memory = {"python": rss_mb()}
    from convqa.assistant import Assistant
    from convqa.settings import Settings

    assistant = Assistant(Settings())
    memory["model_and_store"], memory["model_and_store_peak"] = rss_mb(), peak_mb()
    assistant.lexical  # noqa: B018  (loads the lexical index: its own line in the memory figures)
    memory["lexical"], memory["lexical_peak"] = rss_mb(), peak_mb()
    assistant.ask(questions[0])
    cold = time.time() - spawned
    memory["first_answer"], memory["first_answer_peak"] = rss_mb(), peak_mb()
    asks, floors = [], []
    for question in questions[1:] * 2:
        started = time.perf_counter()
        assistant.embedder.encode_queries([question])
        floors.append(time.perf_counter() - started)
        started = time.perf_counter()
        assistant.ask(question)
        asks.append(time.perf_counter() - started)
    memory["after_asks"] = rss_mb()
    memory["peak"] = peak_mb()
    print(
        json.dumps(
            {
                "cold_start_s": cold,
                "ask_ms": [a * 1e3 for a in asks],
                "floor_ms": [f * 1e3 for f in floors],
                "rss_mb": memory,
                "lexical_chunks": len(assistant.lexical),
            }
        )
    )


def measure_answers(env: dict[str, str], questions: list[str]) -> dict:
    """Start the answering process and summarise what it measured."""
    done = subprocess.run(
        [sys.executable, __file__, "probe", str(time.time()), json.dumps(questions)],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"probe failed:\n{done.stderr[-3000:]}")
    got = json.loads(done.stdout.strip().splitlines()[-1])

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]

    ask50, floor50 = statistics.median(got["ask_ms"]), statistics.median(got["floor_ms"])
    return {
        "cold_start_s": round(got["cold_start_s"], 2),
        "ask_p50_ms": round(ask50, 1),
        "ask_p95_ms": round(pct(got["ask_ms"], 95), 1),
        "floor_p50_ms": round(floor50, 1),
        "ask_over_floor": round(ask50 / floor50, 2),
        "rss_mb": {k: round(v) for k, v in got["rss_mb"].items()},
        "lexical_chunks": got["lexical_chunks"],
    }


def disk_mb(folder: Path) -> dict[str, float]:
    """Size on disk of each part of the data directory (MB)."""

    def size(path: Path) -> float:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        return sum(p.stat().st_blocks * 512 for p in files) / 1e6

    parts = {p.name: round(size(p), 1) for p in folder.iterdir() if p.name != "models"}
    return {"total": round(sum(parts.values()), 1), **parts}


def run_size(passages: int, work: Path, pool: list[str], titles: list[str], questions: list[str], repeats: int) -> dict:
    """Build one corpus size and measure it."""
    from convqa.settings import Settings

    folder = work / str(passages)
    shutil.rmtree(folder, ignore_errors=True)
    corpus, data = folder / "corpus", folder / "data"
    write_corpus(corpus, passages, pool, titles)
    # The converted model is shared between sizes: converting it is not what is measured.
    data.mkdir(parents=True)
    models = work / "models"
    settings = Settings(corpus_dir=corpus, data_dir=data)
    vectors = pool_vectors(work, pool, Settings(corpus_dir=corpus, data_dir=work))
    # With a cached pool-vectors.npy nothing was encoded yet, so the folder may not exist:
    # a dangling link would make the first index run fail to create it.
    models.mkdir(exist_ok=True)
    (data / "models").symlink_to(models)
    row: dict = {"size": passages, "build": base_build(settings, vectors)}
    print(f"[{passages}] base build {row['build']}", file=sys.stderr, flush=True)

    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQA_") or k in KEPT_SETTINGS}
    env |= {"HF_HUB_OFFLINE": "1", "CONVQA_DATA_DIR": str(data), "CONVQA_CORPUS_DIR": str(corpus)}
    unchanged = [convqa_index(env) for _ in range(repeats)]
    added, removed = [], []
    for n in range(repeats):
        path = corpus / f"nouveau-{n}.md"
        path.write_text(new_article(pool, titles, n), encoding="utf-8")
        added.append(convqa_index(env))
        path.unlink()
        removed.append(convqa_index(env))
    row["unchanged"] = unchanged
    row["add_one"] = added
    row["remove_one"] = removed
    row["answers"] = measure_answers(env, questions)
    row["disk_mb"] = disk_mb(data)
    print(f"[{passages}] {json.dumps(row)}", file=sys.stderr, flush=True)
    return row


def median_of(runs: list[dict], key: str = "wall_s") -> float:
    """Median of one figure over repeated runs."""
    return round(statistics.median(r[key] for r in runs), 2)


def summary(rows: list[dict]) -> dict:
    """The acceptance ratios, the largest size against the smallest."""
    small, large = rows[0], rows[-1]
    lexical = large["build"]["lexical_first_build_s"]
    return {
        "add_one_large_over_small": round(median_of(large["add_one"]) / median_of(small["add_one"]), 2),
        "unchanged_large_s": median_of(large["unchanged"]),
        "unchanged_large_over_lexical_first_build": round(median_of(large["unchanged"]) / lexical, 3),
        "ask_over_floor_large_over_small": round(
            large["answers"]["ask_over_floor"] / small["answers"]["ask_over_floor"], 2
        ),
        "rss_large_mb": large["answers"]["rss_mb"]["peak"],
    }


def table(rows: list[dict]) -> str:
    """The figures as a Markdown table."""
    head = [
        "passages",
        "add one article (s)",
        "unchanged re-run (s)",
        "remove one article (s)",
        "lexical first build (s)",
        "ask p50 / p95 (ms)",
        "floor p50 (ms)",
        "ask / floor",
        "cold start (s)",
        "RSS peak (MB)",
        "disk (MB)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        a = r["answers"]
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{r['build']['passages']:,}",
                    f"{median_of(r['add_one'])}",
                    f"{median_of(r['unchanged'])}",
                    f"{median_of(r['remove_one'])}",
                    f"{r['build']['lexical_first_build_s']}",
                    f"{a['ask_p50_ms']} / {a['ask_p95_ms']}",
                    f"{a['floor_p50_ms']}",
                    f"{a['ask_over_floor']}×",
                    f"{a['cold_start_s']}",
                    f"{a['rss_mb']['peak']:,}",
                    f"{r['disk_mb']['total']:,}",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    """Seconds of each operation and ask/floor against corpus size (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["build"]["passages"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for label, key in [
        ("add one article", "add_one"),
        ("unchanged re-run", "unchanged"),
        ("remove one article", "remove_one"),
    ]:
        left.plot(sizes, [median_of(r[key]) for r in rows], marker="o", label=label)
    left.plot(
        sizes,
        [r["build"]["lexical_first_build_s"] for r in rows],
        marker="s",
        linestyle="--",
        label="lexical side, first build",
    )
    left.plot(sizes, [r["answers"]["cold_start_s"] for r in rows], marker="^", label="cold start to first answer")
    left.set(xscale="log", yscale="log", xlabel="passages", ylabel="seconds (convqa index, wall)")
    left.legend(fontsize=8)
    right.plot(sizes, [r["answers"]["ask_over_floor"] for r in rows], marker="o", label="ask p50 / floor p50")
    right.plot(sizes, [r["answers"]["rss_mb"]["peak"] / 1000 for r in rows], marker="s", label="RSS peak (GB)")
    right.set(xscale="log", xlabel="passages", ylim=(0, None))
    right.legend(fontsize=8)
    fig.suptitle("convqa at scale (2 cores, one run)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "probe":
        probe(float(sys.argv[2]), json.loads(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="passages per corpus")
    parser.add_argument("--work", type=Path, default=Path("/tmp/convqa-scale"), help="corpora and data (not kept)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "scale", help="where scale.json and scale.png go")
    parser.add_argument("--questions", type=int, default=40, help="PIAF questions asked per size")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each index operation (medians)")
    parser.add_argument("--keep", action="store_true", help="keep the corpora and data under --work")
    parser.add_argument(
        "--append",
        action="store_true",
        help="add these sizes to the rows already in --out/scale.json (other sizes kept)",
    )
    options = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"

    options.work.mkdir(parents=True, exist_ok=True)
    pool, titles, all_questions = piaf_pool(PIAF)
    questions = random.Random(SEED).sample(all_questions, options.questions + 1)
    rows = []
    if options.append and (options.out / "scale.json").exists():
        rows = [
            r for r in json.loads((options.out / "scale.json").read_text())["rows"] if r["size"] not in options.sizes
        ]
    for size in sorted(options.sizes):
        rows.append(run_size(size, options.work, pool, titles, questions, options.repeats))
        rows.sort(key=lambda r: r["size"])
        options.out.mkdir(parents=True, exist_ok=True)  # written after each size: a cut run keeps what ran
        result = {
            "cores": os.cpu_count(),
            "pool_sentences": len(pool),
            "rows": rows,
            "summary": summary(rows) if len(rows) > 1 else {},
        }
        (options.out / "scale.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        plot(rows, options.out / "scale.png")
        print(table(rows), flush=True)
        if not options.keep:
            shutil.rmtree(options.work / str(size), ignore_errors=True)
    print(json.dumps(result["summary"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
