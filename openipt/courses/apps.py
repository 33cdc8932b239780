from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class CoursesConfig(AppConfig):
    name = "openipt.courses"
    label = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        """Load and validate every protocol file at start-up: a broken file stops OpenIPT here."""
        from openipt.measures.instruments import INSTRUMENTS
        from openipt.protocols import ProtocolError, get_protocols
        from openipt.protocols.loader import instrument_keys

        try:
            protocols = get_protocols()
        except ProtocolError as exc:
            raise ImproperlyConfigured(f"Protocol files are invalid: {exc}") from exc
        for protocol in protocols.values():
            unknown = instrument_keys(protocol) - set(INSTRUMENTS)
            if unknown:
                raise ImproperlyConfigured(
                    f"{protocol.key}.toml: measures: unknown instrument {sorted(unknown)}; "
                    f"known instruments are {sorted(INSTRUMENTS)}"
                )
