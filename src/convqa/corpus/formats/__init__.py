"""Article formats: one parser a format (bytes to title, body, metadata) and their registry."""
