"""Accounts: organisations, care teams, staff and their sign-in.

* ``models``      Organisation, Team, User (role + teams), UserSession (one row per signed-in session).
* ``adapter``     django-allauth hooks: no self sign-up; failed and locked sign-ins audited; the
                  failure count is per username across addresses; sign-out ends every session.
* ``events``      signal receivers: sign-in/out, password and MFA events audited; sessions ended
                  on deactivation and password change.
* ``sessions``    sign-in stamps, the idle (15 min) and absolute (12 h, staff) limits, ending a
                  user's sessions.
* ``middleware``  SessionLimitsMiddleware, RequireMFAMiddleware (staff must enrol TOTP),
                  OrganisationTimezoneMiddleware.
* ``validators``  OwnNamesPasswordValidator (no username, organisation name or "OpenIPT").
* ``checks``      `check --deploy` warns when MFA is not required; the session settings agree.
* ``actions``     user management by an organisation's administrator, each change audited.
* ``views``       Settings → Users and Settings → Crisis resources.
"""
