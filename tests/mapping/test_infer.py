"""Type inference on crafted values and the Twenty naming rules (no I/O)."""

from __future__ import annotations

import pytest

from bizmig.mapping_infer import (
    RESERVED_NAMES,
    describe_fit,
    infer_type,
    option_value,
    option_value_problems,
    target_field_name,
)


def test_declared_types_are_kept_when_the_values_bear_them_out():
    assert infer_type(
        "number", (), ["12", "7.5", "-3", "1e3", ".5"], "hours"
    ).target_field_type == ("NUMBER")
    assert infer_type("date", (), ["2020-01-31", "1999-12-01"], "dob").target_field_type == "DATE"
    assert infer_type("checkbox", (), ["1", "0", "Yes", "FALSE"], "consent").target_field_type == (
        "BOOLEAN"
    )
    select = infer_type("select", ("Google", "Friend"), ["Google", "Friend"], "referral")
    assert (select.target_field_type, select.select_options) == ("SELECT", ())
    assert infer_type(
        "textarea", (), ["Peanuts.\nAlso bees."] * 9, "allergies"
    ).target_field_type == ("TEXT")


def test_zero_dates_stay_date_and_are_named_in_the_evidence():
    values = ["2011-05-22"] * 412 + ["0000-00-00"] * 15 + ["2011-02-30"] * 3
    inferred = infer_type("date", (), values, "dateOfBirth")
    assert inferred.target_field_type == "DATE"
    assert "412/430 sampled values parse as DATE" in inferred.evidence
    assert "18 do not" in inferred.evidence
    assert "'0000-00-00' (15x)" in inferred.evidence and "'2011-02-30' (3x)" in inferred.evidence


def test_mostly_unparseable_declared_number_falls_back_to_text():
    inferred = infer_type("number", (), ["n/a", "about 3", "1,5", "1_000", "12"], "hours")
    assert inferred.target_field_type == "TEXT"
    assert "only 1/5 sampled values parse as NUMBER" in inferred.evidence
    assert "'1,5'" in inferred.evidence and "'1_000'" in inferred.evidence


def test_messy_number_field_keeps_number_and_lists_what_does_not_parse():
    inferred = infer_type("number", (), ["12", "7.5", "0", "n/a"] * 5, "hours")
    assert inferred.target_field_type == "NUMBER"
    assert "15/20" in inferred.evidence and "'n/a' (5x)" in inferred.evidence


def test_select_values_outside_the_options_are_reported():
    values = ["K", "1", "12", "Legacy value", "Legacy value"]
    inferred = infer_type("select", ("K", "1", "12"), values, "grade")
    assert inferred.target_field_type == "SELECT"
    assert "3/5 sampled values are options (K|1|12)" in inferred.evidence
    assert "'Legacy value' (2x)" in inferred.evidence


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2020-01-02", "2021-12-31", "2019-07-04", "2018-02-28", "2017-03-01"], "DATE"),
        (["3", "4.5", "10", "-1", "0.25", "7"], "NUMBER"),
        (["yes", "no", "Yes", "NO", "true", "false"], "BOOLEAN"),
        (["1", "0", "1", "1", "0"], "BOOLEAN"),
        (["Alice Smith", "Bob Li", "Chen Wu", "Dana K", "Eve M"], "TEXT"),
        (["2020-01-02", "soon", "2021-01-01", "2022-01-01", "later"], "TEXT"),
    ],
)
def test_free_text_is_retyped_only_when_nearly_every_value_fits(values, expected):
    assert infer_type("text", (), values, "field").target_field_type == expected


def test_free_text_with_few_repeated_values_becomes_a_select_of_those_values():
    values = ["Online", "In person", "Online", "Hybrid"] * 5
    inferred = infer_type("text", (), values, "mode")
    assert inferred.target_field_type == "SELECT"
    assert inferred.select_options == ("Hybrid", "In person", "Online")


def test_too_few_values_or_textarea_or_unknown_type_stay_text():
    assert infer_type("text", (), ["1", "0"], "flag").target_field_type == "TEXT"
    assert infer_type("textarea", (), ["a", "b"] * 10, "notes").target_field_type == "TEXT"
    assert infer_type("colour-picker", (), [], "colour").target_field_type == "TEXT"
    assert infer_type(None, (), [], "x").evidence.startswith("Bizstim type ?")


def test_fields_without_values_follow_their_definition():
    assert infer_type("date", (), [], "d").target_field_type == "DATE"
    assert "no values in the sample" in infer_type("number", (), [], "n").evidence


def test_select_options_that_would_collide_or_vanish_fall_back_to_text():
    assert option_value_problems(["Grade 1", "grade-1"], "level") == [
        "options 'Grade 1' and 'grade-1' both become GRADE_1"
    ]
    inferred = infer_type("select", ("李", "A"), ["A"], "x")
    assert inferred.target_field_type == "TEXT"
    assert "'李' has no ASCII letter or digit" in inferred.evidence


def test_option_values_match_the_dbt_macro():
    assert option_value("10", "grade") == "GRADE_10"
    assert option_value("K", "grade") == "K"
    assert option_value("École Saint-Joseph", "school") == "ECOLE_SAINT_JOSEPH"
    assert option_value("李 Academy", "school") == "ACADEMY"
    assert option_value("1st choice", "referralSource") == "REFERRAL_SOURCE_1ST_CHOICE"
    assert option_value("straße", "street") == "STRA_E"  # DuckDB upper() keeps ß one letter


def test_describe_fit_reports_values_of_a_chosen_type():
    assert describe_fit("DATE", ["2020-01-01", "0000-00-00"], ()) == (
        "1/2 sampled values parse as DATE; 1 does not (quarantined by dbt): '0000-00-00' (1x)"
    )
    assert "not one of" in describe_fit("RATING", ["1"], ())
    assert describe_fit("TEXT", [], ()) == "no values in the sample"


@pytest.mark.parametrize(
    ("bizstim_name", "expected"),
    [
        ("Parent name", "parentName"),
        ("Hours purchased", "hoursPurchased"),
        ("SAT score (best)", "satScoreBest"),
        ("École d'été", "ecoleDEte"),
        ("1st choice", "custom1stChoice"),
        ("李", "customField42"),
        ("!!!", "customField42"),
        ("Type", "bizstimType"),
        ("fields", "bizstimFields"),
        ("Full name", "bizstimFullName"),
        ("Name", "name2"),
        ("Emails", "emails2"),
        ("Bizstim id", "bizstimId2"),
        ("City", "city2"),
        ("School", "school2"),
    ],
)
def test_names_are_camel_case_ascii_and_avoid_reserved_words_and_taken_fields(
    bizstim_name, expected
):
    name = target_field_name(bizstim_name, "42", ["school", "city"])
    assert name == expected
    assert name[0].islower() and name.isascii() and name.isalnum() and len(name) <= 63
    assert name.lower() not in RESERVED_NAMES


def test_long_names_are_cut_to_63_characters_and_stay_unique():
    long_name = "Preferred contact channel for the weekly progress report " * 3
    first = target_field_name(long_name, "1", [])
    second = target_field_name(long_name, "2", [first])
    assert len(first) == 63 and len(second) == 63
    assert second != first and second.endswith("2")


def test_collisions_are_case_insensitive():
    assert target_field_name("Parent Name", "1", ["PARENTNAME", "parentName2"]) == "parentName3"
