"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters.

    position 1       registering authority (登记管理部门代码): 9 market regulation, 5 civil affairs, ...
    position 2       organisation category within that authority (机构类别代码): 91 a firm, 92 a sole trader, ...
    positions 3-8    administrative division code of the registering authority (登记管理机关行政区划码)
    positions 9-17   organisation code (主体标识码, GB 11714): 8 characters and its own check character
    position 18      check character over the first 17 (校验码)

Characters come from 0-9 and A-Z without I, O, Z, S, V (31 characters, valued 0-30 in that order).
The 18th: weights 3^(i-1) mod 31 for positions i = 1..17; check = 31 - (Σ value × weight mod 31), 31 → 0.
The organisation code's check (GB 11714): characters valued 0-9 and A=10 … Z=35, weights 3 7 9 10 5 8 4 2;
check = 11 - (Σ mod 11), 10 → X, 11 → 0.
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
_VALUE = {char: index for index, char in enumerate(CHARSET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100-2015 table 1: registering authority → the organisation categories it registers.
CATEGORIES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商 (市场监管): 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}


def _org_check(body: str) -> str:
    """GB 11714's check character for an 8-character organisation code body."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_character(first17: str) -> str:
    """The 18th character for the code's first 17 characters (all from CHARSET)."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def with_check_characters(prefix: str, org_body: str) -> str:
    """A whole code from its first 8 characters (authority, category, division) and the 8-character body of its
    organisation code: both check characters computed. Used to make valid codes (the demo, the tests)."""
    first17 = prefix + org_body + _org_check(org_body)
    return first17 + check_character(first17)


def uscc_error(code: str) -> str | None:
    """What is wrong with a code, in Chinese (which position, what was expected), or None when it is valid.
    The caller strips and upper-cases what was typed; this checks exactly what it is given."""
    if len(code) != LENGTH:
        return f"统一社会信用代码应为18位，现为{len(code)}位。"
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            return f"统一社会信用代码第{position}位“{char}”不是允许的字符（数字或除I、O、Z、S、V以外的大写字母）。"
    authority, category = code[0], code[1]
    if authority not in CATEGORIES:
        return f"统一社会信用代码第1位“{authority}”不是登记管理部门代码。"
    if category not in CATEGORIES[authority]:
        return f"统一社会信用代码第2位“{category}”不是登记管理部门“{authority}”的机构类别代码。"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3至8位应为6位数字的行政区划码。"
    org_check = _org_check(code[8:16])
    if code[16] != org_check:
        return f"统一社会信用代码第17位（组织机构代码校验码）应为“{org_check}”，现为“{code[16]}”。"
    check = check_character(code[:17])
    if code[17] != check:
        return f"统一社会信用代码第18位（校验码）应为“{check}”，现为“{code[17]}”。"
    return None


def normalise(text: str) -> str:
    """What was typed, without spaces, upper-case: the form of a code that is stored and compared."""
    return "".join((text or "").split()).upper()
