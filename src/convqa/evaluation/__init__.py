"""Measure convqa on a SQuAD-format dataset (PIAF): retrieval, quotes, answers, speed.

``convqa eval --dataset piaf-v1.0.json`` writes the dataset's articles as a corpus,
indexes it through the normal path, asks every question, runs the baselines and writes
metrics.json, report.md and a chart. Modules, in the order the data flows:
``dataset`` (SQuAD → articles and gold offsets), ``baselines`` (BM25, dense, plain
LangChain), ``metrics`` (offset-based hits, answer matching, timing), ``report``
(table, JSON, Markdown, PNG) and ``run`` (orchestration).
"""
