"""Search keys for leads: pinyin initials and full pinyin (`kjyx` finds 科技有限公司);
and the text-search index's candidates."""

from functools import lru_cache

from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

from loudou.core.pinyin import lazy_pinyin


def _letters(parts: list[str]) -> str:
    return "".join(p for p in parts if p.strip()).lower()


def pinyin_key(*texts: str) -> str:
    """ "initials full" for each text, space-separated: 杭州科技 → "hzkj hangzhoukeji"."""
    keys = []
    for text in texts:
        if text:
            keys.extend(_text_keys(text))
    return " ".join(keys)[:500]


#: Marks the parts lazy_pinyin returns unchanged (not hanzi), which keep their full text
#: in the initials too, as Style.FIRST_LETTER does.
_AS_IS = "\x01"


def _marked(chars: str) -> str:
    return _AS_IS + chars


@lru_cache(maxsize=4096)  # names repeat (contact names above all); pure, so cached
def _text_keys(text: str) -> tuple[str, str]:
    """One pinyin conversion gives both keys: a syllable's initial is its first letter
    (what Style.FIRST_LETTER returns), so the text is segmented once, not twice."""
    initials, full = [], []
    for part in lazy_pinyin(text, errors=_marked):
        if part.startswith(_AS_IS):
            part = part[1:]
            initials.append(part)
        else:
            initials.append(part[:1])
        full.append(part)
    return _letters(initials), _letters(full)


# the text-search index (ADR 0021) --------------------------------------------------------

#: SQLite: a term held by more leads than this is common: the plain predicates fill a
#: page of it sooner, in list order, than a recheck of every candidate would
CANDIDATE_CAP = 10_000


def trigram_candidates(fragments: list[str], using: str) -> Q | None:
    """On SQLite, the leads whose FTS5 trigram index (leads_lead_search) holds every
    trigram of one of `fragments`: a superset of the leads with a searched column that
    contains one of them, ASCII case folded (the index folds all of Unicode). The caller
    keeps its predicates, which recheck the candidates: the rows stay exactly the same.

    None when the index cannot help: on PostgreSQL (its pg_trgm GIN indexes serve the
    predicates themselves), a fragment shorter than a trigram, or a common term (more
    than CANDIDATE_CAP candidates)."""
    if connections[using].vendor != "sqlite":
        return None
    if any(len(fragment) < 3 or "\x00" in fragment for fragment in fragments):
        return None
    unique = dict.fromkeys(fragments)  # the text and its pinyin key are often one
    match = " OR ".join(f"({_all_trigrams(fragment)})" for fragment in unique)
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM leads_lead_search"
            " WHERE leads_lead_search MATCH %s LIMIT %s)",
            [match, CANDIDATE_CAP + 1],
        )
        if cursor.fetchone()[0] > CANDIDATE_CAP:
            return None
    return Q(
        pk__in=RawSQL(
            "SELECT rowid FROM leads_lead_search WHERE leads_lead_search MATCH %s", [match]
        )
    )


def _all_trigrams(fragment: str) -> str:
    """An FTS5 query for the rows holding each trigram of `fragment`, each one quoted."""
    trigrams = dict.fromkeys(fragment[i : i + 3] for i in range(len(fragment) - 2))
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)
