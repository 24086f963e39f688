"""Step 2 of the data path: chunks → dense vectors (Chroma) + lexical index (BM25)."""
