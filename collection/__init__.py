"""A multilingual archival digital-collection app for Django."""
