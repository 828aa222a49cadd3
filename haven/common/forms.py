"""Form helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms


class DirAutoForm(forms.Form):
    """A form whose text boxes take the direction of what is typed in them (dir="auto"):
    a Dari name typed in the English interface, or a Latin passport number in the Dari one,
    shows the way it is written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.TextInput | forms.Textarea):
                field.widget.attrs.setdefault("dir", "auto")
