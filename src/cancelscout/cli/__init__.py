"""cli/: the command line — parses arguments, composes runs, prints. Nothing imports it."""
