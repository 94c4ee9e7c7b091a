"""Interrupting a store ends a Go call that is sleeping inside WASI's poll_oneoff."""
import threading
import time

import pytest

import isthmus


@pytest.fixture(scope="module")
def sleeper(tmp_path_factory):
    from conftest import HERE, _go_build

    return _go_build(tmp_path_factory, "sleeper", HERE / "go" / "sleeper", "-buildmode=c-shared")


def test_short_nap_returns(sleeper):
    lib = isthmus.load(sleeper)
    t0 = time.monotonic()
    assert lib.nap(30) == 30
    assert time.monotonic() - t0 >= 0.03


def test_interrupt_ends_a_long_sleep(sleeper):
    lib = isthmus.load(sleeper)
    timer = threading.Timer(0.2, lib.instance.store.interrupt)
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(isthmus.Trap) as ei:
        lib.nap(20_000)
    elapsed = time.monotonic() - t0
    timer.join()
    assert ei.value.code == isthmus.TrapCode.INTERRUPTED
    assert elapsed < 2, elapsed
