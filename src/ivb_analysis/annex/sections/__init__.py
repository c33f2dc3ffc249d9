"""One module per section of the annex, each with `build(context) -> Section | None`."""
