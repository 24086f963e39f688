"""Everything that trains: the reader and its calibration (``convqa train-reader``).

``examples``   tune questions with the candidates the assistant would show the reader;
``reader``     the training loop and the whole command;
``rerank``     the reranking weight and the margin's calibration, fitted on dev;
``calibrate``  the answerability combiner, fitted end to end through the answer step.

Runtime code (the answer step, the pipeline, the assistant, the web app) never imports
this package: it reads what training wrote (``convqa.reader``).
"""
