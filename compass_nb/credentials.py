"""One credential scrubber for every output and message, and the rule that keeps secrets out
of parameters files.

Where a secret can show up, and what :func:`scrub` does with it:

* the password of a URL's userinfo, with or without a user name
  (``postgresql://ana:s3cret@db``, ``postgresql://:s3cret@db``) becomes ``***``;
* the value of a parameter named like a secret — in a URL's query string
  (``sqlite:///db?password=s3cret``), an ODBC string (``PWD=s3cret;``, also
  percent-encoded inside ``odbc_connect=``) or a libpq one (``password=s3cret host=db``)
  — becomes ``***`` (names ending in ``password``, ``pwd``,
  ``passwd``, ``secret``, ``token``, ``key``, ``auth``, ``credential(s)``, ``signature``,
  ``sig``, ``sas``, in any case);
* a value read from the environment into a secret's place (``${DB_PASSWORD}``, by
  :func:`expand_env`, or named by the parameters, see :func:`written_out`) is
  remembered, and wherever it appears later (a driver's error message quoting the
  expanded URL) it becomes ``***``; values shorter than :data:`MIN_REMEMBERED` characters
  are masked only where they stand in a URL, not in free text.

A parameters file never holds a secret: :func:`written_out` finds (and the parameters refuse) a URL whose
password or secret-named query parameter is written out instead of ``${VARIABLE}``.

This module imports nothing from the package at load time, so that :mod:`compass_nb.errors`
can scrub every message it carries.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

MASK = "***"
#: Remembered secrets shorter than this are masked only in their URL position.
MIN_REMEMBERED = 4

_SECRET_NAME = (
    r"[\w.\-]*?(?:password|passwd|pwd|secret|token|key|auth|credentials?|signature|sig|sas)"
)
_TOKEN_END = "\\s'\"<>"
#: ``scheme://user:password@`` (user may be empty); the password runs to the token's last ``@``.
_USERINFO = re.compile(
    rf"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@{_TOKEN_END}]*:)(?P<secret>[^{_TOKEN_END}]*)@"
)
#: ``name=value`` where the name ends like a secret's (query strings, ODBC, libpq).
_NAMED = re.compile(
    rf"(?i)(?P<head>(?:(?<=%3B)|(?<=%26)|(?<![\w.\-%]))(?P<name>{_SECRET_NAME})\s*(?:=|%3D)\s*)"
    rf"(?P<secret>'[^']*'|\"[^\"]*\"|(?:(?!%3B|%26)[^&;,{_TOKEN_END}])*)"
)
_SECRET_KEY = re.compile(rf"(?i)^{_SECRET_NAME}$")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*://[^{_TOKEN_END}]*")

_remembered: set[str] = set()


def remember(secret: str) -> None:
    """Mask ``secret`` wherever it appears from now on (in this process)."""
    if secret and secret != MASK:
        _remembered.add(str(secret))


def _masked_value(match: re.Match) -> str:
    secret = match.group("secret")
    if not secret or secret.strip("'\"") == MASK or _ENV.fullmatch(secret.strip("'\"")):
        return match.group(0)  # nothing, already masked, or a ${VARIABLE} placeholder
    return match.group("head") + MASK + ("@" if match.re is _USERINFO else "")


def scrub(text: object) -> str:
    """``text`` with every credential it holds replaced by ``***`` (see the module docstring).

    Examples
    --------
    >>> scrub("postgresql://ana:s3cret@db/sales")
    'postgresql://ana:***@db/sales'
    >>> scrub("sqlite:///crm.db?password=s3cret&mode=ro")
    'sqlite:///crm.db?password=***&mode=ro'
    >>> scrub("postgresql://:s3cret@db")
    'postgresql://:***@db'
    >>> scrub("postgresql://ana:${DB_PASSWORD}@db")  # a placeholder is no secret
    'postgresql://ana:${DB_PASSWORD}@db'
    """
    out = str(text)
    for secret in sorted(_remembered, key=len, reverse=True):
        if len(secret) >= MIN_REMEMBERED and secret in out:
            out = out.replace(secret, MASK)
    out = _USERINFO.sub(_masked_value, out)
    return _NAMED.sub(_masked_value, out)


def scrub_all(value):
    """``value`` (parameters: mappings, lists, strings) with every credential masked.

    Strings are scrubbed; a mapping's entry whose key is named like a secret is masked
    whole (``{"password": "s3cret"}`` → ``{"password": "***"}``).
    """
    if isinstance(value, dict):
        return {
            k: (MASK if _is_secret_key(k) and v not in (None, "") else scrub_all(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(scrub_all(v) for v in value)
    return scrub(value) if isinstance(value, str) else value


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and bool(_SECRET_KEY.match(key))


# -- environment variables ------------------------------------------------------------------
def _secret_placeholders(text: str) -> set[str]:
    """Names of the ``${VAR}`` that stand where a secret goes in ``text``'s URLs."""
    names = set()
    for url in _URL.findall(text):
        for pattern in (_USERINFO, _NAMED):
            for match in pattern.finditer(url):
                names |= set(_ENV.findall(match.group("secret")))
    return names | {n for n in _ENV.findall(text) if _SECRET_KEY.match(n.lower())}


def expand_env(text: str, missing: Callable[[str, str], Exception]) -> str:
    """``text`` with each ``${NAME}`` replaced by the environment variable ``NAME``.

    Values that stand in a secret's place are remembered by :func:`scrub`. ``missing``
    builds the error raised for an unset variable from its name and the scrubbed text.
    """
    secrets = _secret_placeholders(text)

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise missing(name, scrub(text))
        if name in secrets:
            remember(os.environ[name])
        return os.environ[name]

    return _ENV.sub(value, text)


# -- parameters -----------------------------------------------------------------------------
def literal_credential(text: str) -> str | None:
    """What in ``text`` is a credential written out (not ``${VARIABLE}``), or ``None``.

    Only URLs are judged: their userinfo password and their secret-named query parameters.
    """
    for url in _URL.findall(str(text)):
        for pattern, where in ((_USERINFO, "a password"), (_NAMED, "a secret parameter")):
            for match in pattern.finditer(url):
                secret = match.group("secret").strip("'\"")
                if secret and not _ENV.fullmatch(secret):
                    return where if pattern is _USERINFO else f"{where} ({match.group('name')})"
    return None


def _strings(value, path: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}{k}.")
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v, path)
    elif isinstance(value, str):
        yield path.rstrip("."), value


def written_out(params: dict) -> tuple[str, str, str] | None:
    """The first parameter holding a credential written out, as ``(key, what, scrubbed
    text)``, or ``None``; the environment's secrets named by ``${VARIABLE}`` placeholders
    are remembered by :func:`scrub` on the way."""
    for key, text in _strings(params):
        found = literal_credential(text)
        if found:
            return key, found, scrub(text)
        for name in _secret_placeholders(text):
            if os.environ.get(name):
                remember(os.environ[name])
    return None
