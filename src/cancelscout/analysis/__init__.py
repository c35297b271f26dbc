"""analysis/: pure functions on text and numbers — clauses, promises, orders, auto-renew
status, PII, friction, scoring, the click-safety rules. Never imports Playwright."""
