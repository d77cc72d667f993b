"""The province-scale benchmark of cogov: ``python -m benchmarks`` (see docs/benchmarks.md)."""
