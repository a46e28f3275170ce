"""Exploring a built graph: lookup, visualisation, statistics, display."""
