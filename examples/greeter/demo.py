"""Calls the Go greeter (greeter.go, built with `isthmus build`) from Python.

    isthmus build --export strings.Fields=Words --out greeter.wasm examples/greeter
    python examples/greeter/demo.py greeter.wasm

Each line shows a call and what came back; tests/python/test_greeter.py checks the output.
"""
import datetime as dt
import inspect
import sys

import isthmus

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # fixed, so the output does not change

# What GreetFriend's callback looks names up in: a plain Python dict.
NICKNAMES = {"Grace Hopper": "Amazing Grace", "Margaret Hamilton": "Maggie"}


def nickname(name: str) -> str:
    """The host function Go imports as isthmus.Import[func(string) (string, error)]("nickname")."""
    if name in NICKNAMES:
        return NICKNAMES[name]
    if " " in name:
        return lib.Initials(name)  # re-entry: Python calls Go while Go waits for this answer
    raise KeyError(name)  # reaches Go as a *isthmus.HostError


def show(call: str, value: object, note: str = "") -> None:
    print(f"{call:<36} -> {value}{'   # ' + note if note else ''}")


def go_frame(stack: str) -> str:
    """The first Go function below the panic in a GoPanic's stack trace."""
    lines = [ln for ln in stack.splitlines() if ln and not ln.startswith(("\t", "goroutine ", "panic("))]
    return lines[0].split("(")[0] if lines else "?"


lib = isthmus.load(sys.argv[1] if len(sys.argv) > 1 else "greeter.wasm", imports={"nickname": nickname})

# Strings, slices, and a standard-library function exported with --export.
show("Greet('Ada')", repr(lib.Greet("Ada")))
show("GreetAll(['Ada', 'Grace'])", lib.GreetAll(["Ada", "Grace"]))
show("Words(' to  be or ')", lib.Words(" to  be or "), "strings.Fields, via --export")

# Structs (dataclasses generated from the schema, or dicts), nested, with times.
show("inspect.signature(lib.Introduce)", inspect.signature(lib.Introduce))
grace = lib.Person(name="Grace Hopper", born=dt.datetime(1906, 12, 9, tzinfo=UTC), langs=["en", "de"],
                   home=lib.Address(city="New York", country="USA"), email=None)
ada = lib.Person(name="Ada Lovelace", born=dt.datetime(1815, 12, 10, tzinfo=UTC), langs=["en", "fr"],
                 home=lib.Address(city="London", country="UK"), email="ada@example.org")
margaret = {"name": "Margaret Hamilton", "born": dt.datetime(1936, 8, 17, tzinfo=UTC), "langs": ["en"],
            "home": {"city": "Boston", "country": "USA"}, "email": None}  # a dict works too
card = lib.Introduce(ada, NOW)
show("Introduce(ada, NOW).text", repr(card.text))
show("  .age, .next_birthday, .until", f"{card.age}, {card.next_birthday.date()}, {card.until}")
show("Introduce(grace, NOW).text", repr(lib.Introduce(grace, NOW).text))
show("Introduce(margaret, NOW).until", lib.Introduce(margaret, NOW).until)

# Maps, and durations as arguments.
speakers = lib.Speakers([grace, ada, margaret])  # dicts come back sorted by key
show("Speakers([grace, ada, margaret])", speakers)
reminders = lib.Remind(NOW, dt.timedelta(hours=8), 3)
show("Remind(NOW, timedelta(hours=8), 3)", [t.strftime("%a %H:%M") for t in reminders])

# A Go error result raises isthmus.GoError.
show("GreetIn('ja', 'Ada')", repr(lib.GreetIn("ja", "Ada")))
try:
    lib.GreetIn("xx", "Ada")
except isthmus.GoError as e:
    show("GreetIn('xx', 'Ada')", f"GoError: {e.message} ({e.go_type})")

# A Go panic raises isthmus.GoPanic with the Go stack; the instance stays usable.
try:
    lib.Pick(["ada", "grace"], 5)
except isthmus.GoPanic as e:
    show("Pick(['ada', 'grace'], 5)", f"GoPanic: {e.message} ({e.go_type})")
    show("  .stack: first Go frame", go_frame(e.stack))
show("Pick(['ada', 'grace'], 1)", repr(lib.Pick(["ada", "grace"], 1)), "still usable after the panic")

# Wrong Python types are refused before anything enters Go.
try:
    lib.Greet(42)
except TypeError as e:
    show("Greet(42)", f"TypeError: {e}")

# Go calls Python back: a dict lookup, a re-entry into Go, and an exception.
show("GreetFriend('Grace Hopper')", repr(lib.GreetFriend("Grace Hopper")), "NICKNAMES lookup in Python")
show("GreetFriend('Alan Mathison Turing')", repr(lib.GreetFriend("Alan Mathison Turing")),
     "Python called Go's Initials")
try:
    lib.GreetFriend("Bob")
except KeyError as e:  # Go wrapped it (fmt.Errorf("...: %w", err)) and returned it: the original comes back
    show("GreetFriend('Bob')", repr(e), "the Python exception itself")
    show("  .__context__", f"GoError: {e.__context__.message}", "the Go error that carried it")
