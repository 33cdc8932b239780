"""Settings for the load benchmark (benchmarks/load/): OpenIPT's own, plus one extra route.

The only difference from production is ROOT_URLCONF, which adds the framework's floor view
(benchmarks/urls.py) so production has no extra route and the floor goes through exactly the
same middleware as every page it is compared with.
"""

from openipt.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
