"""Template filters and tags for form markup that every form page uses, registered as a builtin.

`form_error_notice` (in both base templates) says at the top of a page sent back with errors
that something needs correcting, with a link to the first field concerned: on a long page (a
questionnaire, the session page) the errors are otherwise out of sight.

`choice_tag` writes a radio button or checkbox of a choice field without Django's per-option
widget template. A questionnaire on the session page has 60-odd options, and rendering each
through its template cost the page more than all of its database queries together. The markup
is the same as `BoundWidget.tag()` gives, attribute for attribute
(`openipt/lib/tests/test_form_tags.py` compares them).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms, template
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


def _forms_in(value: Any, depth: int = 3) -> list[forms.BaseForm]:
    """The forms in a context value: itself, or inside dicts, lists, tuples and dataclasses (as
    the session page's due measures carry theirs), a few levels down."""
    if isinstance(value, forms.BaseForm):
        return [value]
    if depth == 0:
        return []
    if isinstance(value, dict):
        inner: Any = value.values()
    elif isinstance(value, list | tuple):
        inner = value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = (getattr(value, f.name) for f in dataclasses.fields(value))
    else:
        return []
    return [f for v in inner for f in _forms_in(v, depth - 1)]


def _first_error_anchor(form: forms.BaseForm) -> str:
    """The id of the first input of the first field with an error ("" for a form-wide error)."""
    for field in form:
        if field.errors and field.auto_id:
            widget = field.field.widget
            several = isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
            return f"{field.auto_id}_0" if several else str(field.auto_id)
    return ""


@register.inclusion_tag("_form_error_notice.html", takes_context=True)
def form_error_notice(context: template.Context) -> dict[str, Any]:
    """Whether any form on the page came back with errors, and where the first one is."""
    seen: set[int] = set()
    for value in context.flatten().values():
        for form in _forms_in(value):
            if id(form) in seen or not form.is_bound or not form.errors:
                continue
            seen.add(id(form))
            return {"errors": True, "anchor": _first_error_anchor(form)}
    return {"errors": False}
