"""Who may change the corpus: scrypt-hashed passwords, the users file, login sessions, failed-login throttling.

Asking needs no login; every write action checks a session token that ``Gate.login`` issued.
A users file holds one ``name:scrypt$N$r$p$salt$hash`` line per maintainer (``kyodo users add``);
``KYODO_ADMIN_PASSWORD`` adds the user ``admin``. Deliberately left out: roles, password reset,
sessions that outlive the process (a restart logs everyone out).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kb.errors import AuthError, InputError

ADMIN = "admin"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
MIN_PASSWORD = 8
# scrypt at N=2^15, r=8 costs ~50 ms and 32 MB per check: cheap for a login, dear for a guesser.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5
LOCKOUT_SECONDS = 300
FAILURE_DELAY = 1.0


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=32)


def hash_password(password: str) -> str:
    """A salted scrypt hash in one portable string.

    >>> hash_password("correct horse").startswith("scrypt$32768$8$1$")
    True
    """
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    salt_text, digest_text = (base64.b64encode(raw).decode("ascii") for raw in (salt, digest))
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt_text}${digest_text}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded`` (compared in constant time); a malformed hash never matches."""
    try:
        kind, n, r, p, salt, digest = encoded.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def read_users(path: Path) -> dict[str, str]:
    """``name -> hash`` from a users file; a missing file has no users."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    users = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, encoded = line.strip().partition(":")
        if not sep or not NAME.fullmatch(name) or not encoded.startswith("scrypt$"):
            raise AuthError(f"{path}:{number}: not a 'name:scrypt$...' line (write it with 'kyodo users add NAME')")
        users[name] = encoded
    return users


def add_user(path: Path, name: str, password: str) -> bool:
    """Write ``name``'s hashed password into the users file (readable by its owner only); True if replaced."""
    if not NAME.fullmatch(name):
        raise InputError(f"user name {name!r} must be letters, digits, '_', '.', '@' or '-' (at most 64)")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password for {name!r} is {len(password)} characters: use at least {MIN_PASSWORD}")
    users = read_users(path)
    replaced = name in users
    users[name] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# Kyodo maintainers: name:scrypt hash. Edit with 'kyodo users add NAME'.\n")
        out.writelines(f"{user}:{encoded}\n" for user, encoded in sorted(users.items()))
    partial.replace(path)
    return replaced


class Gate:
    """Logins and sessions for one server process; thread-safe.

    Failed logins from one client are each delayed by ``delay`` seconds, and after
    ``max_failures`` within ``lockout`` seconds that client is refused until the window passes.
    An attempt counts as failed from the moment it starts until it succeeds, so parallel guesses
    cannot overrun the limit. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, users_path: Path | None = None, admin_password: str | None = None, *,
                 session_seconds: float = SESSION_SECONDS, max_failures: int = MAX_FAILURES,
                 lockout: float = LOCKOUT_SECONDS, delay: float = FAILURE_DELAY,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.users_path = users_path
        self._admin = hashlib.sha256(admin_password.encode("utf-8")).digest() if admin_password else None
        self._sessions: dict[str, tuple[str, float]] = {}
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self.session_seconds, self.max_failures, self.lockout, self.delay = session_seconds, max_failures, lockout, delay
        self._clock, self._sleep = clock, sleep
        self._dummy = hash_password(secrets.token_hex(8))

    @property
    def configured(self) -> bool:
        """Whether anyone can log in at all (else every write is refused)."""
        return self._admin is not None or bool(self._users())

    def _users(self) -> dict[str, str]:
        # Read on every login, so 'kyodo users add' takes effect without a restart.
        return read_users(self.users_path) if self.users_path else {}

    def _matches(self, name: str, password: str) -> bool:
        users = self._users()
        if name in users:
            return verify_password(password, users[name])
        if name == ADMIN and self._admin is not None:
            return hmac.compare_digest(hashlib.sha256(password.encode("utf-8")).digest(), self._admin)
        verify_password(password, self._dummy)  # an unknown name costs as long as a known one
        return False

    def login(self, name: str, password: str, client: str = "") -> str:
        """A new session token for ``name``, or ``AuthError`` (not configured, locked out, wrong password)."""
        if not self.configured:
            raise AuthError("no maintainer login is configured: add one with 'kyodo users add NAME', or set "
                            "KYODO_ADMIN_PASSWORD and restart the server")
        with self._lock:
            now = self._clock()
            recent = [t for t in self._failures.get(client, []) if now - t < self.lockout]
            self._failures[client] = recent
            if len(recent) >= self.max_failures:
                wait = math.ceil(self.lockout - (now - recent[0]))
                raise AuthError(f"too many failed logins from this address: try again in {wait} s")
            # Counted as a failure until it succeeds, so guesses sent in parallel cannot get past the limit.
            recent.append(now)
        if not self._matches((name or "").strip(), password or ""):
            self._sleep(self.delay)
            raise AuthError("wrong user name or password")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._failures.pop(client, None)
            self._sessions[token] = ((name or "").strip(), now + self.session_seconds)
        return token

    def check(self, token: str | None) -> str:
        """The user a live session token belongs to; ``AuthError`` for none, an unknown or an expired one."""
        with self._lock:
            name, expires = self._sessions.get(token or "", ("", 0.0))
            if not name or self._clock() >= expires:
                self._sessions.pop(token or "", None)
                raise AuthError("log in as a maintainer first (Maintain tab): adding documents and exporting feedback "
                                "need a login")
        return name

    def logout(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)
