"""Language: the declared language checked against a light, script-based detection.

Detection is by characters, which is enough to tell apart the languages we crawl:
Tajik letters (ҳ қ ҷ ӣ ӯ ғ) → ``tg``; Kazakh-only letters (ә ғ қ ұ һ і) → ``kk``; Kyrgyz
(ң ө ү without Kazakh-only letters) → ``ky``; Belarusian (ў, і) → ``be``; other Cyrillic → ``ru``;
Armenian script → ``hy``; Arabic script with Persian letters (پ چ ژ گ ی ک) → ``fa``, else ``ar``;
Latin with Vietnamese letters → ``vi``, other Latin → ``en``.

The declared language wins unless the text clearly says otherwise (a different script, or
distinctive letters well above the rate a few borrowed names would give).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache

__all__ = ["normalize_code", "detect", "choose"]

logger = logging.getLogger(__name__)

#: Common non-standard codes seen in ``<html lang>`` and URL prefixes.
_ALIASES = {"kz": "kk", "tj": "tg", "kg": "ky", "kir": "ky", "vn": "vi", "by": "be", "am": "hy",
            "arm": "hy", "rus": "ru", "eng": "en", "ara": "ar", "far": "fa", "per": "fa", "ua": "uk"}

_CYR = re.compile(r"[\u0400-\u04ff]")
_LAT = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_ARAB = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_ARM = re.compile(r"[\u0530-\u058f]")
_TG = re.compile(r"[ҳҲҷҶӣӢӯӮ]")
_KK = re.compile(r"[әӘұҰһҺіІ]")
_KK_SHARED = re.compile(r"[ғҒқҚ]")  # Kazakh and Tajik
_KY = re.compile(r"[ңҢөӨүҮ]")  # Kyrgyz and Kazakh
_BE = re.compile(r"[ўЎ]")
_FA = re.compile(r"[پچژگیکۀ]")
_VI = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")


def normalize_code(code: str | None) -> str | None:
    """ISO 639-1 from a language tag (``ru-RU`` → ``ru``, ``kz`` → ``kk``); None if empty."""
    if not code:
        return None
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    base = _ALIASES.get(base, base)
    return base if re.fullmatch(r"[a-z]{2}", base) else None


#: The character classes ``detect`` counts, each a one-character regex.
_CLASSES = {"cyr": _CYR, "lat": _LAT, "arab": _ARAB, "arm": _ARM, "tg": _TG, "kk": _KK,
            "kk_shared": _KK_SHARED, "ky": _KY, "be": _BE, "fa": _FA, "vi": _VI}


@lru_cache(maxsize=8192)
def _classes_of(char: str) -> tuple[str, ...]:
    """The classes of ``_CLASSES`` one character belongs to."""
    return tuple(name for name, regex in _CLASSES.items() if regex.match(char))


def _class_counts(sample: str) -> Counter:
    """How many characters of ``sample`` each class holds (as ``len(regex.findall(sample))``,
    counted once per distinct character instead of once per class)."""
    counts: Counter = Counter()
    for char, count in Counter(sample).items():
        for name in _classes_of(char):
            counts[name] += count
    return counts


def detect(text: str | None) -> tuple[str | None, float]:
    """The language of a text by its characters, and a confidence in [0, 1]."""
    if not text:
        return None, 0.0
    sample = text[:6000]
    found = _class_counts(sample)
    counts = {name: found[name] for name in ("cyr", "lat", "arab", "arm")}
    script, letters = max(counts.items(), key=lambda kv: kv[1])
    if letters < 20:
        return None, 0.0
    confidence = min(1.0, letters / 400)
    if script == "arm":
        return "hy", confidence
    if script == "arab":
        persian = found["fa"] / letters
        return ("fa" if persian > 0.01 else "ar"), confidence
    if script == "lat":
        return ("vi" if found["vi"] / letters > 0.01 else "en"), confidence * 0.8
    tg = found["tg"] / letters
    kk = (found["kk"] - sample.count("і") - sample.count("І")) / letters
    kk += found["kk_shared"] / letters
    ky = found["ky"] / letters
    be = (found["be"] + sample.count("і") + sample.count("І")) / letters
    if tg > 0.004:
        return "tg", confidence
    if kk > 0.006:
        return "kk", confidence
    if ky > 0.006:
        return "ky", confidence
    if be > 0.01:
        return "be", confidence
    return "ru", confidence


def _script(code: str | None) -> str | None:
    return {"ru": "cyr", "kk": "cyr", "ky": "cyr", "tg": "cyr", "be": "cyr", "uk": "cyr", "hy": "arm",
            "ar": "arab", "fa": "arab", "en": "lat", "vi": "lat",
            "de": "lat", "fr": "lat", "es": "lat", "pt": "lat", "it": "lat", "tr": "lat"}.get(code or "")


def choose(declared: str | None, text: str | None) -> tuple[str | None, bool]:
    """The article's language: ``(code, detected)`` where ``detected`` says detection overrode
    (or supplied) it."""
    declared = normalize_code(declared)
    found, confidence = detect(text)
    if declared is None:
        return found, found is not None
    if found is None or found == declared or confidence < 0.5 or _script(declared) is None:
        # a language we cannot detect (e.g. Uzbek) is taken as declared
        return declared, False
    if _script(declared) != _script(found):
        logger.debug("declared language %s but the text is %s: detection wins", declared, found)
        return found, True
    if _script(found) == "lat" and found == "en":
        # a declared Latin-script language we do not detect (e.g. Uzbek, French) stays
        return declared, False
    logger.debug("declared language %s but the letters say %s", declared, found)
    return found, True
