"""Generated order pages (issue 12's yardstick for order extraction).

``build(seed, folder)`` writes one shop's orders page, in one of many layouts, languages and
formats, with the page furniture real shops put around it (menus, goods on offer with prices,
totals, pagination), and returns the orders a person reads on it. Seeds 0–99 are the tuning
split; seeds 1000–1099 the held-out split, fixed before any tuning and printed as totals only
(``benchmarks/order_pages.py``).
"""

from tests.ordergen.build import TrueOrder, build, describe

__all__ = ["TrueOrder", "build", "describe"]
