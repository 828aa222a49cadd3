"""Name keys: Dari and Pashto names, in Latin or Arabic script, brought to comparable tokens.

Two keys per name token:
- the *spelling* key applies the Latin rules (e/i, o/u, q/k, kh/k, w/v, doubled
  letters, silent final h...), so Mohammad, Muhammad and Mohamad agree;
- the *consonant* key also drops inner vowels, h, v and y, because Arabic script
  leaves short vowels unwritten: محمد and Mohammad both become "mmd".

Everything language-specific lives in the tables of `haven.resolution.knowledge`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache

from anyascii import anyascii

from . import knowledge

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
# Short-vowel marks, tatweel and superscript alif carry nothing a Latin spelling keeps.
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640]")
# Zero-width non-joiner separates the parts of one Persian word (عبد‌الله): a space here,
# and the affix rules join the parts again.
_SEPARATORS = re.compile(r"[\s\u200c\u200d\-_.,;:/\\|()\[\]{}\"+&0-9]+")
_APOSTROPHES = re.compile(r"['`´‘’ʼʻ]")
# "عبد الواحد": Abd and the article of the name after it written apart are one name, as
# "عبدالواحد" (the prefix rule would otherwise keep the article: "abdul" + "aluahd").
_ABD_AL_APART = re.compile(r"(?<![^\s\u200c])(عبد)[\s\u200c]+(?=ال\S)")
_VOWELS = frozenset("aeiou")
_ABDUL = re.compile(r"^abd[uoae]?l?(?=[a-z]{3})")
_ULLAH = re.compile(r"(?<=[a-z]{3})([uoa]l{1,2}ah?|all?h)$")
_ZAI = re.compile(r"(?<=[a-z]{4})(zay|zae|zaey|zaee|zi|zoi)$")


def has_arabic_script(text: str) -> bool:
    return bool(_ARABIC_SCRIPT.search(text))


@dataclass(frozen=True)
class NameKey:
    """One written name as spelling tokens (in written order) and consonant tokens."""

    tokens: tuple[str, ...]
    consonants: tuple[str, ...]

    @property
    def sorted_key(self) -> str:
        return " ".join(sorted(self.tokens))

    @property
    def sorted_consonants(self) -> str:
        return " ".join(sorted(self.consonants))

    def __bool__(self) -> bool:
        return bool(self.tokens)


EMPTY = NameKey((), ())


def spelling_key(token: str) -> str:
    for pattern, replacement in knowledge.latin_rules():
        token = pattern.sub(replacement, token)
    return token


def consonant_key(spelling: str) -> str:
    """The spelling without inner vowels, h, v and y: what Arabic script writes of a name.

    Where two names the variant table knows share their consonants (محمد Mohammad and
    محمود Mahmood are both m-h-m-d) the full spelling is kept, so they never meet here.
    That a name ends in a vowel is kept (as "a"): it is often all that tells a woman's
    name from a man's (Hamid / Hamida); which vowel is not (مصطفی / Mustafa).
    """
    key = _plain_consonants(spelling)
    return "=" + spelling if key in _ambiguous_consonants() else key


def _plain_consonants(spelling: str) -> str:
    if not spelling:
        return ""
    # A leading vowel (or ain) is kept as "a": Omar / Umar / عمر all start with a vowel.
    first = "a" if spelling[0] in _VOWELS else spelling[0]
    last = spelling[-1] if len(spelling) > 2 and spelling[-1] in _VOWELS else ""
    middle = spelling[1:-1] if last else spelling[1:]
    # Doubles made by dropping vowels are kept: Khalil is k-l-l, Gul is g-l.
    return first + re.sub(r"[aeiouvh]", "", middle) + ("a" if last else "")


@cache
def _ambiguous_consonants() -> frozenset[str]:
    known = {spelling_key(_canonical_word(c.lower())) for c in knowledge.name_variants().values()}
    counts = Counter(_plain_consonants(k) for k in known)
    return frozenset(key for key, n in counts.items() if n > 1)


def _transliterate_arabic_word(word: str) -> str:
    variants = knowledge.name_variants()
    if word in variants:
        return variants[word]
    letters = knowledge.arabic_letters()
    out: list[str] = []
    for index, char in enumerate(word):
        letter = letters.get(char)
        if letter is None:
            out.append(anyascii(char))
        else:
            final = index == len(word) - 1 and index > 0
            out.append(letter.initial if index == 0 else letter.final if final else letter.latin)
    return "".join(out)


def _raw_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "")
    text = _APOSTROPHES.sub("", _ARABIC_MARKS.sub("", text))
    text = _ABD_AL_APART.sub(r"\1", text)
    words = [w for w in _SEPARATORS.split(text) if w]
    latin: list[str] = []
    for word in words:
        if has_arabic_script(word):
            latin.extend(_SEPARATORS.split(_transliterate_arabic_word(word)))
        else:
            latin.append(anyascii(word))
    return [w.lower() for w in latin if w]


def _canonical_word(word: str) -> str:
    word = knowledge.name_variants().get(word, word)
    # Prefix and suffix spellings brought to one form before the Latin rules.
    # -ullah first: Arabic-script Abdullah arrives as "abdallh".
    word = _ULLAH.sub("ullah", word)
    word = _ABDUL.sub("abdul", word)
    return _ZAI.sub("zai", word)


@cache
def _affix_forms(kind: str) -> frozenset[str]:
    return frozenset(_canonical_word(form) for form in knowledge.name_affixes(kind))


@cache
def _affix_keys(kind: str) -> frozenset[str]:
    return frozenset(spelling_key(form) for form in _affix_forms(kind))


@cache
def _free_parts() -> tuple[tuple[str, str], ...]:
    """(spelling as found, canonical spelling) of every free compound part and its variants.

    Longest first, so "mohammad" is tried before "mir"; variants let "Noormohammed"
    split as well as "Noormohammad".
    """
    canonical = _affix_keys("free_part")
    found = {part: part for part in canonical}
    for variant, name in knowledge.name_variants().items():
        key = spelling_key(_canonical_word(name))
        if key in canonical and variant.isascii():
            found.setdefault(spelling_key(variant), key)
    return tuple(sorted(found.items(), key=lambda pc: len(pc[0]), reverse=True))


def _join_bound_affixes(words: list[str]) -> list[str]:
    """Join "Abdul Rahman" and "Zabih Ullah" as written joined; words are canonical, not keys."""
    prefixes, suffixes = _affix_forms("bound_prefix"), _affix_forms("bound_suffix")
    joined: list[str] = []
    for word in words:
        if joined and (word in suffixes or joined[-1] in prefixes):
            joined[-1] = _canonical_word(joined[-1] + word)
        else:
            joined.append(word)
    return joined


# A free part this short ("gul", "shah" keyed "sha", "noor" keyed "nur") is split off a
# joined word only where the word is written with it: Gulpari is Gul + Pari, but Sharif
# is not Shah + rif, nor Madina "Md" + ina.
_SHORT_PART = 3


@cache
def _written_forms() -> dict[str, tuple[str, ...]]:
    """Canonical spelling of each free part → the ways it is written (for short parts)."""
    forms: dict[str, set[str]] = {}
    for part in _affix_forms("free_part"):
        key = spelling_key(part)
        found = forms.setdefault(key, {part})
        if not part.endswith("h"):  # Shah keyed "sha" must still be written "shah"
            found.add(key)
    for variant, name in knowledge.name_variants().items():
        key = spelling_key(_canonical_word(name))
        if key in forms and variant.isascii() and len(variant) >= _SHORT_PART:
            forms[key].add(variant)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in forms.items()}


def _split_compound(token: str, written: str | None = None) -> list[str]:
    """Split a joined compound (Mohammadzaman) into its parts, as if written apart.

    `written` is the word before the spelling rules, if known: short parts split off
    only where it is written with them.
    """
    suffixes = _affix_keys("bound_suffix")
    # Nasiruddin ends in the bound suffix "uddin", not in the free part "din".
    bound = token.endswith(tuple(suffixes))
    for part, canonical in _free_parts():
        short = len(part) <= _SHORT_PART
        rest = token[len(part) :]
        if token.startswith(part) and len(rest) >= 3 and rest not in suffixes:
            if not short:
                return [canonical, *_split_compound(rest)]
            form = _written_affix(written, canonical, prefix=True)
            if form:
                return [canonical, *_split_compound(rest, written[len(form) :])]  # type: ignore[index]
        head = token[: -len(part)]
        if token.endswith(part) and len(head) >= 3 and not bound:
            if not short:
                return [*_split_compound(head), canonical]
            form = _written_affix(written, canonical, prefix=False)
            if form:
                return [*_split_compound(head, written[: -len(form)]), canonical]  # type: ignore[index]
    return [token]


def _written_affix(written: str | None, canonical: str, *, prefix: bool) -> str | None:
    if not written:
        return None
    for form in _written_forms().get(canonical, ()):
        if len(written) - len(form) >= 3 and (
            written.startswith(form) if prefix else written.endswith(form)
        ):
            return form
    return None


def _without_title_prefix(word: str, titles: frozenset[str]) -> str:
    """ "Bibihawa", "Hajimohammad": a title written joined to the name is dropped too."""
    for title in titles:
        if len(title) >= 4 and word.startswith(title) and len(word) - len(title) >= 3:
            return _canonical_word(word[len(title) :])
    return word


@lru_cache(maxsize=200_000)
def name_key(text: str) -> NameKey:
    """Spelling and consonant tokens of one written name; titles and placeholders dropped."""
    if not text or text.strip().lower() in knowledge.placeholders("name"):
        return EMPTY
    titles = _affix_forms("title")
    words = [_without_title_prefix(_canonical_word(w), titles) for w in _raw_words(text)]
    words = _join_bound_affixes([w for w in words if w not in titles])
    title_keys = _affix_keys("title")
    tokens: list[str] = []
    for word in words:
        if spelling := spelling_key(word):
            # A part cut from inside a word is keyed again: "Shahmohammad" leaves "shah".
            parts = (spelling_key(t) for t in _split_compound(spelling, word))
            tokens.extend(t for t in parts if t and t not in title_keys)
    if " ".join(tokens) in _placeholder_keys():
        return EMPTY
    return NameKey(tuple(tokens), tuple(consonant_key(t) for t in tokens))


@cache
def _placeholder_keys() -> frozenset[str]:
    keys = set()
    for value in knowledge.placeholders("name"):
        spellings = [spelling_key(_canonical_word(w)) for w in _raw_words(value)]
        keys.add(" ".join(s for s in spellings if s))
    return frozenset(keys)


def patronymic_split(full_name: str) -> tuple[str, str]:
    """ "Umar son of Wali", "Gul Ahmad S/O Fazal", "مریم بنت محمد": (own name, father's name)."""
    text = unicodedata.normalize("NFKC", full_name or "")
    # "Fatima w/o Ahmad": the husband's name is neither her own nor her father's.
    if spouse := _marker_pattern("spouse").search(text):
        text = text[: spouse.start()].strip()
    match = _marker_pattern("patronymic").search(text)
    if not match:
        return text, ""
    return text[: match.start()].strip(), text[match.end() :].strip()


@cache
def _marker_pattern(kind: str) -> re.Pattern[str]:
    markers = sorted(knowledge.name_affixes(kind), key=len, reverse=True)
    alternatives = "|".join(re.escape(m) for m in markers)
    return re.compile(rf"(?:^|\s)(?:{alternatives})(?:\s|$)", re.IGNORECASE)


def join(*keys: NameKey) -> NameKey:
    return NameKey(
        tuple(t for k in keys for t in k.tokens), tuple(c for k in keys for c in k.consonants)
    )


def without_trailing(name: NameKey, father: NameKey) -> NameKey:
    """The name without a father's name written after it ("Tariq Reza", father Reza).

    Only when the father's name is the whole tail and something is left: a one-name
    person whose name happens to be the father's ("Ahmad", father Ahmad) keeps it.
    """
    n = len(father.consonants)
    if not n or len(name.consonants) <= n or name.consonants[-n:] != father.consonants:
        return name
    return NameKey(name.tokens[:-n], name.consonants[:-n])
