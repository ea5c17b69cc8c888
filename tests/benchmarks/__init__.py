"""
Benchmarks: tls_requests against peer HTTP clients, on loopback servers the harness starts.

Run with `python -m tests.benchmarks` (see docs/benchmarks.md). Nothing here is collected by
pytest: no module is named test_*.py, and speed never belongs in a unit test.
"""
