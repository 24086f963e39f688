"""Step 3 of the data path: a question → the passages most likely to answer it."""
