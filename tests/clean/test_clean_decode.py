from __future__ import annotations

import unicodedata

import pytest

from crawler.mockportals.families.aspnet import encode_cp1258
from extract.clean import decode_html
from extract.errors import CleaningError

TEXT = "Khối thi đua Kinh tế - Ngân sách ký giao ước thi đua năm 2026; Sở Lao động - Thương binh và Xã hội"


def page(charset: str) -> str:
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}" /></head>'
        f"<body><p>{TEXT}</p></body></html>"
    )


def test_utf8_page_is_returned_nfc() -> None:
    assert TEXT in decode_html(page("utf-8").encode("utf-8"), "utf-8")


def test_cp1258_declared_in_the_http_header() -> None:
    body = encode_cp1258(page("windows-1258"))
    assert TEXT in decode_html(body, "windows-1258")


def test_cp1258_declared_only_in_meta() -> None:
    body = encode_cp1258(page("windows-1258"))
    assert TEXT in decode_html(body, None)


def test_wrong_http_charset_falls_back_to_the_meta_charset() -> None:
    body = encode_cp1258(page("windows-1258"))
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # the header lies: these bytes are not UTF-8
    text = decode_html(body, "utf-8")
    assert TEXT in text and "\ufffd" not in text


def test_utf8_bytes_under_a_cp1258_header_are_not_mojibake() -> None:
    text = decode_html(page("windows-1258").encode("utf-8"), "windows-1258")
    assert TEXT in text and "á»" not in text


def test_nfd_body_becomes_nfc() -> None:
    body = unicodedata.normalize("NFD", page("utf-8")).encode("utf-8")
    text = decode_html(body, "utf-8")
    assert TEXT in text and text == unicodedata.normalize("NFC", text)


def test_unknown_declared_charset_is_ignored() -> None:
    assert TEXT in decode_html(page("x-bogus").encode("utf-8"), "x-bogus")


def test_undecodable_bytes_keep_as_much_as_possible() -> None:
    body = b"<p>" + "Khối".encode() + b"\x81\x8d\xff</p>"
    text = decode_html(body, None)
    assert text.startswith("<p>")


def test_empty_body_raises() -> None:
    with pytest.raises(CleaningError, match="re-fetch"):
        decode_html(b"", "utf-8")
