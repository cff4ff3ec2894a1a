from loudou.compliance.masking import mask_phone


def test_mask_phone_keeps_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
