"""Importing catalogue spreadsheets: previews, confirmation, background jobs, derived forms afterwards."""
