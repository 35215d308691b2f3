"""SHA-256 without OpenSSL's start-up: :mod:`hashlib` loads the OpenSSL library first,
which costs a tenth of a whole `check` on a cached pack; the interpreter's own SHA-256
gives the same digests. (hashlib is used where neither module is built in.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import sha256 as sha256
else:
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:  # pragma: no cover - the name in Python 3.12 and later
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256

__all__ = ["sha256"]
