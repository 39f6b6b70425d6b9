"""For trainers: session packs (``kyodo pack``, the "Prepare a session" tab) and batch Q&A."""
