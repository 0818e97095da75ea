"""Light word-overlap tools used before (and beside) the matching engine: duplicates and suggestions."""

from __future__ import annotations

import re
from functools import lru_cache

import rjieba

_STOP = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "对",
        "为",
        "是",
        "等",
        "有",
        "中",
        "将",
        "可",
        "以",
        "把",
        "被",
        "从",
        "到",
        "并",
        "也",
        "其",
        "该",
        "本",
        "我们",
        "公司",
        "企业",
        "需求",
        "技术",
        "问题",
        "解决",
        "进行",
        "研究",
        "开发",
        "实现",
        "提高",
        "相关",
        "需要",
        "希望",
        "目前",
        "一种",
        "方面",
    ]
)
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")


@lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    """Content words of a text (lower case, no stop words, no single characters except latin tokens)."""
    tokens = set()
    for token in rjieba.cut(text.lower()):
        token = token.strip()
        if not token or token in _STOP or not _WORD.fullmatch(token):
            continue
        if len(token) == 1 and not token.isascii():
            continue
        tokens.add(token)
    return frozenset(tokens)


def similarity(a: str, b: str) -> float:
    """Overlap coefficient of content words: 1.0 when one text's words all appear in the other."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def shared_words(a: str, b: str) -> list[str]:
    return sorted(words(a) & words(b), key=len, reverse=True)
