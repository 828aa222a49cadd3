"""The consent statement shown on the public form, and the version recorded with each request.

Bump CONSENT_VERSION whenever the meaning of the text changes, so that every stored
request says which statement its sender agreed to. Translations render the same version.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Stored on Request.consent_version (at most 20 characters).
CONSENT_VERSION = "web-2021-08-v1"

CONSENT_PARAGRAPHS = (
    _(
        "The task force will use what you write here only to assess your request for help "
        "and to contact you about it."
    ),
    _(
        "Task force staff will see it. If another organisation (for example UNHCR, IOM or an aid "
        "group) can help you, the task force may share it with that organisation for that purpose only."
    ),
    _(
        "Sending this form does not mean that you are eligible for any programme, visa or "
        "evacuation flight, and it does not promise help."
    ),
    _("You can ask the task force at any time to correct what you sent."),
)
CONSENT_LABEL = _("I have read this statement and I agree.")
