import pytest

from guatu.lib.uscc import CHARSET, check_character, normalise, uscc_error, with_check_characters

# Published codes: the standard's own example (GB 32100-2015 annex), 华为技术有限公司, 深圳市腾讯计算机系统有限公司,
# and two firms' codes as printed in their public pages (one of Shenzhen, one of Xiong'an).
REAL = [
    "91350100M000100Y43",
    "914403001922038216",
    "91440300708461136T",
    "91440300MA5H0HLK5U",
    "91133100MA0D8N1J7G",
]


@pytest.mark.parametrize("code", REAL)
def test_published_codes_are_valid(code):
    assert uscc_error(code) is None


def test_the_charset_has_31_characters_without_i_o_z_s_v():
    assert len(CHARSET) == 31
    assert not set("IOZSV") & set(CHARSET)


def test_wrong_length_says_how_long():
    assert uscc_error("91350100M000100Y4") == "统一社会信用代码应为18位，现为17位。"
    assert "19位" in uscc_error("91350100M000100Y431")


def test_a_forbidden_letter_names_its_position():
    error = uscc_error("91350100M0001O0Y43")
    assert error.startswith("统一社会信用代码第14位“O”不是允许的字符")


def test_lower_case_is_not_a_code_but_normalise_makes_it_one():
    assert "第9位“m”" in uscc_error("91350100m000100Y43")
    assert uscc_error(normalise(" 9135 0100m000100y43 ")) is None


def test_unknown_registering_authority_and_category():
    assert "第1位“B”" in uscc_error("B1350100M000100Y43")
    assert uscc_error("94350100M000100Y43") == "统一社会信用代码第2位“4”不是登记管理部门“9”的机构类别代码。"


def test_division_code_must_be_digits():
    assert "第3至8位" in uscc_error("9135A100M000100Y43")


def test_organisation_code_check_character():
    # M000100Y's GB 11714 check is 4 (22×3 + 1×5 + 34×2 = 139; 11 - 139 mod 11 = 4).
    assert (
        uscc_error("91350100M000100Y53") == "统一社会信用代码第17位（组织机构代码校验码）应为“4”，现为“5”。"
    )


def test_the_last_check_character_says_what_it_should_be():
    assert uscc_error("91350100M000100Y44") == "统一社会信用代码第18位（校验码）应为“3”，现为“4”。"
    assert uscc_error("91440300708461136U") == "统一社会信用代码第18位（校验码）应为“T”，现为“U”。"


def test_one_changed_character_is_caught():
    code = "914403001922038216"
    for position in range(8, 18):
        for char in "0123456789ABC":
            broken = code[:position] + char + code[position + 1 :]
            if broken != code:
                assert uscc_error(broken) is not None, broken


def test_check_character_and_with_check_characters_rebuild_real_codes():
    assert check_character("91350100M000100Y4") == "3"
    for code in REAL:
        assert with_check_characters(code[:8], code[8:16]) == code


def test_org_check_ten_is_x_and_eleven_is_zero():
    codes = {with_check_characters("91431381", f"{n:08d}")[16] for n in range(60)}
    assert {"X", "0"} <= codes
    for n in range(60):
        assert uscc_error(with_check_characters("91431381", f"{n:08d}")) is None
