"""Slides -> a python-pptx presentation in the template's layouts.

Titles go in the layout's title placeholder (so every slide has a title a screen reader finds);
text in the layout's content placeholders where it has them, else in text boxes; figures and
tables below the title. Shapes are added in reading order: title, content, then the
synthetic-data label. Fonts and colours are the template's (theme fonts, no typeface set here);
only sizes are set, chosen so that every text fits its box.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide as PptxSlide
from pptx.slide import SlideLayout
from pptx.util import Emu, Inches, Pt

from ivb_analysis import figures, style
from ivb_analysis.annex.model import FigureItem
from ivb_analysis.deck.model import Block, Slide
from ivb_analysis.deck.template import find_layout

#: Average glyph width in em of a sans-serif at text sizes (conservative: wide fonts fit too).
CHAR_EM = 0.6
LINE = 1.25  # line height in em, paragraph spacing included below
GAP = Inches(0.2)
MARGIN = Inches(0.4)
BANNER_HEIGHT = Inches(0.4)
TITLE_PT = (32, 18)
BODY_PT = (24, 11)
SIDE_PT = (18, 10)
TABLE_PT = (20, 8)
FIGURE_DPI = figures.PRINT_DPI
#: Light tints behind a verdict word in a table (the word carries the meaning too).
TINTS = {"beter": "CCEBE3", "slechter": "F7DCCB"}
EMU_PER_PT = 12700


def lines_needed(text: str, width: int, pt: float) -> int:
    """Lines a paragraph takes in a box `width` EMU wide at `pt` points (word-wrapped)."""
    per_line = max(1, int(width / EMU_PER_PT / (pt * CHAR_EM)))
    lines, used = 1, 0
    for word in text.split():
        need = len(word) + (1 if used else 0)
        if used and used + need > per_line:
            lines += 1 + (len(word) - 1) // per_line
            used = len(word) % per_line or per_line
        else:
            used += need
            if used > per_line:
                lines += (used - 1) // per_line
                used = used % per_line or per_line
    return lines


def fit_size(paragraphs: list[str], width: int, height: int, sizes: tuple[int, int]) -> int | None:
    """The largest size from sizes[0] down to sizes[1] at which all paragraphs fit, else None."""
    inner_w = width - Inches(0.3)
    inner_h = height - Inches(0.15)
    for pt in range(sizes[0], sizes[1] - 1, -1):
        lines = sum(lines_needed(p, inner_w, pt) for p in paragraphs)
        if lines * pt * LINE * EMU_PER_PT + len(paragraphs) * pt * 0.3 * EMU_PER_PT <= inner_h:
            return pt
    return None


def _sized(run, size: float) -> None:
    """A run at `size` points, marked Dutch (screen readers pronounce it as Dutch)."""
    run.font.size = Pt(size)
    run.font.language_id = MSO_LANGUAGE_ID.DUTCH


def figure_png(item: FigureItem) -> bytes:
    """The annex figure as PNG at print resolution (sharp on any projector)."""
    return figures.figure_bytes(item.figure, "png", FIGURE_DPI)


class DoesNotFit(ValueError):
    """The slide's text or table does not fit at the smallest size: split the slide."""


def height_needed(texts: list[str], width: int, pt: int) -> int:
    """The height (EMU) `texts` take in a box `width` EMU wide at `pt` points."""
    lines = sum(lines_needed(t, width - Inches(0.3), pt) for t in texts)
    return int(lines * pt * LINE * EMU_PER_PT + len(texts) * pt * 0.3 * EMU_PER_PT
               + Inches(0.15))


def split(spec: Slide) -> list[Slide] | None:
    """The slide as two slides, each with half of every text column or of the table rows (the
    second titled '(vervolg)'); None when there is nothing left to split."""
    longest = max([len(b.lines) for b in spec.blocks] + [len(spec.table) - 1])
    if longest < 2:
        return None
    first, second = replace(spec), replace(spec, title=f"{spec.title} (vervolg)")
    first.blocks = [Block(b.heading, b.lines[:(len(b.lines) + 1) // 2]) for b in spec.blocks]
    second.blocks = [Block(b.heading, b.lines[(len(b.lines) + 1) // 2:]) for b in spec.blocks]
    if spec.table:
        half = len(spec.table) // 2 + 1
        first.table, second.table = spec.table[:half], [spec.table[0], *spec.table[half:]]
        first.verdicts, second.verdicts = spec.verdicts[:half - 1], spec.verdicts[half - 1:]
    if spec.kind == "figuur" and spec.figure is not None:
        second.figure = None
    return [first, second]


class Renderer:
    """Adds slides to a presentation opened from the template."""

    def __init__(self, deck: Deck, banner: str | None,
                 png: Callable[[FigureItem], bytes] | None = None) -> None:
        self.deck = deck
        self.png = png or figure_png
        self.banner = style.banner_text(banner)
        self.width = deck.slide_width
        self.height = deck.slide_height
        self.strict = True  # False: a slide that cannot be split is set at the smallest size
        self.rendered: list[Slide] = []

    # --- layouts and areas --------------------------------------------------------------------

    def _layout(self, *roles: str) -> SlideLayout:
        """The first of `roles` the template has, else one with the title on top."""
        for role in (*roles, "alleen_titel", "inhoud", "twee", "titel"):
            layout = find_layout(self.deck, role)
            if layout is not None:
                return layout
        return self.deck.slide_layouts[0]

    def _area(self, slide: PptxSlide) -> tuple[int, int, int, int]:
        """(left, top, width, height) below the title, above the label."""
        title = slide.shapes.title
        left = title.left if title is not None else MARGIN
        width = title.width if title is not None else self.width - 2 * MARGIN
        top = (title.top + title.height if title is not None else MARGIN) + GAP
        bottom = self.height - MARGIN - (BANNER_HEIGHT + GAP if self.banner else 0)
        return left, top, width, max(bottom - top, Inches(1))

    # --- text ---------------------------------------------------------------------------------

    def _title(self, slide: PptxSlide, text: str) -> None:
        shape = slide.shapes.title
        if shape is None:  # a layout without a title: a text box named as the title
            shape = slide.shapes.add_textbox(MARGIN, MARGIN, self.width - 2 * MARGIN,
                                             Inches(1.0))
            shape.name = "Titel"
        size = fit_size([text], shape.width, shape.height, TITLE_PT) or TITLE_PT[1]
        frame = shape.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.text = text
        for paragraph in frame.paragraphs:
            for run in paragraph.runs:
                _sized(run, size)

    def _fill(self, shape, blocks: list[Block], sizes: tuple[int, int], *,
              heading_bold: bool = True) -> None:
        """Blocks into a shape's text frame at the largest size that fits."""
        texts = [t for b in blocks for t in ([b.heading] if b.heading else []) + b.lines]
        size = fit_size(texts, shape.width, shape.height, sizes)
        if size is None and self.strict:
            raise DoesNotFit(texts[0][:60])
        size = size or sizes[1]
        frame = shape.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        first = True
        for block in blocks:
            items = [(block.heading, True)] if block.heading else []
            items += [(line, False) for line in block.lines]
            for text, is_heading in items:
                paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
                first = False
                run = paragraph.add_run()
                run.text = text
                _sized(run, size)
                if is_heading and heading_bold:
                    run.font.bold = True
                paragraph.space_before = Pt(size * 0.3)

    def _textbox(self, slide: PptxSlide, box: tuple[int, int, int, int], blocks: list[Block],
                 sizes: tuple[int, int], name: str) -> None:
        shape = slide.shapes.add_textbox(*box)
        shape.name = name
        self._fill(shape, blocks, sizes)

    def _label(self, slide: PptxSlide) -> None:
        """The synthetic-data label, a dark red band at the bottom of the slide."""
        if not self.banner:
            return
        shape = slide.shapes.add_textbox(MARGIN, self.height - MARGIN - BANNER_HEIGHT,
                                         self.width - 2 * MARGIN, BANNER_HEIGHT)
        shape.name = "Label synthetische data"
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(style.BANNER.lstrip("#"))
        frame = shape.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        size = fit_size([self.banner], shape.width, shape.height, (14, 8)) or 8
        run = frame.paragraphs[0].add_run()
        run.text = self.banner
        _sized(run, size)
        run.font.bold = True
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        frame.paragraphs[0].alignment = PP_ALIGN.CENTER

    @staticmethod
    def _drop_empty(slide: PptxSlide, keep: set[int]) -> None:
        """Remove the layout's placeholders the slide does not use (no empty boxes)."""
        for shape in list(slide.placeholders):
            if shape.placeholder_format.idx not in keep:
                shape._element.getparent().remove(shape._element)

    # --- slides -------------------------------------------------------------------------------

    def add(self, spec: Slide) -> None:
        """The slide, or (when its text does not fit even at the smallest size) its halves."""
        handler = {"titel": self._title_slide, "tekst": self._text_slide,
                   "kolommen": self._columns_slide, "figuur": self._figure_slide,
                   "tabel": self._table_slide}[spec.kind]
        try:
            slide = handler(spec)
        except DoesNotFit:
            self._drop_last()
            parts = split(spec)
            if parts is None:
                self.strict = False
                try:
                    self.add(spec)
                finally:
                    self.strict = True
                return
            for part in parts:
                self.add(part)
            return
        self._label(slide)
        slide.notes_slide.notes_text_frame.text = "\n".join(spec.notes)
        self.rendered.append(spec)

    def _drop_last(self) -> None:
        ids = self.deck.slides._sldIdLst
        last = ids[-1]
        self.deck.part.drop_rel(last.rId)
        ids.remove(last)

    def _title_slide(self, spec: Slide) -> PptxSlide:
        slide = self.deck.slides.add_slide(self._layout("titel", "inhoud", "alleen_titel"))
        self._title(slide, spec.title)
        used = {slide.shapes.title.placeholder_format.idx} if slide.shapes.title else set()
        sub = next((p for p in slide.placeholders
                    if p.placeholder_format.type in (PP_PLACEHOLDER.SUBTITLE,
                                                     PP_PLACEHOLDER.BODY,
                                                     PP_PLACEHOLDER.OBJECT)), None)
        if sub is not None and spec.subtitle:
            self._fill(sub, [Block(None, [spec.subtitle])], BODY_PT)
            used.add(sub.placeholder_format.idx)
        self._drop_empty(slide, used)
        if sub is None and spec.subtitle:
            self._textbox(slide, self._area(slide), [Block(None, [spec.subtitle])], BODY_PT,
                          "Ondertitel")
        return slide

    def _content(self, slide: PptxSlide) -> list:
        """The slide's content placeholders, left to right."""
        found = [p for p in slide.placeholders
                 if p.placeholder_format.type in (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)]
        return sorted(found, key=lambda p: (p.left, p.top))

    def _text_slide(self, spec: Slide) -> PptxSlide:
        slide = self.deck.slides.add_slide(self._layout("inhoud", "alleen_titel"))
        self._title(slide, spec.title)
        boxes = self._content(slide)
        keep = {slide.shapes.title.placeholder_format.idx}
        if boxes:
            body = boxes[0]
            bottom = self.height - MARGIN - (BANNER_HEIGHT + GAP if self.banner else 0)
            if body.top + body.height > bottom:  # all four: a partial position zeroes the rest
                left, top, width = body.left, body.top, body.width
                body.left, body.top, body.width = left, top, width
                body.height = Emu(bottom - top)
            self._fill(body, spec.blocks, BODY_PT)
            keep.add(body.placeholder_format.idx)
            self._drop_empty(slide, keep)
        else:
            self._textbox(slide, self._area(slide), spec.blocks, BODY_PT, "Tekst")
        return slide

    def _columns_slide(self, spec: Slide) -> PptxSlide:
        slide = self.deck.slides.add_slide(self._layout("alleen_titel"))
        self._title(slide, spec.title)
        self._drop_empty(slide, {slide.shapes.title.placeholder_format.idx})
        left, top, width, height = self._area(slide)
        footer = min(height_needed([spec.subtitle], width, SIDE_PT[1] + 2), height // 3) \
            if spec.subtitle else 0
        half = (width - GAP) // 2
        size = min(fit_size([b.heading or "", *b.lines], half, height - footer, BODY_PT)
                   or BODY_PT[1] for b in spec.blocks[:2])
        for k, block in enumerate(spec.blocks[:2]):
            self._textbox(slide, (left + k * (half + GAP), top, half, height - footer), [block],
                          (size, BODY_PT[1]), "Positief" if k == 0 else "Maar")
        if spec.subtitle:
            self._textbox(slide, (left, top + height - footer, width, footer),
                          [Block(None, [spec.subtitle])], SIDE_PT, "Stabiel")
        return slide

    def _figure_slide(self, spec: Slide) -> PptxSlide:
        slide = self.deck.slides.add_slide(self._layout("alleen_titel"))
        self._title(slide, spec.title)
        self._drop_empty(slide, {slide.shapes.title.placeholder_format.idx})
        left, top, width, height = self._area(slide)
        text_w = int(width * 0.36) if spec.blocks else 0
        if spec.figure is not None:
            fig = spec.figure.figure
            fw, fh = fig.get_size_inches()
            box_w = width - text_w - (GAP if text_w else 0)
            scale = min(box_w / Inches(fw), height / Inches(fh))
            pic_w, pic_h = int(Inches(fw) * scale), int(Inches(fh) * scale)
            png = self.png(spec.figure)
            pic = slide.shapes.add_picture(io.BytesIO(png), left, top, pic_w, pic_h)
            pic.name = f"Figuur {spec.figure.key}"
            pic._element.nvPicPr.cNvPr.set("descr", spec.figure.alt_text)
            text_left = left + pic_w + GAP
            text_w = width - pic_w - GAP
        else:
            text_left, text_w = left, width
        if spec.blocks:
            self._textbox(slide, (text_left, top, text_w, height), spec.blocks, SIDE_PT,
                          "Kerncijfers")
        return slide

    def _table_slide(self, spec: Slide) -> PptxSlide:
        slide = self.deck.slides.add_slide(self._layout("alleen_titel"))
        self._title(slide, spec.title)
        self._drop_empty(slide, {slide.shapes.title.placeholder_format.idx})
        left, top, width, height = self._area(slide)
        rows, cols = len(spec.table), len(spec.table[0])
        first = int(width * (0.4 if cols > 2 else 0.6))
        widths = [first] + [(width - first) // (cols - 1)] * (cols - 1)
        size = self._table_size(spec.table, widths, height)
        row_h = [self._row_height(row, widths, size) for row in spec.table]
        shape = slide.shapes.add_table(rows, cols, left, top, width, sum(row_h))
        shape.name = "Tabel"
        table = shape.table
        for c, w in enumerate(widths):
            table.columns[c].width = Emu(w)
        for r, row in enumerate(spec.table):
            table.rows[r].height = Emu(row_h[r])
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.margin_left = cell.margin_right = Inches(0.06)
                cell.margin_top = cell.margin_bottom = Inches(0.02)
                cell.text = text
                paragraph = cell.text_frame.paragraphs[0]
                for run in paragraph.runs:
                    _sized(run, size)
                if c > 0:
                    paragraph.alignment = PP_ALIGN.CENTER
                marks = spec.verdicts[r - 1] if 0 < r <= len(spec.verdicts) else []
                verdict = marks[c] if c < len(marks) else None
                if verdict in TINTS:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RGBColor.from_string(TINTS[verdict])
                    for run in paragraph.runs:
                        run.font.color.rgb = RGBColor(0, 0, 0)
                        run.font.bold = True
        return slide

    @staticmethod
    def _row_height(row: list[str], widths: list[int], pt: int) -> int:
        lines = max(lines_needed(text, w - Inches(0.12), pt) for text, w in
                    zip(row, widths, strict=True))
        return int(lines * pt * LINE * EMU_PER_PT + Inches(0.06))

    def _table_size(self, table: list[list[str]], widths: list[int], height: int) -> int:
        for pt in range(TABLE_PT[0], TABLE_PT[1] - 1, -1):
            if sum(self._row_height(row, widths, pt) for row in table) <= height:
                return pt
        if self.strict:
            raise DoesNotFit(f"tabel van {len(table)} rijen")
        return TABLE_PT[1]

