"""Spreadsheet and e-mail import: channels 2 and 3 of intake.

Every row and message goes through intake.services.request_create, like every other
channel. What this package adds is reading files safely and in bounded memory,
recognising columns, a dry run, and a record of what became of every row.
"""
