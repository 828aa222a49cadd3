"""Channel 4 of intake: the REST API for partner systems (see views.py)."""
