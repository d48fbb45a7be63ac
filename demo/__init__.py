"""The demo of SPEC §10 (`manage.py seed_demo`), above the other apps: built with their services."""
