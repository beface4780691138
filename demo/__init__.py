"""Synthetic demo data across the apps; it sits above them all so that no app imports another above it."""
