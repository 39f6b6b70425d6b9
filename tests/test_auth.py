"""kb/auth.py without a server: password hashes, the users file, sessions, and the documented lockout."""

from __future__ import annotations

import io
import stat
import threading
from pathlib import Path

import pytest

from cli.main import main as kyodo
from kb.auth import FAILURE_DELAY, LOCKOUT_SECONDS, MAX_FAILURES, Gate, add_user, hash_password, read_users, \
    verify_password
from kb.errors import AuthError, InputError

RIGHT = "right-password-1"


def test_password_hash_verifies_only_the_same_password() -> None:
    encoded = hash_password("รหัสผ่านยาวพอ")
    assert verify_password("รหัสผ่านยาวพอ", encoded)
    assert not verify_password("รหัสผ่านยาวพอ ", encoded)
    assert not verify_password("anything", "scrypt$broken")
    assert hash_password("same") != hash_password("same"), "each hash must have its own salt"


def test_users_file_is_private_and_updates_in_place(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    assert add_user(path, "tanaka", "first-password") is False
    assert add_user(path, "tanaka", "second-password") is True
    users = read_users(path)
    assert list(users) == ["tanaka"] and verify_password("second-password", users["tanaka"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(InputError, match="use at least 8"):
        add_user(path, "sari", "short")
    with pytest.raises(InputError, match="must be letters"):
        add_user(path, "../root", "long-enough-password")


def test_documented_lockout_five_failures_in_300_s_each_delayed_1_s() -> None:
    """The README's numbers, with Gate's defaults: only the clock and the sleep are injected (no real waiting)."""
    assert (MAX_FAILURES, LOCKOUT_SECONDS, FAILURE_DELAY) == (5, 300, 1.0), "README: 5 failures, 5 minutes, 1 s"
    now, slept = [1000.0], []
    gate = Gate(None, RIGHT, clock=lambda: now[0], sleep=slept.append)
    for _ in range(5):
        now[0] += 10
        with pytest.raises(AuthError, match="wrong user name or password"):
            gate.login("admin", "guess", "10.0.0.9")
    assert slept == [1.0] * 5, "every failure waits 1 s"
    with pytest.raises(AuthError, match=r"too many failed logins from this address: try again in 260 s"):
        gate.login("admin", RIGHT, "10.0.0.9")  # the 6th try, even with the right password
    assert slept == [1.0] * 5, "a locked-out try is refused at once, without checking the password"
    assert gate.check(gate.login("admin", RIGHT, "10.0.0.7")) == "admin", "another address is not locked"
    now[0] = 1010 + 299.5  # half a second before the first failure leaves the 300 s window
    with pytest.raises(AuthError, match=r"try again in 1 s"):
        gate.login("admin", RIGHT, "10.0.0.9")
    now[0] = 1010 + 300  # the first failure has left the window: four remain, so one more try is allowed
    assert gate.check(gate.login("admin", RIGHT, "10.0.0.9")) == "admin"
    for _ in range(4):
        with pytest.raises(AuthError, match="wrong user name or password"):
            gate.login("admin", "guess", "10.0.0.9")
    assert gate.check(gate.login("admin", RIGHT, "10.0.0.9")) == "admin", "a success clears the address's failures"


def test_guesses_sent_in_parallel_cannot_pass_the_failure_limit(tmp_path: Path) -> None:
    add_user(tmp_path / "users.txt", "tanaka", RIGHT)  # a scrypt check (~50 ms) per guess: the guesses overlap
    gate = Gate(tmp_path / "users.txt", sleep=lambda _: None)
    start, outcomes = threading.Barrier(8), []

    def guess() -> None:
        start.wait()
        try:
            gate.login("tanaka", "guess", "10.0.0.9")
        except AuthError as exc:
            outcomes.append(str(exc).split(":")[0])

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["too many failed logins from this address"] * 3 + ["wrong user name or password"] * 5


def test_session_expires_and_unknown_tokens_are_refused() -> None:
    now = [0.0]
    gate = Gate(None, RIGHT, session_seconds=10, clock=lambda: now[0], sleep=lambda _: None)
    token = gate.login("admin", RIGHT)
    with pytest.raises(AuthError):
        gate.check("forged-token")
    with pytest.raises(AuthError):
        gate.check("")
    now[0] = 11.0
    with pytest.raises(AuthError, match="log in as a maintainer first"):
        gate.check(token)


def test_kyodo_users_add_writes_a_hashed_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KYODO_HOME", str(tmp_path))
    monkeypatch.delenv("KYODO_USERS_FILE", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("パスワード-長め\n"))
    assert kyodo(["users", "add", "sato", "--password-stdin"]) == 0
    assert capsys.readouterr().out == f"added sato in {tmp_path / 'users.txt'}\n"
    text = (tmp_path / "users.txt").read_text(encoding="utf-8")
    assert "パスワード" not in text and verify_password("パスワード-長め", read_users(tmp_path / "users.txt")["sato"])
    gate = Gate(tmp_path / "users.txt", sleep=lambda _: None)
    assert gate.check(gate.login("sato", "パスワード-長め")) == "sato"
