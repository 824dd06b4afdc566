"""With --dtype float32 a number of --at is taken where torch holds it, and the
output says so when that is another value (0.1 is 0.10000000149011612).

The float32 values are derived here by hand: float32 has 24 significant bits,
so 0.1 (between 2**-4 and 2**-3) is k * 2**-27 with k the nearest integer to
0.1 * 2**27 = 13421772.8, that is 13421773.
"""

from __future__ import annotations

from fractions import Fraction

from conftest import Cli, one

import derivcli

ONE_TENTH_IN_FLOAT32 = float(Fraction(13421773, 2**27))  # 0.100000001490116119384765625
# 0.3 * 2**25 = 10066329.6 -> 10066330 (0.3 lies between 2**-2 and 2**-1)
THREE_TENTHS_IN_FLOAT32 = float(Fraction(10066330, 2**25))


def test_the_numbers_by_hand() -> None:
    assert ONE_TENTH_IN_FLOAT32 == 0.10000000149011612
    assert THREE_TENTHS_IN_FLOAT32 == 0.30000001192092896


def test_a_moved_number_is_named_and_both_values_are_taken_there(cli: Cli) -> None:
    run = cli("grad", "x**2", "--at", "x=0.1", "--dtype", "float32", "-f", "json")
    assert run.code == 0, run.err
    report = run.json()
    assert report["note"] == (
        "float32 holds x=0.1 as 0.10000000149011612: both derivatives are taken there, "
        "as torch takes them"
    )
    result = one(run)
    assert result["point"] == {"x": ONE_TENTH_IN_FLOAT32}
    # d/dx of x**2 at the float32 point: 2*k*2**-27 exactly, not 0.2
    assert result["symbolic"] == 2 * ONE_TENTH_IN_FLOAT32 == 0.20000000298023224
    assert result["verdict"] == "agree"


def test_the_table_carries_the_note(cli: Cli) -> None:
    run = cli("grad", "x**2", "--at", "x=0.1", "--dtype", "float32")
    assert run.code == 0, run.err
    text = " ".join(run.out.split())  # the note wraps at the terminal's width
    assert "note: float32 holds x=0.1 as 0.10000000149011612: both derivatives are taken" in text


def test_numbers_float32_holds_exactly_have_no_note(cli: Cli) -> None:
    # 0.5, -3 and 2**-20 are float32 values already; float64 holds 0.1 itself
    for args in (
        ("--at", "x=0.5", "--dtype", "float32"),
        ("--at", "x=-3", "--dtype", "float32"),
        ("--at", "x=9.5367431640625e-07", "--dtype", "float32"),
        ("--at", "x=0.1"),
        ("--at", "x=0.1", "--dtype", "float64"),
    ):
        run = cli("grad", "x**2", *args, "-f", "json")
        assert run.code == 0, run.err
        assert run.json()["note"] is None, args


def test_grid_points_are_torch_linspace_values_and_are_noted_as_numbers_are(cli: Cli) -> None:
    # a grid's points are torch.linspace's in float32 (documented); where they
    # are not float64's (0.1 of 0:1:11, and 7 more), the note says so as it
    # does for a number (stop 37: a grid had no note; tests/test_notes_37.py)
    run = cli("grad", "x**2", "--at", "x=0:1:11", "--dtype", "float32", "-f", "json")
    assert run.code == 0, run.err
    assert run.json()["note"] == (
        "float32 holds x=0.1 as 0.10000000149011612 (and 7 more points of the grid "
        "x=0:1:11): both derivatives are taken there, as torch takes them"
    )
    assert run.json()["results"][1]["point"] == {"x": ONE_TENTH_IN_FLOAT32}


def test_each_moved_number_is_named_once_and_past_three_they_are_counted(cli: Cli) -> None:
    run = cli(
        "partial", "x*y", "--wrt", "x", "--dtype", "float32", "-f", "json",
        "--at", "x=0.1,y=0.3", "--at", "x=0.5,y=0.3", "--at", "x=0.7,y=1.1", "--at", "x=0.9,y=2",
    )  # fmt: skip
    assert run.code == 0, run.err
    # 0.1, 0.3 (twice, named once), 0.7, 1.1 and 0.9 move; 0.5 and 2 do not
    assert run.json()["note"] == (
        "float32 holds x=0.1 as 0.10000000149011612, y=0.3 as 0.30000001192092896, "
        "x=0.7 as 0.699999988079071 (and 2 more numbers): both derivatives are taken "
        "there, as torch takes them"
    )
    assert [r["symbolic"] for r in run.json()["results"]][:2] == [THREE_TENTHS_IN_FLOAT32] * 2


def test_a_jacobian_says_it_once_not_per_row(cli: Cli) -> None:
    run = cli("jacobian", "x*y", "x+y", "--at", "x=0.1,y=2", "--dtype", "float32", "-f", "json")
    assert run.code == 0, run.err
    assert run.json()["note"] == (
        "float32 holds x=0.1 as 0.10000000149011612: both derivatives are taken there, "
        "as torch takes them"
    )


def test_a_jacobian_keeps_each_rows_own_note_after_the_shared_one() -> None:
    from derivcli.matrices import _rows_note

    held = "float32 holds x=0.1 as 0.10000000149011612: both derivatives are taken there"
    # compare puts the float32 note last in each row's note
    assert _rows_note([f"grid B; {held}", held], [held]) == f"{held}; expression 1: grid B"
    # a row's own note that holds '; ' stays whole after its number (splitting on
    # '; ' moved the tail of one to the front: a review)
    own = "the closed form was not reached; the autograd value is shown without it"
    assert _rows_note([own, "budget C"]) == f"expression 1: {own}; expression 2: budget C"
    assert _rows_note([held], [held]) == held  # one row: no numbers
    assert _rows_note(["only mine", None]) == "expression 1: only mine"
    assert _rows_note([None, None]) is None


def test_the_library_has_the_same_note() -> None:
    report = derivcli.grad("x**2", at={"x": 0.1}, dtype="float32")
    assert report.note is not None and report.note.startswith("float32 holds x=0.1 as ")
    assert report.results[0].point == (("x", ONE_TENTH_IN_FLOAT32),)
