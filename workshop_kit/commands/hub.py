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

A participant's "compare with the cohort" cannot read the others' rows, so the database
works it out for them: ``wk_cohort_release(cohort, exercise)`` (``SECURITY DEFINER``, run as
the owner, callable by participants only) walks the exercise's saved rows exactly as
:func:`workshop_kit.summaries.compare.released` does, with the kit's fixed step and minimum (the
caller cannot choose them), and returns only the released answers of the *others*, sorted,
with no participant, time or order, and only once at least the minimum have answered,
plus the counts the panel's wording needs.  Only numbers and the catalogue's option names
leave it: a pick's own entry (unless it is the caller's own), and a written answer, come
back as placeholders; grids and logs (names and notes) are not served at all.  It answers
only for the caller's own cohort (and its waves), as recorded by the spawn hook.

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
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.engine import make_url

from .. import settings
from ..privacy import MIN_COHORT, release_step

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy.engine import Connection

PARTICIPANTS_ROLE = "wk_participants"
FACILITATORS_ROLE = "wk_facilitators"
ROLE_PREFIX = "hub:"
COHORT_GROUP_PREFIX = "cohort-"
RELEASE_FUNCTION = "wk_cohort_release"
COMPARED_KINDS = ("scale", "budget", "pick", "text")  # what the release function serves; grids and logs carry names and notes
TEXT_PLACEHOLDER = "…"  # what a written answer comes back as: it is only counted
OWN_ENTRY = "Own entry"  # what another's own entry in a pick comes back as (as summaries.OWN_ENTRY; no pandas in the Hub)

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
    # what the release function needs: each hub login's cohort (written by the spawn hook), and the comparable exercises
    "CREATE TABLE IF NOT EXISTS wk_hub_members (login text PRIMARY KEY, cohort text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS wk_compared (exercise_id text PRIMARY KEY, kind text NOT NULL, options text[] NOT NULL)",
    "REVOKE ALL ON wk_hub_members, wk_compared FROM PUBLIC",
    f"GRANT SELECT, DELETE ON wk_hub_members TO {FACILITATORS_ROLE}",  # so a facilitator's forget removes a login's cohort
    f"""CREATE OR REPLACE FUNCTION {RELEASE_FUNCTION}(p_cohort text, p_exercise text)
RETURNS TABLE (answers text[], others_released integer, others_now integer, pending integer, step integer, answered boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  me text;
  ex wk_compared%ROWTYPE;
  r record;
  cur jsonb := '{{}}'; stamps jsonb := '{{}}'; rel jsonb := '{{}}'; moved jsonb := '{{}}';
  n_moved integer := 0;
  keep text[];
BEGIN
  IF left(session_user::text, {len(ROLE_PREFIX)}) <> '{ROLE_PREFIX}' THEN
    RAISE EXCEPTION 'permission denied for {RELEASE_FUNCTION}: not a hub login' USING ERRCODE = '42501';
  END IF;
  me := substr(session_user::text, {len(ROLE_PREFIX) + 1});
  IF NOT EXISTS (SELECT 1 FROM wk_hub_members m WHERE m.login = session_user::text
                 AND (p_cohort = m.cohort OR left(p_cohort, length(m.cohort) + 1) = m.cohort || '@')) THEN
    RAISE EXCEPTION 'permission denied for cohort %: not this login''s cohort', p_cohort USING ERRCODE = '42501';
  END IF;
  SELECT * INTO ex FROM wk_compared c WHERE c.exercise_id = p_exercise;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'permission denied for exercise %: not compared on the shared programme', p_exercise USING ERRCODE = '42501';
  END IF;
  -- the walk of workshop_kit.summaries.compare.released, with the kit's own step
  FOR r IN SELECT x.participant AS p, x.saved_at AS t, x.answer AS a FROM responses x
           WHERE x.cohort = p_cohort AND x.exercise_id = p_exercise ORDER BY x.id LOOP
    IF stamps ? r.p AND r.t < (stamps ->> r.p)::timestamp THEN CONTINUE; END IF;
    stamps := stamps || jsonb_build_object(r.p, r.t);
    cur := cur || jsonb_build_object(r.p, r.a);
    IF (rel ->> r.p) IS NOT DISTINCT FROM r.a THEN
      IF moved ? r.p THEN moved := moved - r.p; n_moved := n_moved - 1; END IF;
    ELSIF NOT moved ? r.p THEN
      moved := moved || jsonb_build_object(r.p, true); n_moved := n_moved + 1;
    END IF;
    IF n_moved >= {release_step(MIN_COHORT)} THEN rel := cur; moved := '{{}}'; n_moved := 0; END IF;
  END LOOP;
  others_released := (SELECT count(*) FROM jsonb_object_keys(rel) k WHERE k <> me);
  others_now := (SELECT count(*) FROM jsonb_object_keys(cur) k WHERE k <> me);
  pending := n_moved;
  step := {release_step(MIN_COHORT)};
  answered := cur ? me;
  answers := '{{}}';
  IF others_released >= {MIN_COHORT} THEN
    keep := ex.options || COALESCE((SELECT array_agg(lower(e)) FROM jsonb_array_elements_text(
              CASE WHEN ex.kind = 'pick' AND answered THEN (cur ->> me)::jsonb ELSE '[]'::jsonb END) e), '{{}}');
    answers := ARRAY(
      SELECT CASE ex.kind
        WHEN 'text' THEN to_jsonb('{TEXT_PLACEHOLDER}'::text)::text
        WHEN 'pick' THEN COALESCE((SELECT jsonb_agg(CASE WHEN lower(e) = ANY(keep) THEN to_jsonb(e) ELSE to_jsonb('{OWN_ENTRY}'::text) END ORDER BY i)
                                   FROM jsonb_array_elements_text(v.value::jsonb) WITH ORDINALITY AS q(e, i)), '[]'::jsonb)::text
        ELSE v.value END
      FROM jsonb_each_text(rel) AS v WHERE v.key <> me ORDER BY 1);
  END IF;
  RETURN NEXT;
END
$fn$""",
    f"REVOKE ALL ON FUNCTION {RELEASE_FUNCTION}(text, text) FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION {RELEASE_FUNCTION}(text, text) TO {PARTICIPANTS_ROLE}",
]


def prepare_database(owner_url: str, catalogue: Any = None) -> None:
    """Create the kit's tables (if new), the two roles with their row-level security and the release function, as the database's owner.

    ``catalogue`` (default: the kit's own) says which exercises participants may compare, and their options.
    """
    from sqlalchemy import text

    from ..catalogue.model import default_catalogue
    from ..store.responses import ResponseStore

    catalogue = catalogue or default_catalogue()
    compared = [
        {"id": ex.id, "kind": ex.kind, "options": [o.lower() for o in ex.options] if ex.kind == "pick" else []}
        for ex in catalogue.exercises
        if ex.kind in COMPARED_KINDS
    ]
    with ResponseStore(owner_url) as store:
        store.engine  # creates the tables and records the format on first use
        with store.engine.begin() as conn:
            with _driver(conn).cursor() as cur:
                for statement in _SETUP:
                    cur.execute(statement)  # no parameters: the function's '%' stays as written
            conn.exec_driver_sql("DELETE FROM wk_compared")
            conn.execute(text("INSERT INTO wk_compared (exercise_id, kind, options) VALUES (:id, :kind, :options)"), compared)


def forget_member(store: Any, participant: str, cohort: str) -> int:
    """Delete a forgotten participant's hub membership (their login's cohort), where the database holds the hub's tables.

    The spawn hook writes it again if the user still has an account in the cohort's group
    when their server next starts; removing them from the group (or JupyterHub) is the hub
    administrator's part of an erasure.
    """
    if store.engine.dialect.name != "postgresql":
        return 0
    from sqlalchemy import text

    with store.engine.begin() as conn:
        if conn.execute(text("SELECT to_regclass('wk_hub_members')")).scalar() is None:
            return 0
        gone = conn.execute(text("DELETE FROM wk_hub_members WHERE login = :login AND cohort = :cohort"), {"login": role_name(participant), "cohort": cohort})
        return int(gone.rowcount or 0)


def _driver(conn: Connection) -> psycopg.Connection[Any]:
    """psycopg's own connection under SQLAlchemy's: the hub's database is PostgreSQL, reached through psycopg."""
    return cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)


def role_name(username: str) -> str:
    """The PostgreSQL login role of a hub user."""
    return ROLE_PREFIX + username


class HubStore:
    """What JupyterHub needs to give each user's server its own store URL (see the module docstring).

    In ``jupyterhub_config.py``::

        from workshop_kit.commands.hub import HubStore, prepare_database
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
        cohorts = sorted(g[len(COHORT_GROUP_PREFIX) :] for g in groups if g.startswith(COHORT_GROUP_PREFIX))
        cohort = cohorts[0] if cohorts else None
        url = self.grant(username, facilitator=self.facilitators_group in groups, cohort=cohort)
        spawner.environment[settings.STORE_ENV] = url
        if cohort:
            spawner.environment[settings.COHORT_ENV] = cohort

    def grant(self, username: str, *, facilitator: bool, cohort: str | None = None) -> str:
        """Make (or refresh) the user's login role with a new password in the right group role, and record their cohort; returns their store URL."""
        from psycopg import sql
        from sqlalchemy import create_engine

        password = secrets.token_urlsafe(24)
        role = sql.Identifier(role_name(username))
        member, other = (FACILITATORS_ROLE, PARTICIPANTS_ROLE) if facilitator else (PARTICIPANTS_ROLE, FACILITATORS_ROLE)
        engine = create_engine(_psycopg(self.owner_url))
        try:
            with engine.begin() as conn:
                with _driver(conn).cursor() as cur:
                    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role_name(username),))
                    verb = "ALTER" if cur.fetchone() else "CREATE"
                    cur.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password)))
                    cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(member), role))
                    cur.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), role))
                    cur.execute("DELETE FROM wk_hub_members WHERE login = %s", (role_name(username),))
                    if cohort:  # the one cohort (and its waves) this login may compare with
                        cur.execute("INSERT INTO wk_hub_members (login, cohort) VALUES (%s, %s)", (role_name(username), cohort))
        finally:
            engine.dispose()
        owner = make_url(_psycopg(self.owner_url))
        return owner.set(username=role_name(username), password=password, host=self.user_host or owner.host).render_as_string(hide_password=False)


def _psycopg(url: str) -> str:
    from ..store.responses import resolve_store_url

    return resolve_store_url(url)
