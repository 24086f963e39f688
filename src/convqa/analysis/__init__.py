"""French analysis: passages parsed at index time, questions read by rules at question time."""
