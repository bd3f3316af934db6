"""What a manager's chat message asks for (the bot, issue 21): parsing only, no data.

People type on phones: full-width digits and punctuation (３、：), a colon after the number
("点评1：…"), a trailing 。, extra spaces, a name with a space in it. Everything is normalised
(NFKC, one space) before it is read. A message is read as exactly one command, or as `Unknown`
— never guessed: a near-miss ("点评 内容" without a number, "同意" without one) gets help, not an
action on the wrong thing.

    parse("点评１：主图不错，继续。") == Comment(1, "主图不错，继续")
    parse("评分 欧阳 娜娜 团队协作 4") == Rate("欧阳 娜娜 团队协作", Decimal("4"))
    resolve_rating("欧阳 娜娜 团队协作", people=["欧阳娜娜", …], items=["团队协作", …])
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

TRAILING = "。.！!？?~～ "
# Full-width digits, letters, space and full stop as typed on a Chinese keyboard; the rest of the
# text (，、：) is kept as written, since comments and reasons are shown as they were typed.
_HALF_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                             **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
                             **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
                             "\u3000": " ", "．": "."})
RATING = re.compile(r"^([1-5](?:\.[05])?)\s*分?$")


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Todo:
    pass


@dataclass(frozen=True)
class Team:
    pass


@dataclass(frozen=True)
class Bind:
    code: str
    employee_no: str | None = None


@dataclass(frozen=True)
class Comment:
    """`点评 3 内容`, or `3 内容` right after a digest (`explicit` False): line 3 of the digest."""

    number: int
    text: str
    explicit: bool = True


@dataclass(frozen=True)
class StartRating:
    """`评分` alone: rate what is still unrated, one question at a time."""


@dataclass(frozen=True)
class Decide:
    """`同意 3 理由` / `驳回 3 理由`: the numbered line of the last 待办 list, whatever its kind."""

    number: int
    approve: bool
    reason: str


@dataclass(frozen=True)
class Rate:
    """`评分 <姓名> <考核项> <分>`: `words` is the name and the item as typed (resolve_rating)."""

    words: str
    value: Decimal


@dataclass(frozen=True)
class Score:
    """A bare score ("4", "4.5分"): an answer in a rating dialogue, nothing outside one."""

    value: Decimal


@dataclass(frozen=True)
class Unknown:
    text: str
    hint: str = ""  # what to type instead, when the message was close to a command


Command = Help | Todo | Team | Bind | Comment | StartRating | Decide | Rate | Score | Unknown


def normalise(text: str) -> str:
    """Half-width digits and letters, one space between words, no trailing full stop; a colon or
    comma right after the leading number becomes a space ("点评1：好" → "点评1 好")."""
    plain = (text or "").translate(_HALF_WIDTH)
    plain = re.sub(r"\s+", " ", plain).strip().rstrip(TRAILING).strip()
    return re.sub(r"^((?:绑定|点评|同意|驳回|评分)?\s*\d+)\s*[:：,，、]\s*", r"\1 ", plain)


def parse(text: str) -> Command:
    plain = normalise(text)
    word, rest = _split_word(plain)
    if plain in ("帮助", "help", "?", "菜单"):
        return Help()
    if plain in ("待办", "待处理", "todo"):
        return Todo()
    if plain in ("团队", "团队进展"):
        return Team()
    if word == "绑定":
        return _bind(rest)
    if word == "点评":
        return _numbered(rest, lambda n, t: Comment(n, t), "点评 编号 内容，例如：点评 1 主图不错")
    if word in ("同意", "驳回"):
        return _numbered(rest, lambda n, t: Decide(n, word == "同意", t),
                         f"{word} 编号 理由，例如：{word} 1 数据已核实", text_required=word == "驳回")
    if word == "评分":
        return _rate(rest) if rest else StartRating()
    if RATING.match(plain):
        return Score(Decimal(RATING.match(plain)[1]))  # type: ignore[index]
    leading = re.match(r"^(\d{1,3}) (.+)$", plain)
    if leading:
        return Comment(int(leading[1]), leading[2], explicit=False)
    return Unknown(plain)


def _split_word(plain: str) -> tuple[str, str]:
    """The command word and the rest; the word may touch its number ("点评1 好")."""
    match = re.match(r"^(绑定|点评|同意|驳回|评分)\s*(.*)$", plain)
    return (match[1], match[2].strip()) if match else ("", plain)


def _numbered(rest: str, build: Callable[[int, str], Command], usage: str, text_required: bool = True) -> Command:
    match = re.match(r"^(\d{1,3})(?:\s+(.*))?$", rest)
    if not match:
        return Unknown(rest, usage)
    text = (match[2] or "").strip()
    if text_required and not text:
        return Unknown(rest, usage)
    return build(int(match[1]), text)


def _bind(rest: str) -> Command:
    parts = rest.split()
    if len(parts) == 1:
        return Bind(parts[0])
    if len(parts) == 2:
        return Bind(parts[1], parts[0])
    return Unknown(rest, "绑定 绑定码（HR 发给你的6位码），例如：绑定 483920")


def _rate(rest: str) -> Command:
    words, _, last = rest.rpartition(" ")
    score = RATING.match(last)
    if not words or not score:
        joined = re.match(r"^(.*[^\d.\s])\s*([1-5](?:\.[05])?)\s*分?$", rest)  # "张三 团队协作4"
        if not joined or not joined[1].strip():
            return Unknown(rest, "评分 姓名 考核项 分数（1–5），例如：评分 张三 团队协作 4")
        words, value = joined[1].strip(), joined[2]
    else:
        value = score[1]
    return Rate(words, Decimal(value))


@dataclass(frozen=True)
class Resolved:
    """A rating's person and item, or why not: several people or items fit, or none does."""

    person: str | None = None
    item: str | None = None
    candidates: tuple[str, ...] = ()  # the names to choose from when the name is ambiguous
    problem: str = ""  # "no_person" | "no_item" | "ambiguous_person"


def resolve_rating(words: str, people: list[str], items: list[str]) -> Resolved:
    """Split "<name> <item>" against the manager's team and the items they rate. Spaces inside a
    name or an item do not matter ("欧阳 娜娜" is 欧阳娜娜); a name that two people share is
    ambiguous (the caller asks which, by employee number)."""
    squashed = words.replace(" ", "")
    for item in sorted(items, key=len, reverse=True):
        if squashed.endswith(item.replace(" ", "")):
            name = squashed[: len(squashed) - len(item.replace(" ", ""))]
            matching = [p for p in people if p.replace(" ", "") == name]
            if not matching:
                return Resolved(item=item, problem="no_person")
            if len(matching) > 1:
                return Resolved(item=item, candidates=tuple(matching), problem="ambiguous_person")
            return Resolved(person=matching[0], item=item)
    return Resolved(problem="no_item")
