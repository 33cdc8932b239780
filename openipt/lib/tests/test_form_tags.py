"""`choice_tag` writes exactly the markup of Django's `BoundWidget.tag()`, faster."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.utils.safestring import mark_safe

from openipt.lib.form_tags import choice_tag

CHOICES = [(0, "Not at all"), (1, 'Several <b>"days"</b>'), ("x&y", "Other"), ("", "None")]


class Sample(forms.Form):
    radio = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.RadioSelect(
            attrs={"class": "scale", "aria-describedby": 'help "1" <x>', "data-off": False}
        ),
    )
    boxes = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.CheckboxSelectMultiple(attrs={"data-on": True})
    )
    safe = forms.ChoiceField(
        choices=[(mark_safe("a&amp;b"), "Safe"), ("<i>", "Unsafe")],  # nosec B308 B703  # a test value
        widget=forms.RadioSelect,
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"radio": "1", "boxes": ["0", "x&y"], "safe": "<i>"},
        {"radio": "x&y", "boxes": [""], "safe": "a&amp;b"},
    ],
)
def test_it_writes_what_django_writes(data: dict[str, object] | None) -> None:
    form = Sample(data)
    for name in ("radio", "boxes", "safe"):
        for option in form[name]:
            assert choice_tag(option) == option.tag()


def test_it_is_a_builtin_filter() -> None:
    form = Sample({"radio": "0"})
    html = Template("{% for o in form.radio %}{{ o|choice_tag }}{% endfor %}").render(Context({"form": form}))
    assert html == "".join(str(o.tag()) for o in form["radio"])
    expected = 'aria-describedby="help &quot;1&quot; &lt;x&gt;" id="id_radio_0" required checked>'
    assert 'value="0" class="scale" ' + expected in html
    assert "data-off" not in html
