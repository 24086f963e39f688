"""The trained reader: scores candidate answer sentences, finds the answer span in them,
and says how likely it is that they answer the question at all.

``model``   the network (the bundled multilingual-e5-small's first layers + a span head),
            saved and loaded with a sha256 check;
``spans``   turning (question, sentence) pairs into model inputs and logits into spans;
``features`` the inputs of the answerability combiner, in the order of its weights.

Training (``convqa train-reader``, PIAF ``tune`` split only) lives in ``convqa.training``.
"""
