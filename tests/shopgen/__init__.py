"""Generated shops: many fixture sites composed from independent parts, one per seed.

Parts drawn per seed: wording family (简体 / 繁體 / English), the way into the account area
(a text link, the user's avatar and name opening a menu on click or on hover, an icon with a
tooltip, a ☰ drawer), the way to the membership page (sidebar, tabs, a card with a generic
"manage" link), where the entry sits (a plain button, a generic "turn off" inside a card
opened by "manage", a generic control in a labelled row, an unlabelled switch named by its
row, or nowhere), late rendering (delay, custom element with shadow root, fetch), a blocking
notice, decoys (help article, agreement, promos, cancel-order, a VIP purchase page) and a
catalogue with cyclic links.

Seeds 0-99 are for tuning; seeds 1000-1199 are the held-out split, only ever reported on.
"""

from tests.shopgen.build import Shop, generate

TUNE_SEEDS = range(0, 100)
HELD_OUT_SEEDS = range(1000, 1200)

__all__ = ["HELD_OUT_SEEDS", "TUNE_SEEDS", "Shop", "generate"]
