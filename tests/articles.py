"""Short articles the index tests add to a corpus (front matter and two paragraphs)."""

KAHONE = """---
title: Le Sénégal inaugure une centrale solaire à Kahone
date: 2025-11-02
---
Le président sénégalais a inauguré samedi une centrale solaire de 45 mégawatts à Kahone, près de Kaolack.

La centrale alimentera environ 100 000 foyers et réduira les importations de fioul du pays.
"""
