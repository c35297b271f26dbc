"""cancelscout: locate and prove the hidden cancel / auto-renew entry of membership sites."""

__version__ = "0.1.0"
