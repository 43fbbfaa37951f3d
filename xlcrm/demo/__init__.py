"""Built-in sample data: realistic exports with their quirks and the clean facts behind them,
for the demo, the tests and the benchmarks."""
