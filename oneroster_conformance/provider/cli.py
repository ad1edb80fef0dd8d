"""oneroster-reference-provider: run the reference provider from the command line."""

from __future__ import annotations

import argparse
import sys

from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.faults import describe
from oneroster_conformance.spec.v1p1 import only_v1p1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="oneroster-reference-provider",
        description="A OneRoster 1.2 rostering provider on SQLite, conformant unless told to break a rule.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", metavar="FILE", help="persist the database in FILE (reused when it matches)")
    p.add_argument("--students", type=int, metavar="N", help="generate a district of N students "
                   "instead of the sample roster")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    p.add_argument("--fault", action="append", default=[], metavar="NAME", help="switch a named fault on "
                   "(repeatable; see --list-faults)")
    p.add_argument("--page-cap", type=int, metavar="N", help="largest page served (announced correctly)")
    p.add_argument("--token-lifetime", type=int, default=3600, metavar="SECONDS")
    p.add_argument("--public-url", help="origin used in hrefs, Link headers and discovery")
    p.add_argument("--certfile", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--keyfile", help="private key for --certfile (PEM)")
    p.add_argument("--binding", choices=["v1p2", "v1p1"], default="v1p2", help="serve OneRoster 1.2 (default) or 1.1")
    p.add_argument("--flavour", choices=["aeries"], help="serve 1.1 as Aeries does: /admin/ims/oneroster/v1p1, "
                   "token at /admin/token/, API records with permissions (implies --binding v1p1)")
    p.add_argument("--auth", choices=["oauth2", "oauth1"], default="oauth2", help="oauth1: resource requests must be "
                   "OAuth 1.0a signed (HMAC-SHA256) with a client id and secret (1.1 only)")
    p.add_argument("--latency-ms", type=float, default=0, metavar="MS", help="every response waits MS milliseconds "
                   "first, as a server across a network would (benchmarks)")
    p.add_argument("--services", default="rostering,gradebook,resources", help="the 1.2 services served, "
                   "comma-separated (default all three; 'rostering' alone is a conformant Rostering-only SIS)")
    p.add_argument("--request-log", metavar="FILE", help="append one line per request to FILE: method, path and "
                   "status (no query, body or header), e.g. to show that no write reached the server")
    p.add_argument("--delete-marks", action="store_true", help="Gradebook DELETE marks the record 'tobedeleted' "
                   "instead of removing it (a conformant reading)")
    p.add_argument("--put-update-status", type=int, choices=[200, 201], default=201, help="the answer to a "
                   "Gradebook PUT that updates an existing record (default 201, the OpenAPI's; 200 is conformant too)")
    p.add_argument("--post-keeps-ids", action="store_true", help="Gradebook POST allocates the supplied sourcedIds "
                   "themselves when free (a conformant reading; default: new uuids)")
    p.add_argument("--list-faults", action="store_true", help="list the named faults and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.list_faults:
        print(describe())
        return 0
    if (args.certfile is None) != (args.keyfile is None):
        print("--certfile and --keyfile go together", file=sys.stderr)
        return 2
    try:
        config = ProviderConfig(faults=frozenset(args.fault), db_path=args.db, students=args.students,
                                seed=args.seed, token_lifetime=args.token_lifetime, page_cap=args.page_cap,
                                public_url=args.public_url,
                                binding="v1p1" if only_v1p1(args.flavour, args.auth) else args.binding,
                                flavour=args.flavour, auth=args.auth, latency=args.latency_ms / 1000,
                                services=frozenset(x.strip() for x in args.services.split(",") if x.strip()),
                                request_log=args.request_log, delete_marks=args.delete_marks,
                                put_update_status=args.put_update_status, post_keeps_ids=args.post_keeps_ids)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2

    import uvicorn

    from oneroster_conformance.provider.app import create_app, service_root_path, token_path
    from oneroster_conformance.provider.auth import clients_for
    from oneroster_conformance.provider.server import bind_socket, uvicorn_config

    print("Preparing the roster ...", flush=True)
    app = create_app(config)
    scheme = "https" if args.certfile else "http"
    here = (args.public_url or f"{scheme}://{args.host}:{args.port}").rstrip("/")
    print(f"Service root: {here}{service_root_path(config)}")
    print(f"Token URL:    {here}{token_path(config)}" + ("  (not used: requests are OAuth 1.0a signed)"
                                                          if config.auth == "oauth1" else ""))
    if config.faults:
        print(f"Faults on:    {', '.join(sorted(config.faults))}")
    print("Built-in clients (client_id / client_secret / scopes or API record):")
    for client in clients_for(config).values():
        scopes = " ".join(s.rsplit("/", 1)[-1] for s in sorted(client.scopes)) or client.description or "-"
        print(f"  {client.client_id:<26} {client.client_secret}  {scopes}")
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as e:
        print(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        app.state.provider.store.close()
        return 1
    print("Press Ctrl-C to stop.", flush=True)
    server = uvicorn.Server(uvicorn_config(app, config, args.certfile, args.keyfile))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        app.state.provider.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
