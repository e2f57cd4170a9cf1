"""Users, roles and sign-in: the users file with salted password hashes.

The users file is TOML, at ``$TIERSCOPE_USERS`` or ``data/users.toml``; without it the app runs
as one local head-office user (:data:`LOCAL_USER`). Its format (docs/access.md)::

    [privacy]
    # roles that see customer names and ids; everyone else sees them masked
    identity_roles = ["admin", "branch", "rm"]
    # salt of the pseudonyms that replace masked ids
    pseudonym_salt = "3f0c..."

    [users.alice]
    name = "Alice Wang"
    role = "branch"                 # admin | head_office | branch | rm
    branch = "Shenzhen"             # a branch user: the branch as in the data's branch column
    email = "alice@bank.example"    # optional: matches an OIDC sign-in (st.user.email)
    password = "scrypt$16384$8$1$<salt>$<hash>"   # optional for users who sign in by OIDC only
    identity = true                 # optional: overrides [privacy].identity_roles for this user

    [users.bob]
    role = "rm"
    rm = "RM0042"

Roles and what they see: ``admin`` and ``head_office`` the whole bank (an administrator may also
load data and adopt rules), ``branch`` its branch, ``rm`` the relationship manager's own
customers. Passwords are stored as scrypt hashes (n=2**14, r=8, p=1, a random 16-byte salt per
password); the file never holds a password. No Streamlit here.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from analytics.errors import UsersError
from analytics.rules import DEFAULT_RULES_PATH
from analytics.scope import BANK, NOTHING, Access, Scope

ROLES = ("admin", "head_office", "branch", "rm")
#: Roles that see customer names and ids unless the users file says otherwise.
DEFAULT_IDENTITY_ROLES = ("admin", "branch", "rm")
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")

_N, _R, _P, _SALT_BYTES, _KEY_BYTES = 2**14, 8, 1, 16, 32
_MAXMEM = 64 * 1024 * 1024

_LABELS = {
    "en": {
        "admin": "Administrator",
        "head_office": "Head office",
        "branch": "Branch {unit}",
        "rm": "Relationship manager {unit}",
        "none": "no access",
    },
    "zh": {
        "admin": "管理员",
        "head_office": "总行",
        "branch": "支行 {unit}",
        "rm": "客户经理 {unit}",
        "none": "无权限",
    },
}


def default_path() -> Path:
    """The users file: ``$TIERSCOPE_USERS`` when set, else ``data/users.toml``."""
    env = os.environ.get("TIERSCOPE_USERS")
    return Path(env).expanduser().resolve() if env else DEFAULT_RULES_PATH.parent / "users.toml"


# -- passwords ------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``: ``scrypt$16384$8$1$<salt b64>$<hash b64>``."""
    salt = secrets.token_bytes(_SALT_BYTES)
    key = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=_KEY_BYTES
    )
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$") if isinstance(stored, str) else []
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, key = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if n < 2 or n & (n - 1) or not (0 < r <= 32 and 0 < p <= 16) or not salt or not key or n > 2**20:
        return None
    return n, r, p, salt, key


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash; a malformed hash never matches (no error)."""
    parsed = _parse_hash(stored)
    if parsed is None or not isinstance(password, str):
        return False
    n, r, p, salt, key = parsed
    try:
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=len(key)
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, key)


@functools.cache
def _dummy() -> str:
    """A hash to spend time on for an unknown username, so that timing does not tell which exist."""
    return hash_password(secrets.token_hex(8))


# -- users ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """A person who signs in, with their role and scope.

    Attributes
    ----------
    username : str
        The sign-in name (also the name in the audit log).
    name : str
        The name shown.
    role : {"admin", "head_office", "branch", "rm"}
        What they see: the bank, a branch, or a relationship manager's own customers.
    branch, rm : str or None
        The branch (branch role) or the relationship manager id (rm role).
    email : str or None
        Matches an OIDC sign-in.
    identity : bool
        Sees customer names and ids (else they are masked).
    admin : bool
        May load data and adopt rules (the admin role, and the local user).
    """

    username: str
    name: str = ""
    role: str = "rm"
    branch: str | None = None
    rm: str | None = None
    email: str | None = None
    identity: bool = False
    admin: bool = False

    @property
    def scope(self) -> Scope:
        """What the user may see; a branch or RM user without their unit sees nothing."""
        if self.role in ("admin", "head_office"):
            return BANK
        if self.role == "branch" and self.branch:
            return Scope("branch", self.branch)
        if self.role == "rm" and self.rm:
            return Scope("rm", self.rm)
        return NOTHING

    @property
    def is_admin(self) -> bool:
        """Whether the user may load data and adopt rules."""
        return self.admin or self.role == "admin"

    def access(self, salt: str = "") -> Access:
        """The access the data layer applies: scope, and masking unless the user sees identities."""
        return Access(self.username, self.scope, mask=not self.identity, salt=salt)

    def describe(self, lang: str = "en") -> str:
        """``Alice Wang · Branch Shenzhen`` (or in Chinese)."""
        labels = _LABELS.get(lang, _LABELS["en"])
        scope = self.scope
        if scope.level == "none":
            what = labels["none"]
        elif self.role in ("branch", "rm"):
            what = labels[self.role].format(unit=scope.unit)
        else:
            what = labels[self.role]
        return f"{self.name or self.username} · {what}"


#: The one user of an installation without a users file: head office, and administrator.
LOCAL_USER = User(username="local", name="Local user", role="head_office", identity=True, admin=True)


@dataclass(frozen=True)
class Directory:
    """The users of a users file, and its privacy settings."""

    path: Path
    users: tuple[User, ...]
    salt: str
    identity_roles: tuple[str, ...] = DEFAULT_IDENTITY_ROLES
    hashes: Mapping[str, str] = field(default_factory=dict, repr=False)

    def get(self, username: str) -> User | None:
        """The user of that name, or ``None``."""
        return next((u for u in self.users if u.username == username), None)

    def by_email(self, email: str) -> User | None:
        """The user with that e-mail (case-insensitive), or ``None``."""
        wanted = (email or "").strip().lower()
        if not wanted:
            return None
        return next((u for u in self.users if u.email and u.email.lower() == wanted), None)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password matches their stored hash, else ``None``.

        An unknown user costs the same scrypt as a known one, so timing does not reveal which
        usernames exist; a user without a password (OIDC only) cannot sign in this way.
        """
        stored = self.hashes.get(username)
        ok = verify_password(password or "", stored or _dummy())
        return self.get(username) if ok and stored else None


def _fail(path: Path, where: str, reason: str) -> UsersError:
    return UsersError(f"{path}: {where}: {reason}")


def _text(value: object, path: Path, where: str, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"'{key}' must be a non-empty text")
    return value.strip()


def load_users(path: Path | str | None = None) -> Directory | None:
    """Read a users file; ``None`` when it does not exist (no users configured).

    Raises
    ------
    UsersError
        The file does not parse, or a user is not valid; the message names the file, the user
        and the key.
    """
    path = Path(path) if path is not None else default_path()
    if not path.exists():
        return None
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsersError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersError(f"{path}: cannot be read: {exc}") from None
    privacy = doc.get("privacy", {})
    if not isinstance(privacy, dict):
        raise _fail(path, "[privacy]", "must be a table")
    roles = privacy.get("identity_roles", list(DEFAULT_IDENTITY_ROLES))
    if not isinstance(roles, list) or any(r not in ROLES for r in roles):
        raise _fail(path, "[privacy] identity_roles", f"must be a list of roles from {', '.join(ROLES)}")
    salt = privacy.get("pseudonym_salt", "")
    if not isinstance(salt, str):
        raise _fail(path, "[privacy] pseudonym_salt", "must be a text")
    table = doc.get("users", {})
    if not isinstance(table, dict):
        raise _fail(path, "[users]", "must be a table of users")
    users, hashes, emails = [], {}, {}
    for username, entry in table.items():
        where = f"user '{username}'"
        if not USERNAME.match(username):
            raise _fail(path, where, "a username has letters, digits and . _ - @ only (at most 64)")
        if not isinstance(entry, dict):
            raise _fail(path, where, "must be a table")
        unknown = set(entry) - {"name", "role", "branch", "rm", "email", "password", "identity"}
        if unknown:
            raise _fail(path, where, f"unknown key '{sorted(unknown)[0]}'")
        role = entry.get("role")
        if role not in ROLES:
            raise _fail(path, where, f"'role' must be one of {', '.join(ROLES)}, not {role!r}")
        branch = _text(entry.get("branch"), path, where, "branch")
        rm = _text(entry.get("rm"), path, where, "rm")
        if role == "branch" and not branch:
            raise _fail(path, where, "a branch user needs 'branch' (the branch as in the data)")
        if role == "rm" and not rm:
            raise _fail(path, where, "a relationship manager needs 'rm' (their id as in the data's rm_id)")
        email = _text(entry.get("email"), path, where, "email")
        if email:
            if email.lower() in emails:
                raise _fail(path, where, f"'email' {email} is also user '{emails[email.lower()]}''s")
            emails[email.lower()] = username
        password = entry.get("password")
        if password is not None:
            if not isinstance(password, str) or _parse_hash(password) is None:
                raise _fail(
                    path,
                    where,
                    "'password' must be a scrypt hash (set it with: python -m analytics user passwd)",
                )
            hashes[username] = password
        identity = entry.get("identity", role in roles)
        if not isinstance(identity, bool):
            raise _fail(path, where, "'identity' must be true or false")
        name = _text(entry.get("name"), path, where, "name") or username
        users.append(
            User(
                username=username,
                name=name,
                role=role,
                branch=branch if role == "branch" else None,
                rm=rm if role == "rm" else None,
                email=email,
                identity=identity,
                admin=role == "admin",
            )
        )
    return Directory(path=path, users=tuple(users), salt=salt, identity_roles=tuple(roles), hashes=hashes)


# -- writing the file -----------------------------------------------------------------------------


def _write(path: Path, doc: dict) -> None:
    header = "# Tierscope users (docs/access.md). Passwords are scrypt hashes; set them with\n"
    header += "#   python -m analytics user passwd NAME\n\n"
    users = {
        name: {k: v for k, v in entry.items() if v is not None}
        for name, entry in doc.get("users", {}).items()
    }
    text = header + tomli_w.dumps({"privacy": doc.get("privacy", {}), "users": users})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".users.", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)  # password hashes: readable by the owner only
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_doc(path: Path) -> dict:
    if not path.exists():
        return {
            "privacy": {
                "identity_roles": list(DEFAULT_IDENTITY_ROLES),
                "pseudonym_salt": secrets.token_hex(16),
            }
        }
    load_users(path)  # refuse to rewrite a file that is not valid
    return tomllib.loads(path.read_text(encoding="utf-8"))


def add_user(
    path: Path | str,
    username: str,
    *,
    role: str,
    name: str | None = None,
    branch: str | None = None,
    rm: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> User:
    """Add (or replace) a user in the users file, creating the file when missing.

    The file is rewritten atomically (a temporary file renamed over it); the other users and
    the privacy settings are kept (comments are not). Replacing a user without a new
    ``password`` keeps their password. Returns the user as the file now has them.
    """
    path = Path(path)
    doc = _read_doc(path)
    entry = {"name": name, "role": role, "branch": branch, "rm": rm, "email": email}
    if password is not None:
        entry["password"] = hash_password(password)
    elif "password" in doc.get("users", {}).get(username, {}):
        entry["password"] = doc["users"][username]["password"]
    doc.setdefault("users", {})[username] = {k: v for k, v in entry.items() if v is not None}
    _check_and_write(path, doc)
    return load_users(path).get(username)


def set_password(path: Path | str, username: str, password: str) -> None:
    """Set a user's password (stored as a new salted hash)."""
    path = Path(path)
    doc = _read_doc(path)
    if username not in doc.get("users", {}):
        raise UsersError(f"{path}: no user '{username}'")
    doc["users"][username]["password"] = hash_password(password)
    _check_and_write(path, doc)


def remove_user(path: Path | str, username: str) -> None:
    """Remove a user from the users file."""
    path = Path(path)
    doc = _read_doc(path)
    if username not in doc.get("users", {}):
        raise UsersError(f"{path}: no user '{username}'")
    del doc["users"][username]
    _check_and_write(path, doc)


def _check_and_write(path: Path, doc: dict) -> None:
    # Validate the new contents as a file before replacing the old one
    fd, tmp = tempfile.mkstemp(
        prefix=".users-check.", suffix=".toml", dir=path.parent if path.parent.exists() else None
    )
    os.close(fd)
    try:
        _write(Path(tmp), doc)
        checked = load_users(Path(tmp))
        if checked is None:  # pragma: no cover - just written
            raise UsersError(f"{path}: could not be written")
    except UsersError as exc:
        raise UsersError(str(exc).replace(tmp, str(path))) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    _write(path, doc)
