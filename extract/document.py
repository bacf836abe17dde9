"""Split an article's working text into lines, paragraphs and sentences, and tell apart the
title, the page's date line, the lead and boilerplate (which stays in the text but is not matched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.limits import WINDOW_CHARS
from extract.textnorm import Normalized

_CAPTION_RE = re.compile(r"\(?ảnh\s*:", re.IGNORECASE)
_BOILERPLATE_RE = re.compile(
    r"^(skip ribbon commands|skip to main content|truy cập nội dung luôn|quay lại|xuất bản thông tin.*"
    r"|liên kết website|additional information|xem thêm|các tin khác.*|các tin bài khác|các tin đã đưa.*"
    r"|tin liên quan|bài viết liên quan|tin cùng chuyên mục|những tin (mới hơn|cũ hơn).*|theo dòng sự kiện"
    r"|thống kê truy cập.*|trực tuyến\s*:.*|đã truy cập.*|đang online.*|đang truy cập.*|tổng lượt truy cập.*"
    r"|(số )?lượt xem.*|lượt truy cập.*|(kích )?cỡ chữ.*|in trang.*|in bài.*|gửi email.*|chia sẻ.*"
    r"|bình luận.*"
    r"|image advertisement|anh tin bai|giấy phép.*|bản quyền.*|® .*|ghi rõ nguồn.*"
    r"|địa chỉ\s*:.*|điện thoại\s*:.*"
    r"|e-?mail\s*:.*|trưởng ban biên tập.*|cơ quan chủ quản.*"
    r"|nguồn\s*:.*|nguồn tin\s*:.*|tác giả( bài viết)?\s*:.*"
    r"|từ khóa\s*:.*|mọi chi tiết xin liên hệ.*|cổng thông tin điện tử.*|về đầu trang.*|100%"
    r"|cannot retrieve the url.*|[\d.,\s|]+|\S+\.(jpe?g|png|gif|webp)|tin,? ảnh\s*:.*)$",
    re.IGNORECASE,
)
_SLOGAN_RE = re.compile(r"CHÀO MỪNG|^MỪNG |ĐỜI ĐỜI|NHIỆT LIỆT|MUÔN NĂM|QUYẾT TÂM")
_DATE_RE = r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
_DATELINE_RE = re.compile(
    rf"^[(\s]*((ngày đăng|đăng ngày|cập nhật( lúc)?|ngày|thứ \w+|bài đăng vào lúc)[\s:,|\-–]*)*"
    rf"([\d:]+\s*(sa|ch|am|pm)?\s*[,|\-–]?\s*)?(ngày\s*:?\s*)?{_DATE_RE}[^\n]{{0,60}}$",
    re.IGNORECASE,
)
# a date beside the site's language switch or sign-in link is the header's clock (today), not the article's
_HEADER_CLOCK_RE = re.compile(
    r"[|·]\s*(?:English|Tiếng\s+Anh|中文|Français|Tiếng\s+Việt|Đăng\s+nhập)(?!\w)", re.I
)
# "Hội nghị sơ kết … của Khối thi đua … (09/07/2018)": a headline followed by its publication date
_TITLE_DATE_RE = re.compile(rf"\(\s*{_DATE_RE}\s*\)\s*$")
# "08:40 14/03/2022 Sáng 12-3, tại …": a time stamp glued to the start of the lead
_STAMP_PREFIX_RE = re.compile(rf"^\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s*[,|\-–]?\s*{_DATE_RE}(?=\s)")
_TITLE_WORDS_RE = re.compile(
    r"khối|cụm|hội nghị|thi đua|giao ước|tổng kết|sơ kết|triển khai|trưởng", re.IGNORECASE
)


@dataclass(slots=True)
class Line:
    start: int
    end: int
    text: str
    kind: str = "body"  # body | boilerplate | caption | dateline | title


@dataclass(slots=True)
class Document:
    norm: Normalized
    lines: list[Line] = field(default_factory=list)
    title: Line | None = None
    dateline: Line | None = None
    lead: Line | None = None

    @property
    def text(self) -> str:
        return self.norm.text

    def body_lines(self) -> list[Line]:
        """Lines relations are read from: the title, the body and photo captions (a caption may be the
        only place that names the bloc's leader: "Ảnh: Giám đốc Sở KH&CN, Khối trưởng …")."""
        return [ln for ln in self.lines if ln.kind in ("body", "title", "caption")]

    def head_spans(self) -> list[tuple[int, int]]:
        """Title and the lead's opening sentence: where articles name the meeting they report."""
        spans: list[tuple[int, int]] = []
        if self.title:
            spans.append((self.title.start, self.title.end))
        if self.lead:
            end = _first_sentence_end(self.text, self.lead.start, self.lead.end)
            if not _MEETING_CUE_RE.search(self.text, self.lead.start, end) or _PREAMBLE_RE.match(
                self.text, self.lead.start, end
            ):
                # "X được 12/12 phiếu tán thành … Kết quả này được thống nhất tại hội nghị sơ kết …": a lead
                # that opens on the outcome names the meeting in its next sentence; so does one that opens
                # on the plan it carries out ("Thực hiện Kế hoạch số 5/KH-… về việc tổ chức hội nghị …")
                end = _first_sentence_end(self.text, end, self.lead.end)
            spans.append((self.lead.start, end))
        return spans


def body_sentences(doc: Document) -> list[tuple[int, int]]:
    """Title and body sentences as working-text spans: relation patterns match one sentence at a time."""
    from underthesea import sent_tokenize  # punkt parameters; fast (~1 ms per article)

    out: list[tuple[int, int]] = []
    w = doc.text
    for ln in doc.body_lines():
        pos = ln.start
        for sent in sent_tokenize(w[ln.start : ln.end]):
            i = w.find(sent[:30], pos, ln.end)
            if i < 0:
                continue
            out.extend(windows(w, i, min(ln.end, i + len(sent))))
            pos = i + len(sent)
    return out


# a lead opening on the document it carries out: the meeting it reports comes in the next sentence
_PREAMBLE_RE = re.compile(
    r"\s*(?:thực\s+hiện|căn\s+cứ|theo|triển\s+khai)\s+(?:các\s+)?(?:kế\s+hoạch|quyết\s+định|công\s+văn|chỉ\s+thị"
    r"|hướng\s+dẫn|thông\s+báo|nghị\s+quyết|chương\s+trình)(?!\w)",
    re.I,
)
_MEETING_CUE_RE = re.compile(
    r"hội\s+nghị|cuộc\s+họp|buổi\s+lễ|tổng\s+kết|sơ\s+kết|giao\s+ước|ký\s+kết|triển\s+khai|phát\s+động", re.I
)


_CUTS = (";", ",", " và ", " ")


def windows(w: str, start: int, end: int, size: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """w[start:end] as one span, or, when longer than `size`, as consecutive windows of at most `size`.

    No real sentence is that long; a hostile one (thousands of units in one list, a megabyte without
    a full stop) is read window by window, so the per-sentence rules cost at most a window's worth
    each and the whole text costs time linear in its length. A window ends after the last ";" in
    its second half, else the last ",", " và " or space, else at `size`.
    """
    out: list[tuple[int, int]] = []
    while end - start > size:
        lo, hi = start + size // 2, start + size
        cut = -1
        for sep in _CUTS:
            at = w.rfind(sep, lo, hi)
            if at >= 0:
                cut = at + (len(sep) if sep in (";", ",") else 0)
                break
        cut = hi if cut <= start else cut
        out.append((start, cut))
        start = cut
        while start < end and w[start] == " ":
            start += 1
    if end > start:
        out.append((start, end))
    return out


def _first_sentence_end(text: str, start: int, end: int) -> int:
    m = re.compile(r"[.!?](\s|$)").search(text, start, end)
    return m.end() if m else end


# Line lengths (characters) that tell a line's role on a portal page:
# a date line is short: a date with a time, a weekday or "Cập nhật"; a longer line with a date is prose
_MAX_DATELINE_CHARS = 90
# a short line printed twice is a caption or a label repeated by the page, not a sentence
_MAX_REPEATED_CHARS = 200
# the lead: the first body line this long, or a shorter full sentence once a title candidate is seen;
# headlines stay below both
_LEAD_CHARS = 250
_LEAD_SENTENCE_CHARS = 120
# a full sentence that opens on the meeting's date ("Chiều ngày 25/1, …") is the lead whatever its length
_DATED_OPENING_RE = re.compile(
    r"(?:(?:sáng|trưa|chiều|tối)\s+)?(?:ngày\s+|hôm\s+)?\d{1,2}\s*[/-]\s*\d{1,2}\b", re.IGNORECASE
)
# shorter lines ("Tin tức", "Chia sẻ") are menu labels, not title candidates
_MIN_TITLE_CHARS = 15
# without a line that looks like a lead, the first lines this long are paragraphs
_MIN_PARAGRAPH_CHARS = 60
# a date stamp glued to the lead ("08:40 14/03/2022 Sáng …") is looked for in the page's first lines
_STAMP_LINES = 6


def build(norm: Normalized) -> Document:
    """Classify every line of the working text."""
    doc = Document(norm)
    text = norm.text
    pos = 0
    seen: set[str] = set()
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            continue
        lstart = start + (len(raw) - len(raw.lstrip()))
        line = Line(lstart, lstart + len(stripped), stripped)
        if _BOILERPLATE_RE.match(stripped) or (stripped.isupper() and _SLOGAN_RE.search(stripped)):
            line.kind = "boilerplate"
        elif _CAPTION_RE.match(stripped) and stripped not in seen:
            line.kind = "caption"  # never the title or the lead, but read for roles and awards
        elif _DATELINE_RE.match(stripped) and len(stripped) < _MAX_DATELINE_CHARS:
            line.kind = "boilerplate" if _HEADER_CLOCK_RE.search(stripped) else "dateline"
        elif stripped in seen and len(stripped) < _MAX_REPEATED_CHARS:
            line.kind = "boilerplate"  # captions printed twice
        seen.add(stripped)
        doc.lines.append(line)
    _find_title_and_lead(doc)
    _choose_dateline(doc)
    return doc


def _choose_dateline(doc: Document) -> None:
    """The article's date line: the first after the title, else the first on the page.

    Portals print today's date in their header before the title ("Thứ 3, 21/09/2021"); the
    article's own date comes after the title. A date stamp glued to the lead counts too.
    """
    datelines = [ln for ln in doc.lines if ln.kind == "dateline"]
    if doc.title is not None:
        after = [ln for ln in datelines if ln.start > doc.title.start]
        if after:
            doc.dateline = after[0]
            return
    if datelines:
        doc.dateline = datelines[0]
        return
    if doc.title is not None and (tm := _TITLE_DATE_RE.search(doc.title.text)):
        # a headline that carries its own date in parentheses
        doc.dateline = Line(doc.title.start + tm.start(), doc.title.end, tm.group(), "dateline")
        return
    for ln in doc.lines[:_STAMP_LINES]:
        m = _STAMP_PREFIX_RE.match(ln.text)
        if m and ln.kind in ("body", "title"):  # a stamped lead may have been taken for the title
            doc.dateline = Line(ln.start, ln.start + m.end(), m.group(), "dateline")
            return


def _find_title_and_lead(doc: Document) -> None:
    candidates: list[Line] = []
    for ln in doc.lines:
        if ln.kind != "body":
            continue
        if len(ln.text) > _LEAD_CHARS or (
            (len(ln.text) > _LEAD_SENTENCE_CHARS or _DATED_OPENING_RE.match(ln.text))
            and ln.text.endswith(".")
            and candidates
        ):
            doc.lead = ln
            break
        if len(ln.text) >= _MIN_TITLE_CHARS:
            candidates.append(ln)
    if doc.lead is None:
        longer = [ln for ln in doc.lines if ln.kind == "body" and len(ln.text) >= _MIN_PARAGRAPH_CHARS]
        doc.lead = longer[1] if len(longer) > 1 else (longer[0] if longer else None)
    pool = [c for c in candidates if c is not doc.lead]
    if pool:
        # the line naming most meeting words wins; the category label "Thi đua Khen thưởng" loses
        best = max(
            pool, key=lambda c: (len({m.lower() for m in _TITLE_WORDS_RE.findall(c.text)}), -pool.index(c))
        )
        doc.title = best if _TITLE_WORDS_RE.search(best.text) else max(pool, key=lambda c: len(c.text))
        doc.title.kind = "title"
    if doc.lead is doc.title:
        doc.lead = None
