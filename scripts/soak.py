#!/usr/bin/env python
"""Soak run: concurrent gradio_client users against the real app while articles come and go.

Starts ``python app.py`` on a free loopback port over a copy of ``corpus/`` (plus, with
``--synthetic N``, N passages of real French text recombined from PIAF into article
files), then for ``--duration`` seconds:

- ``--users`` users each ask the seed article's questions one after another and check
  the answer (its fact, and every citation's quote at its offsets);
- a librarian adds an article (``/add_article``), asks about it, and removes it again
  (``/remove_article``), over and over.

It reports the requests, the failed ones (an error, a timeout or a citation whose quote
is not at its offsets: must be 0), the answers that lack the expected fact (counted
apart: a retrieval miss is not a failed request), requests per second, p50 / p95 latency
and the app's resident memory at the start, the end, its peak and every 30 s, as a line
and as JSON (``--json FILE``). Exit code 1 when any request failed.

    .venv/bin/python scripts/soak.py                      # 16 users, 600 s, the seed corpus
    .venv/bin/python scripts/soak.py --duration 60 --synthetic 300 --json soak.json
    .venv/bin/python scripts/soak.py --scale 10000 --json soak.json   # the 10,000-passage corpus
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIAF = ROOT.parent / "shared" / "eval" / "piaf-v1.0.json"

#: (question, a fact the answer must contain), all about the seed article.
QUESTIONS = [
    ("Quel organisme dirige Ghada Waly ?", "ONUDC"),
    ("Which country's vice-president spoke for the heads of delegation?", "Équateur"),
    ("Combien de pays et d'organisations internationales étaient représentés à la cérémonie ?", "110 pays"),
    ("Que demande le Vietnam aux pays à propos de la Convention ?", "ratifier"),
    ("What did UNODC consider creating in Hanoi?", "centre régional"),
    ("Qui est le ministre de la Sécurité publique ?", "Luong Tam Quang"),
]


@dataclass
class Figures:
    """What the soak measured."""

    users: int
    seconds: float
    passages_synthetic: int
    passages_scale: int = 0
    requests: int = 0
    failed: int = 0
    wrong_answers: int = 0
    requests_per_s: float = 0.0
    p50_s: float = 0.0
    p95_s: float = 0.0
    articles_added: int = 0
    articles_removed: int = 0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_timeline_mb: list[float] = field(default_factory=list)
    rss_growth_second_half_mb_per_10min: float = 0.0
    failures: list[str] = field(default_factory=list)
    wrong: dict[str, int] = field(default_factory=dict)


#: The caller's settings that the started processes keep: which embedding model, and its cut.
KEPT_SETTINGS = ("CONVQA_MODEL", "CONVQA_EMBED_DIMS")


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def second_half_growth(timeline: list[float], end: float, seconds: float) -> float:
    """How fast RSS still grew over the run's second half, in MB per 10 minutes: memory that
    levels off tends to 0, a leak keeps its slope. ``timeline`` is sampled every 30 s."""
    samples = timeline + [end]
    if len(samples) < 3:
        return 0.0
    middle = len(samples) // 2
    span = seconds * (len(samples) - 1 - middle) / (len(samples) - 1)
    return round((samples[-1] - samples[middle]) * 600 / span, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def synthetic_articles(folder: Path, passages: int, seed: int = 0) -> int:
    """Write ``passages`` paragraphs of real French text (PIAF contexts, sentences recombined) as articles.

    Ten paragraphs an article; each paragraph joins sentences of two PIAF contexts, so the
    text is French as written but no paragraph is a PIAF one. Returns the articles written.
    """
    if passages <= 0:
        return 0
    data = json.loads(PIAF.read_text(encoding="utf-8"))
    contexts = [p["context"] for a in data["data"] for p in a["paragraphs"]]
    rng = random.Random(seed)
    written = 0
    for start in range(0, passages, 10):
        paragraphs = []
        for _ in range(min(10, passages - start)):
            a, b = rng.sample(contexts, 2)
            sentences = [s.strip() + "." for s in (a + " " + b).split(". ") if len(s.split()) > 4]
            paragraphs.append(" ".join(rng.sample(sentences, min(len(sentences), 5))))
        title = f"Chronique numéro {written + 1}"
        front = f"---\ntitle: {title}\nsource: https://example.org/chronique-{written + 1}\ndate: 2024-01-01\nlang: fr\n---\n"
        (folder / f"chronique-{written + 1:05d}.md").write_text(
            front + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )
        written += 1
    return written


def scale_build(work: Path, passages: int, pool_vectors: Path | None) -> None:
    """``passages`` passages of recombined PIAF sentences in ``work/corpus``, indexed in ``work/data``.

    scripts/bench_scale.py's builder: real chunking, records and lexical rows; vectors from
    really-encoded pool sentences instead of an hours-long embedding of every passage.
    """
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_scale

    from convqa.settings import Settings

    pool, titles, _ = bench_scale.piaf_pool(bench_scale.PIAF)
    bench_scale.write_corpus(work / "corpus", passages, pool, titles)
    if pool_vectors is not None:
        shutil.copy(pool_vectors, work / "pool-vectors.npy")
    vectors = bench_scale.pool_vectors(work, pool, Settings(corpus_dir=work / "corpus", data_dir=work / "data"))
    print(
        json.dumps(bench_scale.base_build(Settings(corpus_dir=work / "corpus", data_dir=work / "data"), vectors)),
        file=sys.stderr,
        flush=True,
    )


def start_app(work: Path, chroma_url: str | None) -> tuple[subprocess.Popen, str]:
    """``python app.py`` over ``work/corpus``, waited for until its page answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVQA_") or k in KEPT_SETTINGS}
    env |= {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONUNBUFFERED": "1",
        "GRADIO_TEMP_DIR": str(work / "gradio-tmp"),
        "CONVQA_CORPUS_DIR": str(work / "corpus"),
        "CONVQA_DATA_DIR": str(work / "data"),
    }
    if chroma_url:
        env |= {"CONVQA_CHROMA_URL": chroma_url, "CONVQA_COLLECTION": f"soak{os.getpid()}"}
    log = open(work / "app.log", "wb")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 3600  # a first build of a large synthetic corpus embeds everything
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the app exited with {process.returncode}; see {work / 'app.log'}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return process, url
        except OSError:
            time.sleep(1)
    process.kill()
    raise SystemExit("the app did not start in time")


class WrongAnswer(AssertionError):
    """The answer came, with exact citations, but without the expected fact."""


def check_answer(answer: dict, fact: str) -> None:
    """Every citation's quote is where its offsets say (else AssertionError), and the fact is in the answer (else WrongAnswer)."""
    for c in answer["citations"]:
        if c["text"][c["quote_start"] - c["start"] : c["quote_end"] - c["start"]] != c["quote"]:
            raise AssertionError(f"citation [{c['n']}] quote is not at its offsets")
    if fact not in answer["answer"]:
        raise WrongAnswer(f"{fact!r} not in {answer['answer'][:120]!r}")


def soak(url: str, pid: int, users: int, duration: float, figures: Figures) -> None:
    """Run the users and the librarian for ``duration`` seconds; fill ``figures``."""
    from gradio_client import Client

    lock = threading.Lock()
    latencies: list[float] = []
    stop_at = time.monotonic() + duration

    def fail(message: str) -> None:
        with lock:
            figures.failed += 1
            if len(figures.failures) < 20:
                figures.failures.append(message)

    def timed(client: Client, fact: str, **kwargs) -> None:
        started = time.perf_counter()
        try:
            answer = client.submit(api_name="/ask", **kwargs).result(timeout=300)
            elapsed = time.perf_counter() - started
            check_answer(answer, fact)
        except WrongAnswer:  # answered, exactly cited, but not the fact: counted per question
            with lock:
                latencies.append(elapsed)
                figures.wrong_answers += 1
                question = str(kwargs.get("question"))
                figures.wrong[question] = figures.wrong.get(question, 0) + 1
        except Exception as exc:  # every failure counts, and the first ones are kept
            fail(f"{kwargs.get('question')!r}: {str(exc)[:200]}")
        else:
            with lock:
                latencies.append(elapsed)

    def user(i: int) -> None:
        client = Client(url, verbose=False)
        n = i
        while time.monotonic() < stop_at:
            question, fact = QUESTIONS[n % len(QUESTIONS)]
            timed(client, fact, question=question)
            n += 1

    def librarian() -> None:
        client = Client(url, verbose=False)
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            place = f"Quai{n:04d}"
            text = (
                f"Le port de {place} a ouvert un centre de réponse aux cyberattaques.\n\n"
                f"Le centre du port de {place} compte {n + 10} analystes de garde jour et nuit."
            )
            try:
                report = client.predict(
                    title=f"Le port de {place} ouvre un centre de réponse",
                    source=f"https://example.org/{place}",
                    text=text,
                    api_name="/add_article",
                )
                if not report["ok"]:
                    raise AssertionError(report["message"])
                doc_id = report["saved"][0]["doc_id"]
                with lock:
                    figures.articles_added += 1
                timed(
                    client, f"{n + 10} analystes", question=f"Combien d'analystes compte le centre du port de {place} ?"
                )
                report = client.predict(doc_id=doc_id, api_name="/remove_article")
                if not report["ok"]:
                    raise AssertionError(report["message"])
                with lock:
                    figures.articles_removed += 1
            except Exception as exc:
                fail(f"librarian {place}: {str(exc)[:200]}")

    def sample_rss() -> None:
        samples = 0
        while time.monotonic() < stop_at:
            now = rss_mb(pid)
            with lock:
                figures.rss_peak_mb = max(figures.rss_peak_mb, now)
                if samples % 15 == 0:  # every 30 s: does memory level off?
                    figures.rss_timeline_mb.append(round(now, 1))
            samples += 1
            time.sleep(2)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    threads += [threading.Thread(target=librarian), threading.Thread(target=sample_rss)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    figures.requests = len(latencies) + figures.failed
    figures.requests_per_s = round(figures.requests / elapsed, 2)
    if latencies:
        ordered = sorted(latencies)
        figures.p50_s = round(statistics.median(ordered), 3)
        figures.p95_s = round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16, help="concurrent gradio_client users (default 16)")
    parser.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    parser.add_argument(
        "--synthetic", type=int, default=0, help="synthetic passages added to the seed corpus (default 0)"
    )
    parser.add_argument(
        "--corpus", type=Path, default=None, help="an articles folder to use instead of the seed corpus"
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also N passages from scripts/bench_scale.py's corpus builder, indexed its cheap way "
        "(pool vectors); the seed article is then indexed by the app with the model (default 0)",
    )
    parser.add_argument(
        "--pool-vectors",
        type=Path,
        default=None,
        help="bench_scale's pool-vectors.npy to reuse with --scale (else encoded once)",
    )
    parser.add_argument(
        "--chroma-url", default=None, help="run the app on this Chroma server (default: embedded store)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="convqa-soak-"))
    process = None
    try:
        if args.scale:
            print(f"building {args.scale} passages the bench_scale way…", file=sys.stderr, flush=True)
            scale_build(work, args.scale, args.pool_vectors)
            shutil.copytree(args.corpus or ROOT / "corpus", work / "corpus", dirs_exist_ok=True)
        else:
            shutil.copytree(args.corpus or ROOT / "corpus", work / "corpus")
        synthetic_articles(work / "corpus", args.synthetic)
        process, url = start_app(work, args.chroma_url)
        from gradio_client import Client

        # The first answer loads what answering needs: RSS is measured from there.
        check_answer(Client(url, verbose=False).predict(question=QUESTIONS[0][0], api_name="/ask"), QUESTIONS[0][1])
        figures = Figures(
            users=args.users, seconds=args.duration, passages_synthetic=args.synthetic, passages_scale=args.scale
        )
        figures.rss_start_mb = figures.rss_peak_mb = round(rss_mb(process.pid), 1)
        soak(url, process.pid, args.users, args.duration, figures)
        figures.rss_end_mb = round(rss_mb(process.pid), 1)
        figures.rss_peak_mb = round(max(figures.rss_peak_mb, figures.rss_end_mb), 1)
        figures.rss_growth_second_half_mb_per_10min = second_half_growth(
            figures.rss_timeline_mb, figures.rss_end_mb, args.duration
        )
        if process.poll() is not None:
            figures.failed += 1
            figures.failures.append(f"the app exited with {process.returncode}")
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)

    data = asdict(figures)
    if args.json:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"{figures.users} users, {figures.seconds:.0f} s, {figures.passages_synthetic + figures.passages_scale} "
        "synthetic passages: "
        f"{figures.requests} requests, {figures.failed} failed, {figures.wrong_answers} without the expected fact, "
        f"{figures.requests_per_s} req/s, "
        f"p50 {figures.p50_s} s, p95 {figures.p95_s} s, articles added {figures.articles_added} / removed "
        f"{figures.articles_removed}, RSS {figures.rss_start_mb:.0f} → {figures.rss_end_mb:.0f} MB "
        f"(peak {figures.rss_peak_mb:.0f}; second half {figures.rss_growth_second_half_mb_per_10min:+.0f} MB / 10 min)"
    )
    for failure in figures.failures:
        print(f"failed: {failure}", file=sys.stderr)
    for question, count in figures.wrong.items():
        print(f"without the expected fact: {count} × {question}", file=sys.stderr)
    print(json.dumps(data, ensure_ascii=False))
    return 1 if figures.failed else 0


if __name__ == "__main__":
    sys.exit(main())
