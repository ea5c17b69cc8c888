from __future__ import annotations

import tls_requests


def test_all_is_sorted_and_complete() -> None:
    assert tls_requests.__all__ == sorted(tls_requests.__all__)
    for name in tls_requests.__all__:
        assert hasattr(tls_requests, name), name
    public = {n for n in dir(tls_requests) if not n.startswith("_")}
    # Nothing public sneaks in without being declared.
    assert public <= set(tls_requests.__all__) | {"fingerprint"}
