import pytest, tls_requests

@pytest.mark.parametrize("order", ["sh", "hs", "hh", "ss", "h"])
def test_px(order, https_server, http_server, http_proxy, ca_bundle):
    with tls_requests.Client(verify=ca_bundle, proxy=http_proxy.url) as c:
        for ch in order:
            c.get((https_server if ch == "s" else http_server).url_for("/echo"))
    import gc, time; time.sleep(0.3); gc.collect()
