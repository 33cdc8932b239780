"""IPT protocols as data: TOML files in `data/` read into frozen, validated dataclasses.

Pure: standard library only (an import-linter contract keeps Django out).
"""

from openipt.protocols.loader import (
    DATA_DIR,
    ProtocolError,
    UnknownProtocolError,
    get_protocol,
    get_protocols,
    load_directory,
    load_protocol,
)
from openipt.protocols.model import (
    CADENCES,
    PHASE_KEYS,
    PROBLEM_AREA_KEYS,
    Contact,
    MeasureRule,
    Phase,
    ProblemArea,
    Protocol,
    SessionCountError,
    Task,
    instrument_keys,
)

__all__ = [
    "CADENCES",
    "DATA_DIR",
    "PHASE_KEYS",
    "PROBLEM_AREA_KEYS",
    "Contact",
    "MeasureRule",
    "Phase",
    "ProblemArea",
    "Protocol",
    "ProtocolError",
    "SessionCountError",
    "Task",
    "UnknownProtocolError",
    "get_protocol",
    "get_protocols",
    "instrument_keys",
    "load_directory",
    "load_protocol",
]
