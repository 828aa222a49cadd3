"""Reading files for import: encodings, XLSX streaming, headers in English and Dari, bad files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from haven.intake.importing import fields, sniff
from haven.intake.importing.errors import ImportFileError
from haven.intake.importing.readers import open_table
from haven.intake.importing.rows import find_header
from haven.intake.importing.xlsx import XlsxTable
from haven.intake.normalize import western_digits

from .import_helpers import csv_bytes, xlsx_bytes

DARI_HEADER = ["نام", "تخلص", "نام پدر", "تاریخ تولد", "شماره تماس", "شماره تذکره", "ولایت"]
DARI_ROW = ["زبیح‌الله", "احمدزی", "گل احمد", "۱۳۶۵/۰۴/۱۲", "۰۷۰۰۱۲۳۴۵۶", "۱۲/۳۴/۵۶۷", "ننگرهار"]


def rows_of(data: bytes) -> tuple[list[str], list[list[str]]]:
    sheet = find_header(open_table(io.BytesIO(data)))
    return sheet.headers, [cells for _n, cells in sheet.data_rows()]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1256"])
def test_dari_csv_is_read_in_each_encoding_and_its_headers_recognised(encoding):
    header, row = DARI_HEADER, DARI_ROW
    if encoding == "cp1256":
        # Windows-1256 has only the Arabic yeh and no Persian digits: Dari typed on Arabic
        # Windows uses the one and shows ASCII digits for the other.
        header = [h.replace("ی", "ي") for h in header]
        row = [western_digits(c.replace("ی", "ي")) for c in row]
    headers, rows = rows_of(csv_bytes([row], header=header, encoding=encoding))
    assert rows == [row]
    assert fields.detect_mapping(headers) == [
        "given_name",
        "family_name",
        "father_name",
        "date_of_birth",
        "phone",
        "paper_tazkira",
        "province",
    ]


def test_excel_unicode_text_export_utf16_tab_separated_is_read():
    text = "\t".join(DARI_HEADER) + "\r\n" + "\t".join(DARI_ROW) + "\r\n"
    _headers, rows = rows_of(text.encode("utf-16"))
    assert rows == [DARI_ROW]


def test_semicolon_separated_csv_and_title_rows_above_the_header():
    data = "Evacuation list;;\nUpdated 2021-08-24;;\nFull name;Father name;Phone\nAhmad;Gul;0700123456\n"
    sheet = find_header(open_table(io.BytesIO(data.encode())))
    assert sheet.header_row == 3
    assert [cells for _n, cells in sheet.data_rows()] == [["Ahmad", "Gul", "0700123456"]]


def test_english_header_variants_are_recognised():
    headers = ["S/No", "F/Name", "D.O.B", "Mobile #", "e-Tazkira", "Place of birth", "Remarks"]
    assert fields.detect_mapping(headers) == [
        "ignore",
        "father_name",
        "date_of_birth",
        "phone",
        "e_tazkira",
        "province",
        "notes",
    ]


def test_xlsx_values_come_out_as_the_sender_saw_them():
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "DOB", "Phone", "Note"])
    sheet.append(["Ahmad", dt.date(1988, 4, 12), 93700123456, '=HYPERLINK("http://evil")'])
    sheet.append(["Fatima", 1990, 0.5, True])
    sheet.cell(row=5, column=1, value="after a gap")
    out = io.BytesIO()
    book.save(out)
    sheet_ = find_header(open_table(io.BytesIO(out.getvalue())))
    rows = list(sheet_.data_rows())
    assert rows[0] == (2, ["Ahmad", "1988-04-12", "93700123456", '=HYPERLINK("http://evil")'])
    assert rows[1] == (3, ["Fatima", "1990", "0.5", "TRUE"])
    # Row 4 is blank in Excel (absent from the file): a blank row between, as in a CSV.
    assert rows[2:] == [(4, []), (5, ["after a gap"])]


def test_streaming_reader_agrees_with_openpyxl():
    rows = [
        [f"Name {i}", f"Father {i}", 1950 + i % 60, f"+9370{i:07d}", f"P{i:08d}"]
        for i in range(300)
    ]
    data = xlsx_bytes(rows, header=["Name", "Father", "Born", "Phone", "Passport"])
    ours = [cells for _n, cells in XlsxTable(io.BytesIO(data)).rows()]
    book = load_workbook(io.BytesIO(data), read_only=True)
    theirs = [
        ["" if v is None else str(v) for v in row]
        for row in book.worksheets[0].iter_rows(values_only=True)
    ]
    assert ours == theirs


def test_only_the_first_sheet_is_read_and_the_others_are_named():
    table = open_table(io.BytesIO(xlsx_bytes([["A", "B"]], sheets=["Second", "Third"])))
    assert table.sheet_name == "List"
    assert table.other_sheets == ["Second", "Third"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document, not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image, not a spreadsheet"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "a Windows program, not a spreadsheet"),
        (b"PK\x03\x04\x14\x00\x00\x00broken", "damaged"),
        (b"<!DOCTYPE html><html><table><tr><td>x", "a web page (HTML), not a spreadsheet"),
    ],
)
def test_a_file_that_is_not_what_it_claims_gets_a_clear_message(content, expected):
    with pytest.raises(ImportFileError) as raised:
        open_table(io.BytesIO(content))
    assert expected in raised.value.message


def test_a_truncated_xlsx_is_reported_as_damaged():
    data = xlsx_bytes([["Ahmad", "Gul", "1988", "", "", ""]] * 50)
    with pytest.raises(ImportFileError) as raised:
        table = open_table(io.BytesIO(data[: len(data) // 2]))
        list(table.rows())
    assert "damaged" in raised.value.message


def test_a_sheet_with_no_recognisable_columns_says_what_it_found():
    data = csv_bytes([["1", "2"]], header=["Colour", "Weight"])
    with pytest.raises(ImportFileError) as raised:
        find_header(open_table(io.BytesIO(data)))
    assert "No recognisable columns" in raised.value.message
    assert "“Colour”" in raised.value.message


def test_workbook_with_a_doctype_is_refused():
    data = xlsx_bytes([["Ahmad"]], header=["Name"])
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            target.writestr(item, body)
    with pytest.raises(ImportFileError):
        open_table(io.BytesIO(out.getvalue()))


def test_attachment_types_are_judged_by_content():
    assert sniff.sniff_attachment(b"%PDF-1.4 ...") == "application/pdf"
    assert sniff.sniff_attachment(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert not sniff.same_family("image/jpeg", "application/x-msdownload")
    assert not sniff.same_family("application/pdf", "image/png")
    assert sniff.same_family("image/jpg", "image/jpeg")
    assert sniff.same_family("application/octet-stream", "application/pdf")
    # Text beginning with letters that happen to be a short signature is still text.
    assert sniff.sniff_bytes(b"BMI,MZ score\n1,2\n") == "text/plain"


def test_blank_rows_after_the_last_filled_row_are_not_rows_but_blank_rows_between_are():
    data = b"Name,Phone\nAhmad,0700123456\n,\nFatima,\n,\n\n\n"
    _headers, rows = rows_of(data)
    assert rows == [["Ahmad", "0700123456"], ["", ""], ["Fatima", ""]]


def excel_style_workbook(*, date1904: bool = False) -> bytes:
    """A workbook shaped as Excel writes it: shared strings (with rich text and phonetic
    runs, spaces kept as Excel marks them), a custom date format, a prefixed namespace, and
    cells without references; but without the package's relationships (_rels/.rels) or
    their types, as some programs write it."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": "<Types/>",
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><workbookPr date1904="{int(date1904)}"/>'
            '<sheets><sheet name="Hidden" sheetId="2" state="hidden" r:id="rId2"/>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" '
            'formatCode="dd/mm/yyyy;@"/></numFmts><cellStyleXfs count="1"><xf numFmtId="0"/>'
            '</cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/>'
            '<xf numFmtId="49"/></cellXfs></styleSheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{main}" count="4" uniqueCount="4"><si><t>Name</t></si>'
            "<si><t>DOB</t></si><si><t>Phone</t></si>"
            '<si><r><t xml:space="preserve">Mohammad </t></r><r><rPr><b/></rPr><t xml:space="preserve">Zaman</t></r>'
            "<rPh><t>PHONETIC</t></rPh></si></sst>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<x:worksheet xmlns:x="{main}"><x:sheetData>'
            '<x:row r="1"><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c>'
            '<x:c t="s"><x:v>2</x:v></x:c></x:row>'
            '<x:row r="2"><x:c r="A2" t="s"><x:v>3</x:v></x:c><x:c r="B2" s="1"><x:v>32245</x:v>'
            '</x:c><x:c r="C2" s="2" t="str"><x:f>"0700"&amp;"123456"</x:f><x:v>0700123456</x:v>'
            "</x:c></x:row></x:sheetData></x:worksheet>"
        ),
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{main}"><sheetData/></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_an_excel_workbook_with_shared_strings_reads_as_excel_shows_it():
    table = open_table(io.BytesIO(excel_style_workbook()))
    assert table.sheet_name == "Data" and table.other_sheets == ["Hidden"]
    assert list(table.rows()) == [
        (1, ["Name", "DOB", "Phone"]),
        # Cached formula result kept as text; a date-formatted serial shown as a date.
        (2, ["Mohammad Zaman", "1988-04-12", "0700123456"]),
    ]


def test_the_1904_date_system_is_honoured():
    rows = list(open_table(io.BytesIO(excel_style_workbook(date1904=True))).rows())
    assert rows[1][1][1] == "1992-04-13"
