"""Sigma detections: load and validate rules, compile them per engine, run them incrementally."""
