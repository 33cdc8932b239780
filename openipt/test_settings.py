"""Settings for the test suite: the production settings with plain HTTP and a fast password hasher."""

import os

os.environ.setdefault("OPENIPT_INSECURE_HTTP", "1")
os.environ.setdefault("OPENIPT_PLAIN_STATIC", "1")

from openipt.settings import *  # noqa: F403

# Argon2 is deliberately slow; the suite hashes hundreds of passwords. Production keeps Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# WhiteNoise expects the collected-static folder to exist; tests serve from the finders instead.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Most tests sign in with force_login and no second factor; the MFA tests turn this back on
# with override_settings(OPENIPT_REQUIRE_MFA=True). Production requires it (settings.py).
OPENIPT_REQUIRE_MFA = False
# The sign-in link's timing floor would add seconds to every test that asks for a link; the test
# of the floor turns it back on.
OPENIPT_SIGN_IN_LINK_FLOOR_SECONDS = 0
