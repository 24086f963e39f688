"""Step 1 of the data path: articles on disk → clean text with metadata → chunks."""
