"""The evidence bundle: artifacts, the step log, the manifest and the report."""
