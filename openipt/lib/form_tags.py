"""Template filters for form markup that every form page uses, registered as a builtin.

`choice_tag` writes a radio button or checkbox of a choice field without Django's per-option
widget template. A questionnaire on the session page has 60-odd options, and rendering each
through its template cost the page more than all of its database queries together. The markup
is the same as `BoundWidget.tag()` gives, attribute for attribute
(`openipt/lib/tests/test_form_tags.py` compares them).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def choice_tag(option: Any) -> SafeString:
    """The <input> of one option of a RadioSelect or CheckboxSelectMultiple bound field."""
    data = option.data
    parts = [f'<input type="{conditional_escape(data["type"])}" name="{conditional_escape(data["name"])}"']
    if data["value"] is not None:
        parts.append(f' value="{conditional_escape(str(data["value"]))}"')
    for name, value in data["attrs"].items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(str(value))}"')
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703  # every part above is escaped
