"""The inputs of the reader's answerability combiner, in the order its weights are stored.

Runtime (``answer/reader_step.py``) and training (``convqa.training.calibrate``) both read
this tuple; it lives here, free of torch, so the answer step imports it at the top.
"""

from __future__ import annotations

#: Names of the combiner's inputs, in order (see ``reader_step.answer_features``).
FEATURES = ("margin", "prior", "dense", "cosine")
