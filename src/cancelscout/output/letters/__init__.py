"""Draft the written request to the platform and the 12315 complaint from evidence bundles."""
