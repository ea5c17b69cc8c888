"""
Command line: `python -m tls_requests.fingerprint chrome_131` prints, on one line, the
fingerprints a server sees for that profile (`--json` for the whole document).
`python -m tls_requests.fingerprint --serve` runs the echo server until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ._probe import fingerprint, summary_line
from .server import FingerprintServer

__all__ = ["main"]


def _option(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return key, value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tls_requests.fingerprint",
        description="Show the TLS (JA3/JA3N/JA4) and HTTP/2 (Akamai) fingerprints a server "
        "sees for a tls_requests profile, using a local loopback echo server.",
    )
    parser.add_argument("client_identifier", nargs="?", help="profile name, e.g. chrome_131")
    parser.add_argument("--json", action="store_true", help="print the whole JSON document")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify the server certificate (verify=False)",
    )
    parser.add_argument(
        "-o",
        "--option",
        action="append",
        type=_option,
        default=[],
        metavar="KEY=VALUE",
        help="extra tls_requests.Client argument; VALUE is parsed as JSON when it can be",
    )
    parser.add_argument("--serve", action="store_true", help="run the echo server until Ctrl-C")
    parser.add_argument(
        "--port", type=int, default=0, help="port for --serve (default: any free port)"
    )
    return parser


def _serve(port: int, as_json: bool) -> int:
    with FingerprintServer(port) as server:
        print(f"Listening on {server.url} (addresses: {server.addresses})", flush=True)
        print(f"CA certificate: {server.ca_path}", flush=True)
        print(f"Try: curl --cacert {server.ca_path} {server.url}", flush=True)
        seen = 0
        try:
            while True:
                try:
                    document = server.wait_for_capture(seen + 1, timeout=1.0)
                except TimeoutError:
                    continue
                seen += 1
                print(
                    json.dumps(document, indent=2) if as_json else summary_line(document),
                    flush=True,
                )
        except KeyboardInterrupt:
            return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.serve:
        return _serve(args.port, args.json)
    if not args.client_identifier:
        parser.error("a client_identifier is required unless --serve is given")
    kwargs: dict[str, Any] = dict(args.option)
    if args.insecure:
        kwargs["verify"] = False
    document = fingerprint(args.client_identifier, **kwargs)
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print(f"{args.client_identifier} {summary_line(document)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
