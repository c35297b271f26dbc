"""integrity/: the evidence bundle — layout, hash chain, manifest reading, verify, signing,
trusted time, trace sanitising. Never imports Playwright, browser/ or runs/."""
