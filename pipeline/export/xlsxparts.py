"""The fixed parts of a two-sheet SpreadsheetML workbook (ECMA-376 Part 1 and Part 2, OPC):
content types, relationships, document properties, workbook, styles, and the start and end of
a worksheet around its <sheetData>. The cells themselves are written by xlsx.py."""

from __future__ import annotations

import re
from datetime import datetime

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument"

CONTENT_TYPES = (
    XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/docProps/app.xml" ContentType="{OFFICE}.extended-properties+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.spreadsheetml.styles+xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.spreadsheetml.worksheet+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{OFFICE}.spreadsheetml.worksheet+xml"/>'
    '</Types>')

PACKAGE_RELS = (
    XML + f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
    '</Relationships>')

WORKBOOK_RELS = (
    XML + f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_REL}/styles" Target="styles.xml"/>'
    '</Relationships>')

# cellXfs: 0 default, 1 header (bold, wrapped, top, fill, border), 2 text (@), 3 date, 4 wrapped
HEADER, TEXT, DATE, WRAP = 1, 2, 3, 4     # cell formats: indexes into STYLES' cellXfs
_THIN = '<color auto="1"/>'
STYLES = (
    XML + f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="@"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
    '</patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    f'<border><left style="thin">{_THIN}</left><right style="thin">{_THIN}</right>'
    f'<top style="thin">{_THIN}</top><bottom style="thin">{_THIN}</bottom><diagonal/></border>'
    '</borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/></styleSheet>')

_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
PAGE_MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'


def package_parts(sheet: str, about: str, last: str, title: str, comments: str,
                  created: datetime) -> dict[str, str]:
    """Every part but the worksheets, by name in the zip; `last` is the bottom-right cell of
    the first sheet's autofilter (A1:last)."""
    return {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS,
            "docProps/app.xml": _app(sheet, about),
            "docProps/core.xml": _core(title, comments, created),
            "xl/workbook.xml": _workbook(sheet, about, last),
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS, "xl/styles.xml": STYLES}


def sheet_head(widths: list[float], text_columns: list[bool], dimension: str,
               frozen: bool = False, wrapped: int | None = None) -> str:
    """A worksheet up to its first row: columns of the given widths, text columns formatted
    as text (`@`, so that what a person types there stays text), the column at index
    `wrapped` wrapped; `frozen`: the first sheet, selected, its header row frozen."""
    cols = []
    for index, (width, text) in enumerate(zip(widths, text_columns)):
        style = TEXT if text else WRAP if index == wrapped else 0
        styled = f' style="{style}"' if style else ""
        cols.append(f'<col min="{index + 1}" max="{index + 1}" width="{_excel_width(width)}"'
                    f'{styled} customWidth="1"/>')
    view = ('<sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView>'
            if frozen else '<sheetView workbookViewId="0"/>')
    return (f'{XML}<worksheet xmlns="{MAIN}" xmlns:r="{DOC_REL}"><dimension ref="{dimension}"/>'
            f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{"".join(cols)}</cols><sheetData>')


def sheet_tail(autofilter: str | None = None) -> str:
    filtered = f'<autoFilter ref="{autofilter}"/>' if autofilter else ""
    return f"</sheetData>{filtered}{PAGE_MARGINS}</worksheet>"


def _excel_width(characters: float) -> float:
    """A width in characters as Excel stores it: with the cell padding of 5 pixels of a 7-pixel
    character, in 1/256 of a character."""
    pixels = int(characters * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


def _workbook(sheet: str, about: str, last: str) -> str:
    """Two sheets; the hidden name _FilterDatabase that Excel keeps for an autofilter."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    area = "$" + "$".join(_split(last))
    return (f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{DOC_REL}"><bookViews><workbookView/>'
            f'</bookViews><sheets><sheet name={_attribute(sheet)} sheetId="1" r:id="rId1"/>'
            f'<sheet name={_attribute(about)} sheetId="2" r:id="rId2"/></sheets><definedNames>'
            '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f'{xml_text(quoted)}!$A$1:{area}</definedName></definedNames></workbook>')


def _split(cell: str) -> tuple[str, str]:
    """("R", "5915") of "R5915"."""
    digits = next(i for i, c in enumerate(cell) if c.isdigit())
    return cell[:digits], cell[digits:]


def _app(sheet: str, about: str) -> str:
    names = "".join(f"<vt:lpstr>{xml_text(name)}</vt:lpstr>" for name in (sheet, about))
    return (f'{XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            '2006/docPropsVTypes"><Application>Microsoft Excel</Application>'
            '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>'
            'Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant>'
            f'</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="2" baseType="lpstr">'
            f'{names}</vt:vector></TitlesOfParts></Properties>')


def _core(title: str, comments: str, created: datetime) -> str:
    moment = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'{XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{xml_text(title)}</dc:title><dc:description>{xml_text(comments)}'
            f'</dc:description><dcterms:created xsi:type="dcterms:W3CDTF">{moment}'
            f'</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{moment}'
            '</dcterms:modified></cp:coreProperties>')


def xml_text(text: str) -> str:
    """Text escaped for an XML element the way Excel writes it (control characters _xHHHH_)."""
    return _ESCAPE.sub(_escaped, text)


def _escaped(match: re.Match) -> str:
    character = match.group()
    if character in _ENTITIES:
        return _ENTITIES[character]
    return f"_x{ord(character):04X}_"      # the underscore of a literal _xHHHH_ becomes _x005F_


def _attribute(text: str) -> str:
    return '"' + xml_text(text).replace('"', "&quot;") + '"'
