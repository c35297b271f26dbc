"""browser/: everything that touches a live Playwright page or browser — launch and contexts,
locators, the click guard and domain policy, candidates, page signals, snapshots, printing.
Never imports runs/, integrity/, output/ or cli/."""
