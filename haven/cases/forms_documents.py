"""Upload forms for case documents: on the case page, and the walk-in form's part.

Checking and scanning happen while the form is cleaned, before anything is stored, so a
bad file is a message beside its field and everything else typed stays in the form (a
browser cannot refill a file input: the message asks for the file again).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from haven.common import clamd

from .document_files import DocumentRejected, prepare
from .models import Document
from .services_documents import NewDocument

# File inputs on the walk-in form: a passport, a tazkira and a letter, usually.
WALK_IN_SLOTS = 3


def _accept_attribute() -> str:
    return "image/jpeg,image/png,image/webp,image/tiff,image/gif,application/pdf,.docx,.odt,.txt"


def checked_upload(upload: UploadedFile, kind: str, description: str = "") -> NewDocument:
    """The upload checked, typed, re-encoded and scanned, or forms.ValidationError saying why."""
    limit: int = settings.HAVEN_DOCUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        # Not read into memory at all.
        raise forms.ValidationError(
            gettext("The file is %(size)s; a document may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    data = b"".join(upload.chunks())
    try:
        prepared = prepare(data, upload.name or "")
    except DocumentRejected as exc:
        raise forms.ValidationError(exc.message) from exc
    return NewDocument(
        file=prepared, kind=kind, scan=clamd.scan(prepared.data), description=description
    )


def _file_field(required: bool) -> forms.FileField:
    return forms.FileField(
        label=_("File"),
        required=required,
        allow_empty_file=True,  # prepare() says so in Haven's words
        max_length=None,
        widget=forms.ClearableFileInput(attrs={"accept": _accept_attribute()}),
    )


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Document.Kind.choices)
    file = _file_field(required=True)
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if isinstance(upload, UploadedFile) and "kind" in data:
            try:
                data["document"] = checked_upload(upload, data["kind"], data.get("description", ""))
            except forms.ValidationError as exc:
                self.add_error("file", exc)
        return data


class WalkInDocumentsForm(forms.Form):
    """Up to WALK_IN_SLOTS documents brought to the desk; all optional."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "documents")
        super().__init__(*args, **kwargs)
        for slot in range(1, WALK_IN_SLOTS + 1):
            self.fields[f"kind_{slot}"] = forms.ChoiceField(
                label=_("Kind of document"),
                required=False,  # a walk-in without documents sends none of these
                choices=Document.Kind.choices,
                initial=Document.Kind.PASSPORT if slot == 1 else Document.Kind.OTHER,
            )
            self.fields[f"file_{slot}"] = _file_field(required=False)

    def slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"kind_{slot}"], self[f"file_{slot}"]) for slot in range(1, WALK_IN_SLOTS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        documents = []
        for slot in range(1, WALK_IN_SLOTS + 1):
            upload = data.get(f"file_{slot}")
            kind = data.get(f"kind_{slot}") or Document.Kind.OTHER
            if not isinstance(upload, UploadedFile):
                continue
            try:
                documents.append(checked_upload(upload, kind))
            except forms.ValidationError as exc:
                self.add_error(f"file_{slot}", exc)
        data["documents"] = documents
        return data

    @property
    def documents(self) -> list[NewDocument]:
        return list(self.cleaned_data.get("documents", []))
