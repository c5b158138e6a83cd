"""YAML written by people (assessment schemes, warning-light rules): plain data only, and bounded.

`yaml.safe_load` builds no objects but still expands anchors and aliases without limit: 421 bytes of nested
aliases held a worker for 35 s, and a 2.7 KB scheme produced a 3.8-million-character name. Such files need
none of it, so this loader refuses anchors (`&`), aliases (`*`) and merge keys (`<<`) outright, refuses a
text over `max_bytes` before parsing it, and refuses nesting deeper than `max_depth` collections. Every
refusal is a `SafeYamlError` saying what and on which line.
"""

from __future__ import annotations

import yaml

MAX_BYTES = 256 * 1024
MAX_DEPTH = 20
_MERGE_TAG = "tag:yaml.org,2002:merge"


class SafeYamlError(yaml.YAMLError):
    """A YAML text refused for its size, depth, anchors, aliases or merge keys.

    A `yaml.YAMLError` with a `problem_mark`, so that handlers written for PyYAML's errors catch it and can
    show the line; `line` is 1-based (None for the size, which is checked before reading any line).
    """

    def __init__(self, problem: str, mark=None):
        self.problem = problem
        self.problem_mark = mark
        self.line = None if mark is None else mark.line + 1
        where = f"第 {self.line} 行：" if self.line is not None else ""
        super().__init__(f"YAML {where}{problem}")


def _loader(max_depth: int):
    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise SafeYamlError(f"不允许使用别名（*{event.anchor}），请把内容直接写出", event.start_mark)
            if getattr(event, "anchor", None) is not None:
                raise SafeYamlError(f"不允许使用锚点（&{event.anchor}），请把内容直接写出", event.start_mark)
            collection = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
            if collection:
                self.depth += 1
                if self.depth > max_depth:
                    raise SafeYamlError(f"嵌套超过 {max_depth} 层", event.start_mark)
            try:
                return super().compose_node(parent, index)
            finally:
                if collection:
                    self.depth -= 1

        def flatten_mapping(self, node):
            for key, _ in node.value:
                if key.tag == _MERGE_TAG:
                    raise SafeYamlError("不允许使用合并键（<<），请把各项直接写出", key.start_mark)
            super().flatten_mapping(node)

    return Loader


def load(text: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH):
    """The data of one YAML document, like `yaml.safe_load`, or SafeYamlError (a yaml.YAMLError)."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise SafeYamlError(f"文本过大（约 {-(-size // 1024)} KB），最多 {max_bytes // 1024} KB")
    loader = _loader(max_depth)(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
