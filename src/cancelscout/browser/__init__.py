"""browser/: everything that touches a live Playwright page or browser — launch and contexts,
the action choke point, the click guard and network policy, locators, candidates, page
signals, snapshots, printing.
Never imports runs/, integrity/, output/ or cli/."""
