"""The night's books are read and checked once: a validation through `CheckedOnce` gives what a plain one
gives (issues in the same order, the same tables), a second one asks the opener for nothing, and a frame a
service changes is its own."""

from __future__ import annotations

from addin.services.company import load_company
from addin.services.validation import CheckedOnce, open_company_book, validate_company


def _counting(calls: list[str]):
    def opener(book, company):
        calls.append(book)
        return open_company_book(book, company)

    return opener


def test_a_second_validation_reads_nothing_and_finds_the_same(demo_with_errors):
    root, _ = demo_with_errors
    company = load_company(root)
    plain = validate_company(company)
    calls: list[str] = []
    once = CheckedOnce(_counting(calls))

    first = validate_company(company, once)
    assert sorted(calls) == sorted(company.books) and first.issues == plain.issues and len(plain.issues) > 5
    calls.clear()
    staff_only = validate_company(company, once, only={"staff"})
    everything = validate_company(company, once)
    assert calls == []
    assert everything.issues == plain.issues
    assert staff_only.issues == validate_company(company, only={"staff"}).issues
    for key, table in plain.tables.items():
        assert everything.tables[key].frame.equals(table.frame)
        assert list(everything.tables[key].rows) == list(table.rows)


def test_a_frame_changed_by_one_service_is_not_the_next_ones(demo_template):
    company = load_company(demo_template)
    once = CheckedOnce(open_company_book)
    staff = validate_company(company, once, only={"staff"}).table("staff", "staff")
    staff.frame["scratch"] = 1
    staff.frame.loc[staff.frame.index[0], "employee_id"] = "changed"
    again = validate_company(company, once, only={"staff"}).table("staff", "staff")
    assert "scratch" not in again.frame and again.frame["employee_id"].iloc[0] != "changed"


def test_another_schema_for_a_book_is_checked_against_that_schema(demo_template):
    from dataclasses import replace

    company = load_company(demo_template)
    calls: list[str] = []
    once = CheckedOnce(_counting(calls))
    validate_company(company, once, only={"vendors"})
    vendors = company.books["vendors"]
    only_bills = replace(
        company, books={"vendors": vendors.model_copy(update={"sheets": {"bills": vendors.sheets["bills"]}})}
    )
    narrowed = validate_company(only_bills, once)
    assert calls == ["vendors", "vendors"] and set(narrowed.tables) == {("vendors", "bills")}


def test_a_book_that_could_not_be_read_is_tried_again(demo_template):
    """A live book's hiccup is not inherited by the next service: only what was read is kept."""
    company = load_company(demo_template)
    calls: list[str] = []
    reader = _counting(calls)

    def flaky(book, company_):
        if book == "staff" and calls.count("staff") == 0:
            calls.append(book)
            raise OSError("the book was busy")
        return reader(book, company_)

    once = CheckedOnce(flaky)
    first = validate_company(company, once, only={"staff"})
    assert [i.code for i in first.issues] == ["book_unreadable"]
    again = validate_company(company, once, only={"staff"})
    assert calls == ["staff", "staff"] and list(again.issues) == [] and again.table("staff", "staff") is not None
