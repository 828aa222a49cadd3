"""Channel 1: the public web form at /apply/ and the status look-up at /status/.

No log-in. Everything a requester sends goes through intake.services.request_create,
like every other channel; this package only adds what the public needs around it.
"""
