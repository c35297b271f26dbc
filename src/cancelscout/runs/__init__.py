"""runs/: the kinds of recorded run (locate, discovery, capture, login, learn, demo) on one
skeleton (``base.py``). The only room that composes browser/ + integrity/ + analysis/."""
