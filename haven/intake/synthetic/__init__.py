"""Synthetic requests that look like the real 2021 intake, with the truth about who is who.

No real person is in here: names are drawn from tables of common names and put
together at random, identifiers are random digits, e-mail domains are reserved
`.example` names.

    batch = list(generate(requests=250, seed=7))
    requests_create_many(entries=[
        NewRequest(data=r.data, raw_input=r.raw_input, received_at=r.received_at)
        for r in batch
    ])
"""

from .csvio import RESOLVE_FILE_HEADER, TRUTH_FILE_HEADER, truth_rows, write_records_csv
from .generator import SyntheticRequest, generate

__all__ = [
    "RESOLVE_FILE_HEADER",
    "TRUTH_FILE_HEADER",
    "SyntheticRequest",
    "generate",
    "truth_rows",
    "write_records_csv",
]
