"""Benchmarks: each reports CitySOC against a ceiling measured in the same run."""
