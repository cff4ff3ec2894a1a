import pytest
from hypothesis import given
from hypothesis import strategies as st

from loudou.compliance.masking import mask, mask_email, mask_phone
from loudou.compliance.phones import display_phone, normalise_phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("  13812345678  ", "+8613812345678"),
    ],
)
def test_cn_mobile_is_normalised_to_e164(raw, e164):
    # when / then
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("010-12345678", "+861012345678"),
        ("021 87654321", "+862187654321"),
        ("0571-88886666", "+8657188886666"),
    ],
)
def test_cn_landline_is_normalised_to_e164(raw, e164):
    # when / then
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+1 650 253 0000", "+16502530000"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_international_number_is_normalised_to_e164(raw, e164):
    # when / then
    assert normalise_phone(raw) == e164


def test_international_number_is_read_in_the_given_region():
    # when / then
    assert normalise_phone("650 253 0000", region="US") == "+16502530000"


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "abcdefg",
        "电话号码",
        "",
        "   ",
        None,
        "1381234567",  # one digit short
        "138" + " " * 30 + "12345678",  # a valid number, but 41 characters long
    ],
)
def test_invalid_phone_is_not_normalised(raw):
    # when / then
    assert normalise_phone(raw) is None


def test_41_character_input_is_refused_even_when_it_holds_a_valid_number():
    # given
    raw = "138" + " " * 30 + "12345678"

    # when / then
    assert len(raw) == 41
    assert normalise_phone(raw.replace(" " * 30, " " * 29)) == "+8613812345678"
    assert normalise_phone(raw) is None


@given(st.text())
def test_normalise_phone_never_raises_and_returns_none_or_e164(raw):
    # when
    result = normalise_phone(raw)

    # then
    assert result is None or (isinstance(result, str) and result.startswith("+"))


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+8613812345678", "13812345678"),
        ("+861012345678", "01012345678"),
        ("+8657188886666", "057188886666"),
        ("+16502530000", "+1 650-253-0000"),
        ("+442079460958", "+44 20 7946 0958"),
        ("", ""),
        ("not a number", "not a number"),
    ],
)
def test_display_phone_shows_national_digits_at_home_and_international_abroad(e164, shown):
    # when / then
    assert display_phone(e164) == shown


@pytest.mark.parametrize(
    ("display", "masked"),
    [
        ("13812345678", "138****5678"),
        ("01012345678", "010****5678"),
        ("+1 650-253-0000", "+1 65*-***-0000"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_phone_keeps_the_first_three_and_last_four_digits(display, masked):
    # when / then
    assert mask_phone(display) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("wang.wei@example.com", "w***@example.com"),
        ("a@example.cn", "a***@example.cn"),
        ("not-an-email", "***"),
    ],
)
def test_mask_email_keeps_the_first_letter_and_the_domain(email, masked):
    # when / then
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("value", "kind", "masked"),
    [
        ("13812345678", "phone", "138****5678"),
        ("wang.wei@example.com", "email", "w***@example.com"),
        ("wangwei_88", "wechat", "w***"),
        ("王伟", "text", "王***"),
        ("", "phone", ""),
        (None, "text", ""),
    ],
)
def test_mask_hides_values_the_viewer_may_not_see(value, kind, masked):
    # when / then
    assert mask(value, kind=kind, visible=False) == masked


@pytest.mark.parametrize(
    ("value", "kind"),
    [("13812345678", "phone"), ("wang.wei@example.com", "email"), ("王伟", "text")],
)
def test_mask_shows_the_whole_value_when_visible(value, kind):
    # when / then
    assert mask(value, kind=kind, visible=True) == value


def test_mask_of_nothing_visible_is_empty_text():
    # when / then
    assert mask(None, kind="phone", visible=True) == ""
