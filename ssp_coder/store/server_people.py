"""Managing the people of a server project: who has a login, taking access away, passwords and roles.

Everything a coordinator would otherwise do in ``psql``, each change one
transaction with its audit row (as ``add_user`` in ``server_users``):

- **removing** a person takes their login out of the project's group role, so
  it may use neither the tables nor the coders' views; and the database lets in
  only members of the project's two groups, so the login can no longer connect
  to it. The login itself stays on the server (a lab may use one login for
  several databases) and the person stays among the project's coders: their
  codings and the audit rows they signed are part of the trial's record;
- a **password** is sent to the server already hashed (SCRAM), so it never
  appears in the server's statement log;
- a **role** change moves the login between the two groups and changes the
  person's role in the project's coders.

A plan is computed first and described in words; ``dry_run`` makes every
change exactly as the real run does and rolls it back.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ssp_coder.domain.model import ROLES
from ssp_coder.errors import StoreError
from ssp_coder.store.pg_conn import database_name, redact
from ssp_coder.store.server import ServerProject, group_roles

GONE = "no: the login no longer exists on the server"
REMOVED = "no: removed from the project"
PEOPLE_COMMANDS = ("AddServerUser", "RemoveServerUser", "SetServerPassword", "SetServerRole")
# Shorter ones are easy to guess; PostgreSQL itself sets no minimum.
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class LastChange:
    at: str
    by: str
    what: str

    def __str__(self) -> str:
        return f"{self.at[:10]} {self.at[11:16]} UTC, {self.what} by {self.by}"


@dataclass(frozen=True)
class ProjectLogin:
    """One database login with a place in the project."""

    login: str
    person: str | None          # the project coder the login is linked to (None: in a group but not linked)
    role: str                   # coder, coordinator, trainer (unlinked: the group's 'coder' or 'staff')
    can_log_in: bool
    access: str                 # 'yes', or why not
    last_change: LastChange | None
    removed: bool = False       # linked, but taken out of the project by remove-user

    def as_json(self) -> dict[str, Any]:
        last = self.last_change
        return {"login": self.login, "name": self.person, "linked_coder": self.person, "role": self.role,
                "can_log_in": self.can_log_in, "access": self.access, "removed": self.removed,
                "last_change": None if last is None else {"at": last.at, "by": last.by, "what": last.what}}


@dataclass(frozen=True)
class PeopleChange:
    """What a people verb did (or, in a dry run, would do), in the words printed to the coordinator."""

    person: str
    logins: tuple[str, ...]
    steps: tuple[str, ...]
    dry_run: bool
    notes: tuple[str, ...] = field(default=())


# -- reading ---------------------------------------------------------------------------

def list_logins(url: str) -> list[ProjectLogin]:
    """Every login linked to a person of the project, and any other member of the project's groups."""
    with ServerProject.open_url(url, read_only=True) as project:
        _refuse_coder(project, "see who has a login")
        return _logins(project)


def _refuse_coder(project: ServerProject, doing: str) -> None:
    if project.blinded:
        me = project.conn.raw.execute("SELECT current_user").fetchone()[0]
        raise StoreError(f"You are signed in as a coder (login {me!r}): a coder may not {doing} on this project. "
                         "Ask the coordinator. Nothing was changed.")


def _logins(project: ServerProject) -> list[ProjectLogin]:
    pg = project.conn.raw
    coders_group, staff_group = group_roles(project.conn)
    last = _last_changes(project)
    out: list[ProjectLogin] = []
    linked = pg.execute("SELECT u.role_name, k.name, u.role FROM ssp.server_users u "
                        "JOIN ssp.coders k ON k.id = u.coder_id ORDER BY lower(k.name), u.role_name").fetchall()
    for login, person, role in linked:
        group = coders_group if role == "coder" else staff_group
        access = _access(pg, login, group)
        removed = last.get(login) is not None and last[login][1] == "RemoveServerUser"
        out.append(ProjectLogin(login, person, role, access == "yes", access,
                                last[login][0] if login in last else None, removed))
    known = {row[0] for row in linked}
    members = pg.execute(
        "SELECT m.rolname, g.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
        "JOIN pg_roles g ON g.oid = a.roleid WHERE g.rolname IN (%s, %s) ORDER BY m.rolname",
        (coders_group, staff_group)).fetchall()
    for login, group in members:
        if login in known:
            continue
        access = _access(pg, login, group)
        if access == "yes" and group == coders_group:
            # the coders' views show a login only the codings of the person it is linked to: here, nothing
            access = "no: in the coders' group but linked to no coder, so it sees nothing"
        out.append(ProjectLogin(login, None, "coder" if group == coders_group else "staff", access == "yes",
                                access, last[login][0] if login in last else None))
    return out


def _access(pg: Any, login: str, group: str) -> str:
    """'yes' when ``login`` can connect to this database and use the project as its group; else why not."""
    row = pg.execute("SELECT rolcanlogin, rolsuper, rolvaliduntil IS NOT NULL AND rolvaliduntil < now(), oid "
                     "FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
    if row is None:
        return GONE
    can_login, superuser, expired, oid = row
    if superuser:
        return "yes"   # a database administrator: PostgreSQL lets them in whatever the project says
    if not can_login:
        return "no: the server does not let this login sign in (NOLOGIN)"
    if expired:
        return "no: the login's password has expired (VALID UNTIL)"
    if not pg.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (oid, group)).fetchone()[0]:
        return REMOVED
    if not pg.execute("SELECT has_database_privilege(%s, current_database(), 'CONNECT')", (oid,)).fetchone()[0]:
        return "no: may not connect to this database"
    return "yes"


def _last_changes(project: ServerProject) -> dict[str, tuple[LastChange, str]]:
    """Per login, the latest people change the audit log records, and its command."""
    rows = project.conn.raw.execute(
        "SELECT at, actor, command, payload FROM ssp.audit WHERE command = ANY(%s) ORDER BY id",
        (list(PEOPLE_COMMANDS),)).fetchall()
    out: dict[str, tuple[LastChange, str]] = {}
    for at, actor, command, payload in rows:
        data = json.loads(payload)
        login = data.get("login")
        if not login:
            continue
        what = {"AddServerUser": f"added as {data.get('role', '?')}",
                "RemoveServerUser": "removed",
                "SetServerPassword": "password set",
                "SetServerRole": f"role changed to {data.get('to', '?')}"}[command]
        out[login] = (LastChange(at, actor, what), command)
    return out


# -- who may change people -------------------------------------------------------------------

def require_manager(project: ServerProject, doing: str) -> str:
    """Refuse unless the connected login may manage the project's people; returns the login's name."""
    _refuse_coder(project, doing)
    pg = project.conn.raw
    me, superuser, createrole = pg.execute(
        "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").fetchone()
    may_write = pg.execute("SELECT has_table_privilege('ssp.server_users', 'UPDATE')").fetchone()[0]
    if not superuser and not (createrole and may_write):
        raise StoreError(f"Your login {me!r} may work on the project but not {doing}: that takes the login that "
                         "set up the server (the owner of the project's tables, with the right to create roles) or "
                         "a database administrator. Nothing was changed.")
    return str(me)


def actor_of(project: ServerProject, me: str) -> str:
    # an administrator's login is often linked to no person of the project: the audit row names the login
    return project.actor if project.actor != "ssp-coder" else me


def ensure_connect_through_groups(pg: Any, url: str, coders_group: str, staff_group: str) -> str | None:
    """Let only the project's groups (and the owner, administrators) connect to the database.

    Returns a step to report when this changes something, else None. Without the right to change the
    database's privileges (not its owner), nothing is changed here and the caller says what that means.
    """
    from psycopg import sql

    db = database_name(url)
    public_may = pg.execute("SELECT has_database_privilege('public', current_database(), 'CONNECT')").fetchone()[0]
    groups_may = all(pg.execute("SELECT has_database_privilege(%s, current_database(), 'CONNECT')",
                                (g,)).fetchone()[0] for g in (coders_group, staff_group))
    if not public_may and groups_may:
        return None
    if not _may_change_database(pg):
        return None
    ident = sql.Identifier(db)
    pg.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(ident))
    pg.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}, {}").format(
        ident, sql.Identifier(coders_group), sql.Identifier(staff_group)))
    return (f"let only the project's logins connect to the database {db} (until now the server let every login "
            "connect, though without the project's groups they could read nothing)")


def _may_change_database(pg: Any) -> bool:
    return bool(pg.execute(
        "SELECT r.rolsuper OR d.datdba = r.oid FROM pg_roles r, pg_database d "
        "WHERE r.rolname = current_user AND d.datname = current_database()").fetchone()[0])


# -- finding the person ----------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    login: str
    person: str
    coder_id: int
    role: str


def _find(project: ServerProject, name: str, *, one_login: bool) -> list[_Target]:
    """The project logins ``name`` names: a login, or the person's name (all of their logins)."""
    pg = project.conn.raw
    rows = [_Target(r[0], r[1], int(r[2]), r[3]) for r in pg.execute(
        "SELECT u.role_name, k.name, k.id, u.role FROM ssp.server_users u JOIN ssp.coders k ON k.id = u.coder_id "
        "ORDER BY u.role_name").fetchall()]
    wanted = name.strip()
    hits = [t for t in rows if t.login == wanted] or [t for t in rows if t.login == wanted.lower()]
    if not hits:
        hits = [t for t in rows if t.person.lower() == wanted.lower()]
    url = redact(project.url)
    if not hits:
        coder = pg.execute("SELECT name FROM ssp.coders WHERE lower(name) = lower(%s)", (wanted,)).fetchone()
        if coder:
            raise StoreError(f"{coder[0]} is one of the project's coders but has no database login. Give them one "
                             f"with 'ssp-coder server add-user {url} \"{coder[0]}\" --role ...'. Nothing was changed.")
        if pg.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (wanted,)).fetchone():
            raise StoreError(f"{wanted!r} is a login on the database server but not one of this project's people; "
                             f"ssp-coder manages only the logins it added ('ssp-coder server users {url}' lists "
                             "them). Nothing was changed.")
        known = ", ".join(f"{t.person} ({t.login})" for t in rows) or "none yet"
        raise StoreError(f"No one called {wanted!r} has a login on this project. Its people: {known}. "
                         "Nothing was changed.")
    if one_login and len(hits) > 1:
        raise StoreError(f"{hits[0].person} has several logins ({', '.join(t.login for t in hits)}); name the one "
                         "you mean. Nothing was changed.")
    return hits


def _active_coordinators(project: ServerProject) -> set[str]:
    return {p.login for p in _logins(project) if p.role == "coordinator" and p.person and p.can_log_in}


def _counts(pg: Any, coder_id: int, person: str) -> tuple[int, int, int]:
    codings, complete = pg.execute("SELECT count(*), count(*) FILTER (WHERE status = 'complete') FROM ssp.codings "
                                   "WHERE coder_id = %s", (coder_id,)).fetchone()
    signed = pg.execute("SELECT count(*) FROM ssp.audit WHERE actor = %s", (person,)).fetchone()[0]
    return int(codings), int(complete), int(signed)



# -- changing people -------------------------------------------------------------------

@contextlib.contextmanager
def refused_by_server(login: str) -> Iterator[None]:
    """A role change the server refuses (the login belongs to an administrator, say) as a message."""
    import psycopg

    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(f"The server refused to change the login {login!r} ({str(exc).splitlines()[0]}): your "
                         "login may not manage that one. Ask the lab's database administrator. Nothing was "
                         "changed.") from None


def remove_user(url: str, name: str, *, dry_run: bool = False) -> PeopleChange:
    """Take a person's access to the project away; their codings and the audit log stay as they are."""
    from psycopg import sql

    with ServerProject.open_url(url) as project:
        me = require_manager(project, "remove people")
        target = _find(project, name, one_login=True)[0]
        pg = project.conn.raw
        who = f"{target.person} (login {target.login!r})"
        if target.login == me:
            raise StoreError(f"{who} is the login running this command; a login cannot take its own access away. "
                             "Sign in as another coordinator's administrative login, or ask the database "
                             "administrator. Nothing was changed.")
        coders_group, staff_group = group_roles(project.conn)
        group = coders_group if target.role == "coder" else staff_group
        access = _access(pg, target.login, group)
        if access == REMOVED:
            raise StoreError(f"{who} was already removed from this project; nothing was changed. To give them "
                             f"access again: ssp-coder server add-user {redact(url)} \"{target.person}\" --role "
                             f"{target.role} --login {target.login}")
        if pg.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (target.login,)).fetchone() == (True,):
            raise StoreError(f"{who} is a database administrator (superuser): PostgreSQL lets them in whatever the "
                             "project says, so ssp-coder cannot take their access away. Ask the lab's database "
                             "administrator. Nothing was changed.")
        if target.role == "coordinator" and access == "yes" and not _active_coordinators(project) - {target.login}:
            raise StoreError(f"{who} is the project's last coordinator who can sign in; removing them would leave "
                             "the trial without one. Add or promote another coordinator first (server add-user or "
                             "server set-role). Nothing was changed.")
        codings, complete, signed = _counts(pg, target.coder_id, target.person)
        db = database_name(url)
        steps: list[str] = []
        with refused_by_server(target.login), \
                project.bulk(actor=actor_of(project, me), origin="server", rehearse=dry_run) as bw:
            if access == GONE:
                steps.append(f"the login {target.login!r} no longer exists on the server (dropped outside "
                             "ssp-coder), so nobody can sign in with it")
            else:
                for g in (coders_group, staff_group):
                    pg.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(g), sql.Identifier(target.login)))
                steps.append(f"take the login {target.login!r} out of the project's group {group}: it can no "
                             "longer read or change anything of the project, even with a plain SQL client (a "
                             "window it has open is refused at its next step)")
            opened = ensure_connect_through_groups(pg, url, coders_group, staff_group)
            if opened:
                steps.append(opened)
            if access != GONE:
                if pg.execute("SELECT has_database_privilege(%s, current_database(), 'CONNECT')",
                              (target.login,)).fetchone()[0]:
                    steps.append(f"{target.login!r} can still connect to the database {db} (only the database's "
                                 "owner or an administrator can stop that) but sees nothing of the project")
                else:
                    steps.append(f"so {target.login!r} can no longer connect to the database {db}")
            steps.append(f"keep {target.person} among the project's coders, with their {codings} coding(s) "
                         f"({complete} complete) and the {signed} audit row(s) they signed")
            if access != GONE:
                steps.append(f"keep the login {target.login!r} on the server (other databases may use it); a "
                             "database administrator can drop it with DROP ROLE")
            bw.audit("RemoveServerUser", {"name": target.person, "login": target.login, "role": target.role})
            steps.append("record the removal in the project's audit log (RemoveServerUser)")
        return PeopleChange(target.person, (target.login,), tuple(steps), dry_run)


def set_password(url: str, name: str, password: str | Callable[[], str]) -> PeopleChange:
    """Give a person's login a new password (hashed before it is sent to the server).

    ``password`` may be a function that asks for it: it is asked only once the person and the right to
    change their password are known, so nobody types a password for a change that will be refused.
    """
    from psycopg import sql

    with ServerProject.open_url(url) as project:
        me = require_manager(project, "set passwords")
        target = _find(project, name, one_login=True)[0]
        pg = project.conn.raw
        coders_group, staff_group = group_roles(project.conn)
        if _access(pg, target.login, coders_group if target.role == "coder" else staff_group) == REMOVED:
            raise StoreError(f"{target.person} (login {target.login!r}) was removed from this project; give them "
                             "access again with 'server add-user' first. Nothing was changed.")
        if _access(pg, target.login, staff_group) == GONE:
            raise StoreError(f"The login {target.login!r} of {target.person} no longer exists on the server. "
                             f"'ssp-coder server add-user {redact(url)} \"{target.person}\" --role {target.role} "
                             f"--login {target.login}' makes it again, with a new password. Nothing was changed.")
        secret = password() if callable(password) else password
        _check_password(secret)
        with refused_by_server(target.login), project.bulk(actor=actor_of(project, me), origin="server") as bw:
            # hashed here (as psql's \password does), so the password never reaches the server's logs
            hashed = pg.pgconn.encrypt_password(secret.encode(), target.login.encode())
            pg.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(target.login),
                                                                   sql.Literal(hashed.decode())))
            bw.audit("SetServerPassword", {"name": target.person, "login": target.login})
        return PeopleChange(target.person, (target.login,),
                            (f"set a new password for the login {target.login!r}",
                             "record the change in the project's audit log (SetServerPassword; the password is "
                             "not recorded)"), False)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StoreError(f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters. "
                         "Nothing was changed.")
    if password != password.strip() or "\n" in password:
        raise StoreError("The password starts or ends with a space, or holds a line break; people cannot type "
                         "that reliably. Nothing was changed.")


def role_change_unblinds(old: str, new: str) -> bool:
    return old == "coder" and new != "coder"


def set_role(url: str, name: str, role: str, *, dry_run: bool = False,
             confirm: Any = None) -> PeopleChange:
    """Move a person to another role: their logins change group, and the project's coders say the new role.

    ``confirm(warning) -> bool`` is asked before a coder's login is given the whole, unblinded project.
    """
    from psycopg import sql

    if role not in ROLES:
        raise StoreError(f"The role must be one of {', '.join(ROLES)}, not {role!r}. Nothing was changed.")
    with ServerProject.open_url(url) as project:
        me = require_manager(project, "change people's roles")
        targets = _find(project, name, one_login=False)
        person, coder_id = targets[0].person, targets[0].coder_id
        pg = project.conn.raw
        old = pg.execute("SELECT role FROM ssp.coders WHERE id = %s", (coder_id,)).fetchone()[0]
        logins = tuple(t.login for t in targets)
        if me in logins:
            raise StoreError(f"{person} (login {me!r}) is the login running this command; a login cannot change "
                             "its own role. Nothing was changed.")
        if old == role:
            return PeopleChange(person, logins, (), dry_run, (f"{person} is already a {role}; nothing was changed.",))
        coders_group, staff_group = group_roles(project.conn)
        old_group = coders_group if old == "coder" else staff_group
        new_group = coders_group if role == "coder" else staff_group
        active = [t for t in targets if _access(pg, t.login, old_group) not in (REMOVED, GONE)]
        if old == "coordinator" and any(t.login in _active_coordinators(project) for t in active) \
                and not _active_coordinators(project) - set(logins):
            raise StoreError(f"{person} is the project's last coordinator who can sign in; making them a {role} "
                             "would leave the trial without one. Add or promote another coordinator first. "
                             "Nothing was changed.")
        if active and role_change_unblinds(old, role) and not dry_run and confirm is not None:
            warning = (f"{person} is a coder. As a {role}, their login(s) {', '.join(t.login for t in active)} "
                       "will see the whole project unblinded: arms, timepoints, participant ids, sites, visit "
                       "dates and every coder's codings.")
            if not confirm(warning):
                raise StoreError(f"Not confirmed: {person} stays a {old}. Nothing was changed.")
        steps: list[str] = []
        db = database_name(url)
        with refused_by_server(", ".join(logins)), \
                project.bulk(actor=actor_of(project, me), origin="server", rehearse=dry_run) as bw:
            for t in active:
                ident = sql.Identifier(t.login)
                if old_group != new_group:
                    pg.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(old_group), ident))
                    pg.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(new_group), ident))
                    pg.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}").format(
                        ident, sql.Identifier(db), sql.Identifier("blinded" if role == "coder" else "ssp")))
                    steps.append(f"move the login {t.login!r} from the group {old_group} to {new_group}: "
                                 + ("it sees only blinded codes and its own codings from its next step on"
                                    if role == "coder" else "it sees the whole project, unblinded"))
                else:
                    steps.append(f"the login {t.login!r} keeps the rights of the group {new_group} (coordinators "
                                 "and trainers see the same)")
            for t in targets:
                if t not in active:
                    steps.append(f"the login {t.login!r} stays removed from the project ('server add-user' gives "
                                 "access again)" if _access(pg, t.login, old_group) == REMOVED else
                                 f"the login {t.login!r} no longer exists on the server ('server add-user' makes "
                                 "it again)")
            pg.execute("UPDATE ssp.coders SET role = %s WHERE id = %s", (role, coder_id))
            pg.execute("UPDATE ssp.server_users SET role = %s WHERE coder_id = %s", (role, coder_id))
            steps.append(f"record {person} as a {role} (was {old}) in the project's coders; their codings stay "
                         "theirs")
            for t in targets:
                bw.audit("SetServerRole", {"name": person, "login": t.login, "from": old, "to": role})
            steps.append("record the change in the project's audit log (SetServerRole)")
        return PeopleChange(person, logins, tuple(steps), dry_run)


def describe_change(change: PeopleChange, done: str) -> Iterator[str]:
    """The lines printed for a change: a heading, then each step."""
    if change.notes and not change.steps:
        yield from change.notes
        return
    if change.dry_run:
        yield f"Dry run: nothing was changed. {done} would:"
    else:
        yield f"{done}:"
    for step in change.steps:
        yield f"  - {step}"
    yield from change.notes
