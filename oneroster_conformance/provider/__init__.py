"""The reference provider: a OneRoster 1.2 rostering server on SQLite, right by construction, with
named faults that each break one rule (docs/architecture.md: the proof).

Public API:
    config.ProviderConfig(faults=frozenset(), db_path=None, students=None, seed=0, token_lifetime=3600,
                          page_cap=None, public_url=None)
    app.create_app(config) -> Starlette application
    server.serve_in_thread(config, host="127.0.0.1", port=0, certfile=None, keyfile=None) -> RunningProvider
        (.base_url, .token_url, .origin, .stop(); a context manager)
    faults.FAULTS: dict[str, Fault(name, description, breaks)]
    auth.load_clients() -> dict[str, Client]  (fixtures/clients.yaml)
    cli.main  (console script oneroster-reference-provider)

It never imports the harness's oracle (oneroster_conformance.query): two independent
implementations checking each other is the point.
"""
