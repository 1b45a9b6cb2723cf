"""Mail headers within the RFCs: every header line at most 78 octets (RFC 5322 2.1.1; we fold at
76), every encoded word at most 75 characters (RFC 2047 2), names and subjects that read exactly as
written, and URLs (List-Unsubscribe) never encoded.

``MAIL_POLICY`` is the standard library's SMTP policy with its own header registry: the standard
library parses, stores and flattens every header, and these classes fold the three kinds that carry
people's words. Python 3.11's own folder breaks them (docs/adr/0014): it writes 77-character encoded
words at a 78 limit; it drops the quotes of a display name with a comma when it folds it (one
recipient becomes two); it leaves a space at the end of a line before an encoded word (a doubled
space after unfolding) and puts the space between two encoded words outside them (where RFC 2047
6.2 says a reader ignores it: "Zoë Ÿsbrand" reads "ZoëŸsbrand").

How these fold: the text is split at its spaces into words. Plain words (ASCII; in a display name
also free of RFC 5322 specials) are written as they are; each run of other words is written as
encoded words that carry the run's own spaces inside them, each at most 75 characters, split
between characters only when a run does not fit in one. Lines break only between words, at a space
that is the text's own. An all-ASCII display name with specials (a comma, quotes) is one
quoted-string, folded at its spaces.
"""

from __future__ import annotations

import base64
import functools
import re
import secrets
from email import policy as email_policy
from email import quoprimime
from email.headerregistry import AddressHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage

from django.core.mail import EmailMultiAlternatives

LINE = 76  # one space + a 75-character encoded word
ENCODED_WORD_MAX = 75
URL_HEADER_MAX = 900

_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$")
_PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e]+$")
# An address whose addr-spec the standard library writes back exactly as stored (a dot-atom local
# part and an ASCII domain): written as it is, without parsing it again (To lines, SMTP envelopes).
PLAIN_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9.-]+$"
)


def _encoded_word(text: str) -> str:
    """The shorter of the Q and B forms of ``text`` (UTF-8). Q encodes everything but letters,
    digits and ``!*+-/`` (space as ``_``), so it is safe inside a display name (RFC 2047 5.3)."""
    data = text.encode("utf-8")
    q = quoprimime.header_encode(data, charset="utf-8")
    b = "=?utf-8?b?" + base64.b64encode(data).decode("ascii") + "?="
    return q if len(q) <= len(b) else b


def _encoded_words(text: str) -> list[str]:
    """``text`` as encoded words of at most 75 characters, split between characters."""
    words: list[str] = []
    chunk = ""
    for char in text:
        if chunk and len(_encoded_word(chunk + char)) > ENCODED_WORD_MAX:
            words.append(_encoded_word(chunk))
            chunk = ""
        chunk += char
    if chunk:
        words.append(_encoded_word(chunk))
    return words


def _tokens(text: str, *, plain) -> list[str]:
    """Words to write separated by one space (where a line may break): plain words as they are,
    each run of other words as encoded words with the run's spaces inside."""
    tokens: list[str] = []
    run: list[str] = []
    for word in text.split(" "):
        if plain(word):
            if run:
                tokens.extend(_encoded_words(" ".join(run)))
                run = []
            tokens.append(word)
        else:
            run.append(word)
    if run:
        tokens.extend(_encoded_words(" ".join(run)))
    return tokens


def _plain_text_word(word: str) -> bool:
    return bool(_PRINTABLE_ASCII.match(word)) and "=?" not in word and len(word) <= ENCODED_WORD_MAX - 10


def _plain_phrase_word(word: str) -> bool:
    return bool(_ATEXT.match(word)) and "=?" not in word and len(word) <= ENCODED_WORD_MAX - 10


def _quoted_tokens(name: str) -> list[str] | None:
    """An ASCII display name with specials as one quoted-string, split at its spaces (folding
    whitespace inside a quoted-string unfolds to the same space). None if a word is too long."""
    words = name.replace("\\", "\\\\").replace('"', '\\"').split(" ")
    if any(len(word) > ENCODED_WORD_MAX - 10 for word in words):
        return None
    words[0] = '"' + words[0]
    words[-1] += '"'
    return words


def phrase_tokens(name: str) -> list[str]:
    name = " ".join(name.split())
    if not name:
        return []
    if all(_plain_phrase_word(word) for word in name.split(" ")):
        return name.split(" ")
    if name.isascii() and all(32 <= ord(c) < 127 for c in name):
        quoted = _quoted_tokens(name)
        if quoted is not None:
            return quoted
    return _tokens(name, plain=_plain_phrase_word)


def text_tokens(text: str) -> list[str]:
    return _tokens(" ".join(text.split()), plain=_plain_text_word)


def fold(name: str, tokens: list[str], *, linesep: str) -> str:
    """``Name: token token …`` with a line break (CRLF + space) in place of a space when the next
    token would pass ``LINE`` octets."""
    lines = [f"{name}:"]
    for token in tokens:
        if len(lines[-1]) + 1 + len(token) > LINE and lines[-1] != f"{name}:":
            lines.append("")
        lines[-1] += " " + token
    return linesep.join(lines) + linesep


class SubjectHeader(UnstructuredHeader):
    def fold(self, *, policy) -> str:
        return fold(self.name, text_tokens(str(self)), linesep=policy.linesep)


class AddressListHeader(AddressHeader):
    """To, From, Reply-To, Cc: each address's display name as words, then ``<addr-spec>``."""

    def fold(self, *, policy) -> str:
        tokens: list[str] = []
        for address in self.addresses:
            if tokens:
                tokens[-1] += ","
            name = phrase_tokens(address.display_name)
            tokens.extend([*name, f"<{address.addr_spec}>"] if name else [address.addr_spec])
        return fold(self.name, tokens, linesep=policy.linesep)


class URLHeader(UnstructuredHeader):
    """List-Unsubscribe (RFC 2369): an angle-bracketed URL that must never be RFC 2047-encoded
    (RFC 2047 5 allows encoded words only in text and phrases) nor broken. Written on one line,
    under the 998-octet hard limit: the one header allowed past 78 octets."""

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


_HEADER_TYPES = HeaderRegistry()
_HEADER_TYPES.map_to_type("subject", SubjectHeader)
for _name in ("to", "from", "reply-to", "cc"):
    _HEADER_TYPES.map_to_type(_name, AddressListHeader)
_HEADER_TYPES.map_to_type("list-unsubscribe", URLHeader)


class _MailPolicy(email_policy.EmailPolicy):
    """The SMTP policy, with one shortcut: a short plain-ASCII header (Date, Message-ID, the MIME
    headers of each part…) is stored as the string it is and written unchanged, instead of being
    parsed into a header object and folded again (two thirds of the time of building a message).
    Anything else takes the standard path, the classes above included."""

    def header_store_parse(self, name, value):
        if (
            isinstance(value, str)
            and len(name) + 2 + len(value) <= LINE
            and value.isascii()
            and value.isprintable()
            and "=?" not in value
        ):
            return (name, value)
        return super().header_store_parse(name, value)

    def header_fetch_parse(self, name, value):
        # Reading a stored string (the generator asks each part's Content-Type several times):
        # parse each distinct one once. Header objects are immutable, so sharing them is safe.
        if hasattr(value, "name"):
            return value
        return _parsed_header(name, "".join(value.splitlines()))


@functools.lru_cache(maxsize=512)
def _parsed_header(name: str, value: str):
    return _HEADER_TYPES(name, value)


MAIL_POLICY = _MailPolicy(linesep="\r\n", max_line_length=LINE, header_factory=_HEADER_TYPES)


class MIMEMessage(EmailMessage):
    """The standard library's message, flattened the way Django's mail backends ask for it
    (``as_bytes(linesep="\\r\\n")``)."""

    def set_boundaries(self) -> None:
        """A random boundary on every multipart part now: the generator's own check of each new
        boundary against the text compiles a regular expression per part (a third of the time of
        flattening a message). 128 random bits never occur in the text by chance."""
        for part in self.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(f"=_omooc_{secrets.token_hex(16)}")

    def freeze(self) -> None:
        """Flatten the message now, as the mail backends will ask for it, and answer that ask with
        these bytes (the message is not changed after this)."""
        self._flat = self.as_bytes(linesep="\r\n")

    def as_bytes(self, unixfrom: bool = False, policy=None, linesep: str | None = None) -> bytes:
        flat = getattr(self, "_flat", None)
        if flat is not None and not unixfrom and policy is None and linesep == "\r\n":
            return flat
        policy = policy or self.policy
        if linesep is not None:
            policy = policy.clone(linesep=linesep)
        return super().as_bytes(unixfrom=unixfrom, policy=policy)

    def as_string(self, unixfrom: bool = False, maxheaderlen=None, policy=None, linesep=None) -> str:
        policy = policy or self.policy
        if linesep is not None:
            policy = policy.clone(linesep=linesep)
        return super().as_string(unixfrom=unixfrom, policy=policy)


class OutboxMessage(EmailMultiAlternatives):
    """What Django's backends send: ``message()`` is the MIME message built with ``MAIL_POLICY``
    (the envelope recipient is the bare address). Body, alternatives and attachments are also set
    the Django way, for the in-memory backend's readers."""

    def __init__(self, *, mime: EmailMessage, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mime = mime

    def message(self) -> EmailMessage:
        return self.mime


def ascii_address(address: str) -> str:
    """The address as it goes into a header: an internationalised domain in its ASCII form."""
    local, _at, domain = address.rpartition("@")
    try:
        domain.encode("ascii")
    except UnicodeEncodeError:
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"
