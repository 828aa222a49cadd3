"""Haven's settings plus the benchmark's URLs (the API and the one-insert ceiling view)."""

from haven.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake_api.urls"
DEBUG = False
# The load generator runs on this machine; the token it uses has no rate limit either.
HAVEN_API_RATE_LIMIT_PER_MINUTE = 0
