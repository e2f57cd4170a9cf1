"""The users file: password hashes, roles and scopes, validation, and the `user` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from analytics import users
from analytics.errors import UsersError
from analytics.scope import BANK, NOTHING, Scope
from tests.conftest import REPO


def test_hash_and_verify():
    stored = users.hash_password("correct horse")
    assert stored.startswith("scrypt$16384$8$1$")
    assert users.verify_password("correct horse", stored)
    assert not users.verify_password("correct horsE", stored)
    assert users.hash_password("correct horse") != stored  # a new salt every time
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    assert not users.verify_password("correct horse", tampered)
    for malformed in ("", "plain", "scrypt$1$8$1$x$y", "md5$abc", "scrypt$16384$8$1$!!$??", None):
        assert not users.verify_password("correct horse", malformed)


def _file(tmp_path, text: str):
    path = tmp_path / "users.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_roles_give_scopes_and_masking(tmp_path):
    pw = users.hash_password("secret-1")
    path = _file(
        tmp_path,
        f"""
[privacy]
pseudonym_salt = "s"

[users.ann]
role = "head_office"
password = "{pw}"

[users.ben]
role = "branch"
branch = "B1"
email = "Ben@Bank.example"

[users.cat]
role = "rm"
rm = "M2"
identity = false

[users.dan]
role = "admin"
""",
    )
    found = users.load_users(path)
    by = {u.username: u for u in found.users}
    assert by["ann"].scope == BANK and by["dan"].scope == BANK
    assert by["ben"].scope == Scope("branch", "B1") and by["cat"].scope == Scope("rm", "M2")
    # default identity roles: admin, branch, rm; a per-user override wins
    assert [by[n].access("s").mask for n in ("ann", "ben", "cat", "dan")] == [True, False, True, False]
    assert by["dan"].is_admin and not by["ann"].is_admin
    assert found.by_email("ben@bank.EXAMPLE").username == "ben"
    assert found.authenticate("ann", "secret-1").username == "ann"
    assert found.authenticate("ann", "wrong") is None
    assert found.authenticate("nobody", "secret-1") is None
    assert found.authenticate("ben", "") is None  # no password: OIDC only
    assert by["ben"].describe() == "ben · Branch B1"
    assert users.User("x", role="branch").scope == NOTHING  # no unit: default deny


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('role = "branch"', "user 'x': a branch user needs 'branch'"),
        ('role = "rm"', "user 'x': a relationship manager needs 'rm'"),
        ('role = "boss"', "user 'x': 'role' must be one of admin, head_office, branch, rm"),
        ('role = "admin"\npassword = "hunter2"', "user 'x': 'password' must be a scrypt hash"),
        ('role = "admin"\ncolour = "red"', "user 'x': unknown key 'colour'"),
    ],
)
def test_invalid_users_are_named(tmp_path, entry, message):
    path = _file(tmp_path, f"[users.x]\n{entry}\n")
    with pytest.raises(UsersError) as info:
        users.load_users(path)
    assert str(info.value) == f"{path}: {message}" or str(info.value).startswith(f"{path}: {message}")


def test_bad_toml_and_duplicate_emails(tmp_path):
    with pytest.raises(UsersError, match="not valid TOML"):
        users.load_users(_file(tmp_path, "[users.x\n"))
    text = '[users.a]\nrole = "admin"\nemail = "a@b.c"\n[users.b]\nrole = "admin"\nemail = "A@b.c"\n'
    with pytest.raises(UsersError, match="'email' A@b.c is also user 'a'"):
        users.load_users(_file(tmp_path, text))
    assert users.load_users(tmp_path / "absent.toml") is None


def test_add_set_remove_keep_the_others_and_the_salt(tmp_path):
    path = tmp_path / "users.toml"
    users.add_user(path, "ann", role="head_office", password="first-pw")
    salt = users.load_users(path).salt
    assert len(salt) == 32
    users.add_user(path, "ben", role="branch", branch="深圳南山支行", name='Ben "B"')
    users.set_password(path, "ben", "second-pw")
    found = users.load_users(path)
    assert found.salt == salt and [u.username for u in found.users] == ["ann", "ben"]
    assert found.get("ben").branch == "深圳南山支行" and found.get("ben").name == 'Ben "B"'
    assert found.authenticate("ben", "second-pw") and found.authenticate("ann", "first-pw")
    assert "second-pw" not in path.read_text(encoding="utf-8")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    users.remove_user(path, "ann")
    assert [u.username for u in users.load_users(path).users] == ["ben"]
    with pytest.raises(UsersError, match="no user 'ann'"):
        users.remove_user(path, "ann")
    with pytest.raises(UsersError, match="a branch user needs 'branch'"):
        users.add_user(path, "cat", role="branch")
    assert [u.username for u in users.load_users(path).users] == ["ben"]  # unchanged


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TIERSCOPE_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )


def test_the_user_command(tmp_path):
    path = str(tmp_path / "users.toml")
    done = _cli(
        "user",
        "--users",
        path,
        "add",
        "ann",
        "--role",
        "rm",
        "--rm",
        "M1",
        "--password-stdin",
        stdin="pw-of-ann\n",
    )
    assert done.returncode == 0, done.stderr
    assert users.load_users(path).authenticate("ann", "pw-of-ann").scope == Scope("rm", "M1")
    listed = json.loads(_cli("user", "--users", path, "--json", "list").stdout)
    assert listed["users"] == [
        {
            "username": "ann",
            "name": "ann",
            "role": "rm",
            "scope": "rm:M1",
            "email": None,
            "identity": True,
            "password": True,
        }
    ]
    assert "scrypt" not in json.dumps(listed)
    short = _cli("user", "--users", path, "passwd", "ann", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    missing = _cli("user", "--users", path, "remove", "nobody")
    assert missing.returncode == 2 and "no user 'nobody'" in missing.stderr


def test_options_after_the_action_and_replacing_keeps_the_password(tmp_path):
    path = str(tmp_path / "users.toml")
    done = _cli(
        "user",
        "add",
        "ann",
        "--role",
        "branch",
        "--branch",
        "B1",
        "--users",
        path,
        "--password-stdin",
        stdin="pw-of-ann\n",
    )
    assert done.returncode == 0, done.stderr
    # again without a password (stdin is not a terminal): a new role, the same password
    again = _cli("user", "add", "ann", "--role", "rm", "--rm", "M2", "--users", path)
    assert again.returncode == 0, again.stderr
    assert users.load_users(path).authenticate("ann", "pw-of-ann").scope == Scope("rm", "M2")
    listed = json.loads(_cli("user", "list", "--json", "--users", path).stdout)
    assert [(u["username"], u["scope"], u["password"]) for u in listed["users"]] == [("ann", "rm:M2", True)]
    assert "scrypt" not in json.dumps(listed)
    # no password at all for a new user without a terminal: single sign-on only
    assert _cli("user", "add", "ben", "--role", "admin", "--users", path).returncode == 0
    assert users.load_users(path).authenticate("ben", "") is None


def test_bad_toml_names_the_line_and_bad_usernames(tmp_path):
    with pytest.raises(UsersError, match=r"not valid TOML: .*line 3"):
        users.load_users(_file(tmp_path, '[users.x]\nrole = "admin"\nname = \n'))
    with pytest.raises(UsersError, match="user 'a b': a username has letters, digits"):
        users.load_users(_file(tmp_path, '[users."a b"]\nrole = "admin"\n'))
    with pytest.raises(UsersError, match="user 'a b'"):
        users.add_user(tmp_path / "new.toml", "a b", role="admin")
    assert not (tmp_path / "new.toml").exists()
