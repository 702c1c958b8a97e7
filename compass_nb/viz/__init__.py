"""Charts: one module per domain, one function per chart, data first, returning the Axes."""
