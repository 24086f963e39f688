"""Step 4 of the data path: passages → a short answer with numbered, exact citations."""
