"""Spam defences of the public forms: honeypot, signed fill-time stamp, rate limit per IP,
banned company names and stop phrases. Each check answers the reason it refuses, or None."""

import unicodedata

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils.crypto import salted_hmac

from loudou.leads.dedupe import company_similarity, normalise_company_name
from loudou.webforms.models import WebForm

#: The hidden field real visitors leave empty.
HONEYPOT = "website"
#: Seconds a human needs at least between loading and sending the form.
MIN_FILL_SECONDS = 3
#: A stamp older than this is refused as stale.
MAX_FILL_SECONDS = 24 * 3600
#: Posts one IP may send to one form per window.
RATE_LIMIT, RATE_WINDOW = 5, 600


def _signer(form: WebForm) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"loudou.webforms:{form.token}")


def fill_stamp(form: WebForm) -> str:
    """A signed stamp of "now" for the page, checked when the form comes back."""
    return _signer(form).sign("1")


def check_fill_time(form: WebForm, stamp: str) -> str | None:
    if not form.require_fill_time:
        return None
    signer = _signer(form)
    try:
        signer.unsign(stamp or "", max_age=MAX_FILL_SECONDS)
    except signing.SignatureExpired:
        return "stale_stamp"
    except signing.BadSignature:
        return "bad_stamp"
    try:
        signer.unsign(stamp, max_age=MIN_FILL_SECONDS)
    except signing.SignatureExpired:
        return None
    return "too_fast"


def ip_hash(ip: str) -> str:
    """A keyed hash of the sender's address: the same IP gives the same value, the value
    gives no IP back (the key is SECRET_KEY)."""
    return salted_hmac("loudou.webforms.ip", ip[:64], algorithm="sha256").hexdigest()


def rate_cache():
    """The cache that counts posts: `WEBFORMS_RATE_CACHE` (an alias of CACHES, default
    "default"). Several web processes need a shared one (LOUDOU_CACHE_URL)."""
    return caches[getattr(settings, "WEBFORMS_RATE_CACHE", "default")]


def check_rate(form: WebForm, ip: str) -> str | None:
    """Count the post; refuse beyond RATE_LIMIT per RATE_WINDOW (Django's cache API)."""
    cache, key = rate_cache(), f"webforms:rate:{form.pk}:{ip_hash(ip)}"
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW)
        count = 1
    return "rate_limited" if count > RATE_LIMIT else None


def first_refusal_in_window(form: WebForm, ip: str) -> bool:
    """Whether this is the first rate-limited post of the window from `ip`: only that one
    is stored, so a flood cannot fill the table (all are counted)."""
    key = f"webforms:rate-logged:{form.pk}:{ip_hash(ip)}"
    return rate_cache().add(key, 1, timeout=RATE_WINDOW)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def check_content(form: WebForm, values: dict) -> str | None:
    """Banned company names (compared like duplicates) and stop phrases in any field."""
    company = str(values.get("company_name") or "")
    for banned in form.lines("banned_company_names"):
        same = normalise_company_name(banned) == normalise_company_name(company)
        if same or company_similarity(banned, company) >= 95:
            return "banned_company"
    text = _fold(" ".join(str(v) for v in values.values() if v))
    if any(_fold(phrase) in text for phrase in form.lines("stop_phrases")):
        return "stop_phrase"
    return None


def spam_reason(form: WebForm, data, ip: str) -> str | None:
    """Why this post is spam, or None. The rate is counted for every post."""
    if check_rate(form, ip):
        return "rate_limited"
    if (data.get(HONEYPOT) or "").strip():
        return "honeypot"
    return check_fill_time(form, data.get("ts", ""))
