"""A programme on JupyterHub: one PostgreSQL store, and who may read what in it.

Every user's server can reach the PostgreSQL server, and a participant on JupyterHub has a
Python prompt, so the kit alone cannot stop anyone reading what their connection allows.
The database can.  ``prepare_database(owner_url)`` (once, as the database's owner) creates
the kit's tables and two roles without login:

- ``wk_participants``: may add answers and read and settle **their own** rows only
  (row-level security: a row's ``participant`` must equal the login role's hub name), may
  read the store's format number and the room's live state (``room_live``: which section,
  which results are revealed), give and read their own done / help signals, and nothing
  else (not the room's ``people`` table);
- ``wk_facilitators``: may read and write every row (dashboard, reports, import, erasure).

``HubStore(owner_url, facilitators_group=...)`` then gives JupyterHub a ``pre_spawn_hook``:
before each server starts it makes (or updates) a login role ``hub:<username>`` with a
new random password, in the facilitators' role if the user is in that JupyterHub group
and the participants' role otherwise, and puts that user's own store URL into the
server's environment as ``WORKSHOP_KIT_STORE``, with the cohort (from a ``cohort-<name>``
group) as ``WORKSHOP_KIT_COHORT``.  The owner's URL stays in the hub's configuration and
never reaches a user's server.  See docs/deployment.md for what this does and does not
protect against.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.engine import make_url

PARTICIPANTS_ROLE = "wk_participants"
FACILITATORS_ROLE = "wk_facilitators"
ROLE_PREFIX = "hub:"
COHORT_GROUP_PREFIX = "cohort-"

# Run by the owner, in one transaction; every statement can be run again safely.
_SETUP = [
    f"DO $$ BEGIN CREATE ROLE {PARTICIPANTS_ROLE} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    f"DO $$ BEGIN CREATE ROLE {FACILITATORS_ROLE} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    f"GRANT USAGE ON SCHEMA public TO {PARTICIPANTS_ROLE}, {FACILITATORS_ROLE}",
    f"REVOKE ALL ON responses, people, kit_meta, room_live, room_signals FROM PUBLIC",
    f"GRANT SELECT ON kit_meta, room_live TO {PARTICIPANTS_ROLE}, {FACILITATORS_ROLE}",
    f"GRANT SELECT, INSERT, UPDATE (is_current) ON responses TO {PARTICIPANTS_ROLE}",
    f"GRANT USAGE ON SEQUENCE responses_id_seq TO {PARTICIPANTS_ROLE}",
    f"GRANT SELECT, INSERT, DELETE ON room_signals TO {PARTICIPANTS_ROLE}",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON responses, people, room_live, room_signals TO {FACILITATORS_ROLE}",
    f"GRANT USAGE ON SEQUENCE responses_id_seq, people_id_seq TO {FACILITATORS_ROLE}",
    "ALTER TABLE responses ENABLE ROW LEVEL SECURITY",
    "DROP POLICY IF EXISTS wk_own_rows ON responses",
    "DROP POLICY IF EXISTS wk_every_row ON responses",
    # a participant's login role is 'hub:<their hub name>', and the kit saves their answers under that hub name
    f"CREATE POLICY wk_own_rows ON responses TO {PARTICIPANTS_ROLE} "
    f"USING ('{ROLE_PREFIX}' || participant = session_user::text) WITH CHECK ('{ROLE_PREFIX}' || participant = session_user::text)",
    f"CREATE POLICY wk_every_row ON responses TO {FACILITATORS_ROLE} USING (true) WITH CHECK (true)",
    # done / help signals: a participant gives and reads only their own; the facilitators count everyone's
    "ALTER TABLE room_signals ENABLE ROW LEVEL SECURITY",
    "DROP POLICY IF EXISTS wk_own_signals ON room_signals",
    "DROP POLICY IF EXISTS wk_every_signal ON room_signals",
    f"CREATE POLICY wk_own_signals ON room_signals TO {PARTICIPANTS_ROLE} "
    f"USING ('{ROLE_PREFIX}' || participant = session_user::text) WITH CHECK ('{ROLE_PREFIX}' || participant = session_user::text)",
    f"CREATE POLICY wk_every_signal ON room_signals TO {FACILITATORS_ROLE} USING (true) WITH CHECK (true)",
]


def prepare_database(owner_url: str) -> None:
    """Create the kit's tables (if new) and the two roles with their row-level security, as the database's owner."""
    from .store import ResponseStore

    with ResponseStore(owner_url) as store:
        store.engine  # creates the tables and records the format on first use
        with store.engine.begin() as conn:
            for statement in _SETUP:
                conn.exec_driver_sql(statement)


def role_name(username: str) -> str:
    """The PostgreSQL login role of a hub user."""
    return ROLE_PREFIX + username


class HubStore:
    """What JupyterHub needs to give each user's server its own store URL (see the module docstring).

    In ``jupyterhub_config.py``::

        from workshop_kit.hub import HubStore, prepare_database
        OWNER_URL = "postgresql://workshop_kit_owner:…@db.trust.nhs.uk/workshop_kit"
        prepare_database(OWNER_URL)
        c.Spawner.pre_spawn_hook = HubStore(OWNER_URL).pre_spawn_hook
    """

    def __init__(self, owner_url: str, *, facilitators_group: str = "facilitators", user_host: str | None = None):
        self.owner_url = owner_url
        self.facilitators_group = facilitators_group
        self.user_host = user_host  # the database host as the users' servers reach it, if not the owner's

    def pre_spawn_hook(self, spawner: Any) -> None:
        """Give this user a fresh password and their own store URL and cohort, before their server starts."""
        groups = {g.name for g in spawner.user.groups}
        username = spawner.user.name
        url = self.grant(username, facilitator=self.facilitators_group in groups)
        spawner.environment["WORKSHOP_KIT_STORE"] = url
        cohorts = sorted(g[len(COHORT_GROUP_PREFIX) :] for g in groups if g.startswith(COHORT_GROUP_PREFIX))
        if cohorts:
            spawner.environment["WORKSHOP_KIT_COHORT"] = cohorts[0]

    def grant(self, username: str, *, facilitator: bool) -> str:
        """Make (or refresh) the user's login role with a new password in the right group role; returns their store URL."""
        from psycopg import sql
        from sqlalchemy import create_engine

        password = secrets.token_urlsafe(24)
        role = sql.Identifier(role_name(username))
        member, other = (FACILITATORS_ROLE, PARTICIPANTS_ROLE) if facilitator else (PARTICIPANTS_ROLE, FACILITATORS_ROLE)
        engine = create_engine(_psycopg(self.owner_url))
        try:
            with engine.begin() as conn:
                raw = conn.connection.dbapi_connection
                with raw.cursor() as cur:
                    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role_name(username),))
                    verb = "ALTER" if cur.fetchone() else "CREATE"
                    cur.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password)))
                    cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(member), role))
                    cur.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), role))
        finally:
            engine.dispose()
        owner = make_url(_psycopg(self.owner_url))
        return owner.set(username=role_name(username), password=password, host=self.user_host or owner.host).render_as_string(hide_password=False)


def _psycopg(url: str) -> str:
    from .store import resolve_store_url

    return resolve_store_url(url)
