"""
tls_requests: an httpx-style HTTP client that looks like a real browser on the wire.

Requests go through a Go core (github.com/bogdanfinn/tls-client) that sends the exact TLS
ClientHello and HTTP/2 preface of the chosen browser profile.
"""

from . import (
    _api,
    _auth,
    _client,
    _config,
    _cookies,
    _exceptions,
    _fingerprints,
    _models,
    _profiles,
    _rotators,
    _status_codes,
    _transports,
    _urls,
)
from .__version__ import __version__
from ._api import *
from ._auth import *
from ._client import *
from ._config import *
from ._cookies import *
from ._exceptions import *
from ._fingerprints import *
from ._models import *
from ._profiles import *
from ._rotators import *
from ._status_codes import *
from ._transports import *
from ._urls import *

__all__ = sorted(
    [
        "__version__",
        *_api.__all__,
        *_auth.__all__,
        *_client.__all__,
        *_config.__all__,
        *_cookies.__all__,
        *_exceptions.__all__,
        *_fingerprints.__all__,
        *_models.__all__,
        *_profiles.__all__,
        *_rotators.__all__,
        *_status_codes.__all__,
        *_transports.__all__,
        *_urls.__all__,
    ]
)
