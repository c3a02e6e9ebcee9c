"""``aftersale-watch sandbox``: run the sandbox gateway alone, in the foreground, until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time

from desktop.cli import EXIT_OK, EXIT_USAGE
from desktop.core.i18n import tr

HELP = "run the embedded Kuaishou-compatible sandbox shop on 127.0.0.1 and print its credentials"
DEFAULT_PORT = 8765


def configure(parser: argparse.ArgumentParser) -> None:
    from desktop.cli.common import number

    parser.add_argument(
        "--port",
        type=number(int, "--port", minimum=0, maximum=65535),
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 = any free port)",
    )
    parser.add_argument(
        "--seed",
        type=number(int, "--seed", minimum=0, maximum=2**32 - 1),
        default=7,
        help="demo data seed (default 7)",
    )
    parser.add_argument(
        "--qps",
        type=number(int, "--qps", minimum=1, maximum=100_000),
        default=None,
        help="per-method QPS limit (default: none)",
    )
    parser.add_argument("--empty", action="store_true", help="start without demo data")
    parser.add_argument(
        "--wire-shape",
        choices=("declared", "text", "objects"),
        default="declared",
        help="shape of the answers: the types the platform's schema declares (default), numbers as "
        "text, or pictures/address as JSON arrays/objects and roles as words",
    )


def hand_call_command(base_url: str, app_key: str, sign_secret: str, access_token: str) -> str:
    """A one-line shell command that makes one signed call to ``base_url`` by hand."""
    q = json.dumps
    code = (
        "import time,requests;"
        "from desktop.core.kuaishou.signing import sign;"
        f"p=dict(appkey={q(app_key)},method={q('open.user.seller.get')},version={q('1')},param={q('{}')},"
        f"access_token={q(access_token)},timestamp=str(int(time.time()*1000)),signMethod={q('HMAC_SHA256')});"
        f"p[{q('sign')}]=sign(p,{q(sign_secret)});"
        f"print(requests.get({q(base_url + '/open/user/seller/get')},params=p).text)"
    )
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


def curl_command(base_url: str, app_key: str, sign_secret: str, access_token: str) -> str:
    """The same call with curl: the sandbox checks that a timestamp is present, not how old it is."""
    from desktop.core.kuaishou.signing import sign

    params = {
        "access_token": access_token,
        "appkey": app_key,
        "method": "open.user.seller.get",
        "param": "{}",
        "signMethod": "MD5",
        "timestamp": "1764140000000",
        "version": "1",
    }
    params["sign"] = sign(params, sign_secret)
    args = " ".join(f"--data-urlencode {shlex.quote(f'{k}={v}')}" for k, v in params.items())
    return f"curl -sG {base_url}/open/user/seller/get {args}"


def run(args: argparse.Namespace) -> int:
    from desktop.sandbox import Sandbox

    if not 0 <= args.port <= 65535:
        print(tr("The port must be between 0 and 65535."), file=sys.stderr)
        return EXIT_USAGE
    sandbox = Sandbox(
        seed=args.seed,
        demo_data=not args.empty,
        qps_limit=args.qps,
        port=args.port,
        wire_shape=args.wire_shape,
    )
    try:
        url = sandbox.start()
    except OSError as exc:
        print(tr("Cannot listen on 127.0.0.1:{port}: {error}", port=args.port, error=exc), file=sys.stderr)
        return EXIT_USAGE
    c = sandbox.credentials
    lines = [
        tr("Sandbox shop “{name}” is running at {url}", name=sandbox.shop.shop_name, url=url),
        tr("{count} after-sale requests, seed {seed}", count=len(sandbox.refunds), seed=args.seed),
        "",
        f"  base URL      {url}",
        f"  authorize URL {sandbox.authorize_url}",
        f"  app key       {c.app_key}",
        f"  app secret    {c.app_secret}",
        f"  sign secret   {c.sign_secret}",
        f"  access token  {c.access_token}",
        f"  refresh token {c.refresh_token}",
        f"  sign method   {c.sign_method} (MD5 {tr('also accepted')})",
        "",
        tr("A signed call by hand:"),
        "  " + hand_call_command(url, c.app_key, c.sign_secret, c.access_token),
        tr("or with curl:"),
        "  " + curl_command(url, c.app_key, c.sign_secret, c.access_token),
        "",
        tr("Press Ctrl-C to stop."),
    ]
    print("\n".join(lines), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    print(tr("Sandbox stopped."))
    return EXIT_OK
