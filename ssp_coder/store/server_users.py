"""People on a server project: one database role per person, linked to the project's coder of that name.

A coder's role joins the database's coders group, which may use only the
blinded views; coordinators and trainers join the staff group, which may use
the tables. The role is created with a generated password (shown once), or
without one when the lab's server authenticates people its own way (Kerberos,
certificates, LDAP, peer), or an existing role is linked.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from ssp_coder.domain.commands import AddCoder
from ssp_coder.domain.model import ROLES
from ssp_coder.errors import StoreError
from ssp_coder.store.pg_conn import database_name, redact
from ssp_coder.store.server import ServerProject, group_roles
from ssp_coder.store.server_people import actor_of, ensure_connect_through_groups, refused_by_server, require_manager


@dataclass(frozen=True)
class ServerUser:
    name: str
    role: str
    login: str
    password: str | None
    created_role: bool
    added_coder: bool


def login_name(person: str) -> str:
    """A database role name from a person's name: lower case letters, digits and underscores."""
    text = re.sub(r"[^a-z0-9]+", "_", person.strip().lower()).strip("_")
    if not text:
        raise StoreError(f"Cannot make a database login from the name {person!r}; give one with --login.")
    return text[:63]


def add_user(url: str, name: str, role: str, *, login: str | None = None, password: bool = True) -> ServerUser:
    """Create (or link) ``name``'s database role and the project's coder of that name; one transaction."""
    from psycopg import sql

    if role not in ROLES:
        raise StoreError(f"The role must be one of {', '.join(ROLES)}, not {role!r}.")
    login = login or login_name(name)
    schema = "blinded" if role == "coder" else "ssp"
    with ServerProject.open_url(url) as project:
        me = require_manager(project, "add people")
        coders_group, staff_group = group_roles(project.conn)
        group = coders_group if role == "coder" else staff_group
        secret = secrets.token_urlsafe(18) if password else None
        with refused_by_server(login), project.bulk(actor=actor_of(project, me), origin="server") as bw:
            pg = project.conn.raw
            existing = project.conn.execute("SELECT id, name, role FROM coders WHERE lower(name) = lower(?)",
                                            (name.strip(),)).fetchone()
            added = existing is None
            if existing is None:
                coder_id = int(bw.execute(AddCoder(name=name, role=role)).inverse.coder_id)  # type: ignore[attr-defined]
            elif existing[2] != role:
                raise StoreError(f"{existing[1]} is already in the project as {existing[2]}, not {role}. Nothing was "
                                 "changed.")
            else:
                coder_id = int(existing[0])
            linked = project.conn.execute("SELECT coder_id FROM server_users WHERE role_name = ?", (login,)).fetchone()
            if linked is not None and int(linked[0]) != coder_id:
                raise StoreError(f"The database login {login!r} already belongs to another person of this project; "
                                 "choose another with --login. Nothing was changed.")
            role_exists = pg.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is not None
            ident = sql.Identifier(login)
            if not role_exists:
                if secret:
                    pg.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(secret)))
                else:
                    pg.execute(sql.SQL("CREATE ROLE {} LOGIN").format(ident))
            else:
                secret = None  # an existing account keeps the way it signs in
                # A person linked before under another role must not keep the other group's rights.
                for other in (coders_group, staff_group):
                    if other != group:
                        pg.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), ident))
            pg.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), ident))
            pg.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}").format(
                ident, sql.Identifier(database_name(url)), sql.Identifier(schema)))
            ensure_connect_through_groups(pg, url, coders_group, staff_group)
            project.conn.execute("DELETE FROM server_users WHERE role_name = ?", (login,))
            project.conn.execute("INSERT INTO server_users (role_name, coder_id, role) VALUES (?, ?, ?)",
                                 (login, coder_id, role))
            bw.audit("AddServerUser", {"name": name, "role": role, "login": login, "new_login": not role_exists})
    return ServerUser(name, role, login, secret, not role_exists, added)


def describe(user: ServerUser, url: str) -> str:
    lines = [f"{'Added' if user.added_coder else 'Linked'} {user.role} {user.name} as the database login "
             f"{user.login!r} on {redact(url)}."]
    if user.password:
        lines.append(f"Password (shown only now; send it to {user.name} privately): {user.password}")
    elif user.created_role:
        lines.append("No password was set: the server must let this login in its own way (see pg_hba.conf).")
    else:
        lines.append("The login already existed and keeps the way it signs in.")
    return "\n".join(lines)
