"""Benchmarks of the grader, each reported as a ratio to a baseline measured in the same run."""
