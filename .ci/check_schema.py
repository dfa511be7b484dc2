#!/usr/bin/env python3
"""Sanity-check the exported GraphQL SDL (schema.graphql).

Usage: python3 .ci/check_schema.py schema.graphql

Parses the SDL with graphql-core and checks that the public API surface the
clients rely on is present. Prints `schema ok: N types` on success, exits
non-zero with a list of problems otherwise.
"""

import sys

try:
    from graphql import GraphQLEnumType, build_schema
except ImportError:  # pragma: no cover
    sys.exit("check_schema: graphql-core is not installed (pip install graphql-core)")

REQUIRED_FIELDS = {
    "Query": ["me", "ticket", "tickets"],
    "Mutation": ["login", "createTicket", "replyToTicket", "updateTicket", "mergeTickets"],
}

REQUIRED_ENUMS = {
    "Channel": ["EMAIL", "WEB_FORM", "CHAT", "PHONE", "SOCIAL", "API"],
    "TicketStatus": ["NEW", "OPEN", "PENDING", "ON_HOLD", "SOLVED", "CLOSED"],
    "Priority": ["LOW", "NORMAL", "HIGH", "URGENT"],
    "Role": ["ADMIN", "AGENT"],
}


def check(sdl: str) -> tuple[list[str], int]:
    errors: list[str] = []
    try:
        schema = build_schema(sdl)
    except Exception as exc:  # GraphQLError, syntax errors, ...
        return [f"schema does not parse/build: {exc}"], 0

    roots = {"Query": schema.query_type, "Mutation": schema.mutation_type}
    for root_name, fields in REQUIRED_FIELDS.items():
        root = roots[root_name]
        if root is None:
            errors.append(f"missing root operation type {root_name}")
            continue
        if root.name != root_name:
            errors.append(f"{root_name} root type is named {root.name!r}, expected {root_name!r}")
        missing = [f for f in fields if f not in root.fields]
        if missing:
            errors.append(f"{root.name} is missing field(s): {', '.join(missing)}")

    for enum_name, expected in REQUIRED_ENUMS.items():
        t = schema.type_map.get(enum_name)
        if t is None:
            errors.append(f"missing enum {enum_name}")
            continue
        if not isinstance(t, GraphQLEnumType):
            errors.append(f"{enum_name} is a {type(t).__name__}, expected an enum")
            continue
        actual = list(t.values)
        if set(actual) != set(expected) or len(actual) != len(expected):
            missing = [v for v in expected if v not in actual]
            extra = [v for v in actual if v not in expected]
            detail = []
            if missing:
                detail.append(f"missing {', '.join(missing)}")
            if extra:
                detail.append(f"unexpected {', '.join(extra)}")
            errors.append(
                f"enum {enum_name} values {actual} != expected {expected} ({'; '.join(detail)})"
            )

    # Count user-defined named types (exclude introspection and built-in scalars).
    builtin = {"String", "Int", "Float", "Boolean", "ID"}
    n_types = sum(
        1 for name in schema.type_map if not name.startswith("__") and name not in builtin
    )
    return errors, n_types


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} SCHEMA.graphql", file=sys.stderr)
        return 2
    path = argv[1]
    try:
        with open(path, encoding="utf-8") as f:
            sdl = f.read()
    except OSError as exc:
        print(f"check_schema: cannot read {path}: {exc}", file=sys.stderr)
        return 1

    errors, n_types = check(sdl)
    if errors:
        print(f"check_schema: {path} FAILED:", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        return 1
    print(f"schema ok: {n_types} types")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
