"""The catalogue spreadsheet: its format, reading and writing it, and the one writer behind every import.

See ``docs/catalogue-format.md`` for the format as archivists use it.
"""
