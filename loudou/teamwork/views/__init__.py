"""Team-work pages, one module per area: parse → access → service → render."""
