"""Exports (the Excel board pack, CSV): they render the engine's Results and never compute statistics. Qt-free."""
