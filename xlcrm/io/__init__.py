"""The shells that touch files: reading inputs, writing outputs."""
