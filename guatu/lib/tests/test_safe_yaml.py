"""YAML from people: plain data only, no anchors, aliases or merge keys, bounded in size and depth."""

import pytest
import yaml

from guatu.lib import safe_yaml
from guatu.lib.safe_yaml import SafeYamlError

# The billion laughs: 421 bytes of this kind held a worker for 35 s through yaml.safe_load.
ALIAS_BOMB = "\n".join(
    ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def test_plain_data_loads_as_with_safe_load():
    text = "scheme:\n  code: t\n  year: 2022\n  weights: [1, 2.5]\n  name: 测试\n"
    assert safe_yaml.load(text) == yaml.safe_load(text)
    assert safe_yaml.load("") is None


def test_an_alias_bomb_is_refused_at_its_first_anchor_naming_the_line():
    with pytest.raises(SafeYamlError) as caught:
        safe_yaml.load(ALIAS_BOMB)
    assert caught.value.line == 1
    assert "第 1 行" in str(caught.value) and "锚点" in str(caught.value)


def test_an_alias_is_refused_even_without_its_anchor_being_reused():
    with pytest.raises(SafeYamlError, match="第 3 行.*别名"):
        safe_yaml.load("x: 1\ny: 2\nz: *nowhere\n")


def test_merge_keys_are_refused():
    with pytest.raises(SafeYamlError, match="第 2 行.*合并键"):
        safe_yaml.load("a:\n  <<: {b: 1}\n  c: 2\n")


def test_oversize_text_is_refused_before_parsing():
    with pytest.raises(SafeYamlError, match="最多 1 KB"):
        safe_yaml.load("name: " + "x" * 2000, max_bytes=1024)
    assert safe_yaml.load("name: " + "x" * 2000, max_bytes=4096) == {"name": "x" * 2000}


def test_deep_nesting_is_refused_naming_the_line():
    deep = "[" * 50 + "]" * 50
    with pytest.raises(SafeYamlError, match="嵌套"):
        safe_yaml.load(deep, max_depth=20)
    nested = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 30)) + "  " * 30 + "v\n"
    with pytest.raises(SafeYamlError) as caught:
        safe_yaml.load(nested, max_depth=10)
    assert caught.value.line == 11  # the eleventh mapping starts on line 11


def test_it_is_a_yaml_error_with_a_mark_so_existing_handlers_still_catch_it():
    with pytest.raises(yaml.YAMLError) as caught:
        safe_yaml.load("a: &x 1\n")
    assert caught.value.problem_mark.line == 0


def test_malformed_yaml_is_still_a_yaml_error():
    with pytest.raises(yaml.YAMLError):
        safe_yaml.load("a: [1, 2\n")
