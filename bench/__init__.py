"""Benchmarks: `python -m bench` (see README). Figures are ratios against a baseline measured in
the same run, because absolute numbers say more about the machine than about the bot."""
