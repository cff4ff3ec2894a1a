import pytest

from loudou.compliance.pii import find_sensitive, is_id_card

# ISO 7064 MOD 11-2 weights are 2^(17-i) mod 11, derived here rather than copied.
ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def id_check_char(first17: str) -> str:
    """The check character that makes sum(digit * weight) + check ≡ 1 (mod 11)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def id_card(area: str, birth: str, sequence: str) -> str:
    first17 = area + birth + sequence
    return first17 + id_check_char(first17)


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    doubled = [sum(divmod(d * 2, 10)) if i % 2 else d for i, d in enumerate(digits)]
    return sum(doubled) % 10 == 0


def with_luhn_digit(partial: str) -> str:
    """`partial` followed by the one digit that makes it pass the Luhn check."""
    return next(partial + d for d in "0123456789" if luhn_valid(partial + d))


def wrong_id_check_char(first17: str) -> str:
    """A digit that is not the check character and does not make a Luhn-valid number."""
    correct = id_check_char(first17)
    return next(d for d in "0123456789" if d != correct and not luhn_valid(first17 + d))


def grouped(number: str, separator: str) -> str:
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


def test_helpers_agree_with_the_published_sample_id_card():
    # given the sample number of GB 11643-1999 and a well-known Luhn test card
    # when / then
    assert id_check_char("11010519491231002") == "X"
    assert with_luhn_digit("411111111111111") == "4111111111111111"


@pytest.mark.parametrize(
    ("area", "birth", "sequence"),
    [
        ("110105", "19491231", "002"),  # check character X
        ("310104", "19900307", "123"),
        ("440305", "20000229", "458"),
        ("510107", "19851111", "031"),
    ],
)
def test_valid_18_digit_id_card_is_detected(area, birth, sequence):
    # given
    number = id_card(area, birth, sequence)

    # when / then
    assert is_id_card(number) is True
    assert find_sensitive(f"客户身份证{number}，已核实") == "id_card"


def test_id_card_with_lowercase_x_check_character_is_detected():
    # given
    number = id_card("110105", "19491231", "002")
    assert number.endswith("X")

    # when / then
    assert find_sensitive(number.lower()) == "id_card"


@pytest.mark.parametrize(
    ("area", "birth", "sequence"),
    [("110105", "19491231", "002"), ("310104", "19900307", "123")],
)
def test_18_digit_number_with_wrong_check_character_is_not_detected(area, birth, sequence):
    # given
    first17 = area + birth + sequence
    number = first17 + wrong_id_check_char(first17)

    # when / then
    assert is_id_card(number) is False
    assert find_sensitive(f"编号{number}") is None


@pytest.mark.parametrize(
    "birth",
    [
        "19900230",  # 30 February
        "19901301",  # month 13
        "18991231",  # before 1900
        "20991231",  # in the future
    ],
)
def test_18_digit_number_with_impossible_birth_date_is_not_detected(birth):
    # given a number whose check character is right but whose birth date is impossible
    first17 = "310104" + birth + "123"
    number = first17 + id_check_char(first17)

    # when / then
    assert is_id_card(number) is False
    assert find_sensitive(number) is None


def test_old_15_digit_id_card_is_detected():
    # given area 110105, born 1990-03-07, sequence 123
    number = "110105" + "900307" + "123"

    # when / then
    assert find_sensitive(f"旧身份证 {number}") == "id_card"


def test_15_digit_number_with_impossible_birth_date_is_not_detected():
    # given month 13
    number = "110105" + "901307" + "123"

    # when / then
    assert find_sensitive(number) is None


@pytest.mark.parametrize("length", [16, 17, 18, 19])
def test_luhn_valid_bank_card_of_16_to_19_digits_is_detected(length):
    # given
    number = with_luhn_digit(("6222021234567890123")[: length - 1])

    # when / then
    assert len(number) == length
    assert find_sensitive(f"银行卡号：{number}") == "bank_card"


@pytest.mark.parametrize("separator", [" ", "-"])
def test_bank_card_grouped_with_spaces_or_dashes_is_detected(separator):
    # given
    number = grouped(with_luhn_digit("622202123456789"), separator)

    # when / then
    assert find_sensitive(f"卡号 {number} 工商银行") == "bank_card"


@pytest.mark.parametrize(
    "text",
    [
        "{card} 12月到期",
        "{card}-01",
        "共2张 {card}",
        "3 {card}",
    ],
)
def test_bank_card_next_to_other_short_numbers_is_detected(text):
    # given
    card = with_luhn_digit("622202123456789")

    # when / then
    assert find_sensitive(text.format(card=card)) == "bank_card"


@pytest.mark.parametrize("length", [16, 17, 18, 19])
def test_luhn_invalid_card_number_is_not_detected(length):
    # given
    valid = with_luhn_digit(("6222021234567890123")[: length - 1])
    invalid = valid[:-1] + str((int(valid[-1]) + 1) % 10)

    # when / then
    assert find_sensitive(invalid) is None


def test_card_number_longer_than_19_digits_is_not_detected():
    # given
    number = with_luhn_digit("62220212345678901234")

    # when / then
    assert len(number) == 21
    assert find_sensitive(number) is None


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "+86 138 1234 5678",
        "138-1234-5678",
        "010-12345678",
        "0571-88886666 转 8001",
        "13812345678 13912345678",
        "电话 021 87654321",
    ],
)
def test_phone_numbers_are_not_flagged(text):
    # when / then
    assert find_sensitive(text) is None


@pytest.mark.parametrize("text", ["", "上海示例科技有限公司", "预算 300 万，员工 1200 人"])
def test_ordinary_text_is_not_flagged(text):
    # when / then
    assert find_sensitive(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "3e97f8a21231307807472705ecdf4a97",  # an Olist mql_id: 17 digits between letters
        "539ed9e19811677513447759be5eccfc",  # an Olist seller_id
        "a{card}f",
        "id{card}",
        "{card}ab",
        "X{card}Y 工商银行",
    ],
)
def test_a_card_like_run_inside_a_longer_hex_or_alphanumeric_token_is_not_flagged(text):
    # given: a Luhn-valid run with a letter beside it (the Olist ids pass Luhn too)
    card = with_luhn_digit("622202123456789")
    assert luhn_valid("21231307807472705")
    assert luhn_valid("19811677513447759")
    # when / then
    assert find_sensitive(text.format(card=card)) is None


@pytest.mark.parametrize(
    "text", ["{card}", "卡号{card}", "{card}，工商银行", "卡号：{grouped}", "({card})", "#{card}"]
)
def test_a_card_number_written_alone_or_beside_chinese_text_is_still_flagged(text):
    # given
    card = with_luhn_digit("622202123456789")
    # when / then
    assert find_sensitive(text.format(card=card, grouped=grouped(card, " "))) == "bank_card"
