"""output/: what people read — the report, letters, the terminal summary, i18n, templates.
Renders from results and bundles; never drives a browser."""
