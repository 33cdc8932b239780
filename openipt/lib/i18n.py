"""Marking strings for translation from pure modules, which may not import Django.

`gettext_noop` is one of the keywords Django's `makemessages` collects, so strings marked with
it in protocol, instrument and chart code reach the message catalogue; templates translate them
at render time with `{% translate value %}`.
"""


def gettext_noop(message: str) -> str:
    return message
