//! A one-sheet .xlsx workbook written as a stream.
//!
//! The sheet's XML arrives in pieces from the thread that writes the cells and is
//! deflated into the zip here, on another thread, while the next rows are being
//! written: compression overlaps the cell writing instead of following it. The
//! other parts of the package are small and fixed. The parts and their XML follow
//! ECMA-376 (SpreadsheetML) for a sheet of numbers, dates, shared and inline
//! strings with a frozen header and an autofilter, in the forms Excel writes
//! them (the tests read the files back with calamine).

use std::fmt::Write as _;
use std::io::{Cursor, Write};
use std::sync::mpsc::Receiver;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::cells::{Cells, column_letters, escape_into};

/// The cell formats of `styles.xml`, by their index in `cellXfs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Style {
    Default = 0,
    /// Bold white on dark blue, centred, thin border.
    Header = 1,
    /// `yyyy-mm-dd hh:mm:ss`.
    Date = 2,
}

pub struct Column {
    pub title: &'static str,
    /// In characters of the default font, as Excel's column width dialog.
    pub width: f64,
    /// The format of the column's cells (and of cells typed into it later).
    pub style: Style,
}

/// What the workbook holds besides its rows.
pub struct Layout {
    pub sheet: &'static str,
    pub columns: &'static [Column],
    /// The shared string table, for values repeated on many rows: a cell refers
    /// to one by its index instead of carrying the text.
    pub shared: Vec<&'static str>,
}

/// A piece of the sheet's XML, or its end.
pub enum Piece {
    Xml(Vec<u8>),
    /// The sheet is complete with this many rows, the header included.
    End {
        rows: u32,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("writing the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the zip: {0}")]
    Io(#[from] std::io::Error),
    #[error("the sheet ended before its last row was written")]
    Truncated,
}

/// Deflate level 1: a few percent larger file for several times less CPU; the
/// export is CPU-bound and downloads are local-network sized.
const LEVEL: i64 = 1;

impl Layout {
    /// The sheet's XML up to and including the header row (row 1).
    pub fn head(&self, cells: &mut Cells) {
        let mut xml = String::with_capacity(2048);
        xml.push_str(XML_DECLARATION);
        xml.push_str(
            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
             <sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">\
             <pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
             <selection pane=\"bottomLeft\"/></sheetView></sheetViews>\
             <sheetFormatPr defaultRowHeight=\"15\"/><cols>",
        );
        for (i, c) in self.columns.iter().enumerate() {
            let n = i + 1;
            let style = match c.style {
                Style::Default => String::new(),
                s => format!(" style=\"{}\"", s as u8),
            };
            write!(
                xml,
                "<col min=\"{n}\" max=\"{n}\" width=\"{}\"{style} customWidth=\"1\"/>",
                stored_width(c.width)
            )
            .expect("writing into a String cannot fail");
        }
        xml.push_str("</cols><sheetData>");
        cells.raw(&xml);
        cells.start_row();
        for (i, c) in self.columns.iter().enumerate() {
            cells.text(i as u16, c.title, Style::Header);
        }
        cells.end_row();
    }

    /// The sheet's XML after its last row: the autofilter over every row written.
    pub fn tail(&self, cells: &mut Cells) {
        let xml = format!(
            "</sheetData><autoFilter ref=\"{}\"/>\
             <pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
             </worksheet>",
            self.filter_range(cells.rows())
        );
        cells.raw(&xml);
    }

    /// `A1:X<rows>`: the header and every row.
    fn filter_range(&self, rows: u32) -> String {
        let last = column_letters(self.columns.len().saturating_sub(1));
        format!("A1:{last}{}", rows.max(1))
    }

    /// Writes the package, taking the sheet's XML from `pieces` as it comes.
    pub fn package(&self, pieces: Receiver<Piece>) -> Result<Vec<u8>, PackageError> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(LEVEL));
        // About a quarter of a megabyte a thousand rows at level 1, so the
        // buffer is rarely copied to grow.
        let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(256 * 1024)));
        zip.start_file("xl/worksheets/sheet1.xml", options)?;
        let rows = loop {
            match pieces.recv() {
                Ok(Piece::Xml(xml)) => zip.write_all(&xml)?,
                Ok(Piece::End { rows }) => break rows,
                Err(_) => return Err(PackageError::Truncated),
            }
        };
        for (name, xml) in [
            ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
            ("_rels/.rels", ROOT_RELS.to_owned()),
            ("docProps/app.xml", APP.to_owned()),
            ("xl/workbook.xml", self.workbook(rows)),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.to_owned()),
            ("xl/styles.xml", STYLES.to_owned()),
            ("xl/sharedStrings.xml", self.shared_strings()),
        ] {
            zip.start_file(name, options)?;
            zip.write_all(xml.as_bytes())?;
        }
        Ok(zip.finish()?.into_inner())
    }

    fn workbook(&self, rows: u32) -> String {
        let mut name = Vec::new();
        escape_into(&mut name, self.sheet);
        let name = String::from_utf8(name).expect("escaping keeps UTF-8");
        format!(
            "{XML_DECLARATION}<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
             <bookViews><workbookView/></bookViews>\
             <sheets><sheet name=\"{name}\" sheetId=\"1\" r:id=\"rId1\"/></sheets>\
             <definedNames><definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">\
             '{}'!{}</definedName></definedNames>\
             <calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>",
            name.replace('\'', "''"),
            absolute(&self.filter_range(rows)),
        )
    }

    fn shared_strings(&self) -> String {
        let mut xml = Vec::with_capacity(64 * self.shared.len() + 256);
        write!(
            xml,
            "{XML_DECLARATION}<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" uniqueCount=\"{}\">",
            self.shared.len()
        )
        .expect("writing into a Vec cannot fail");
        for s in &self.shared {
            xml.extend_from_slice(b"<si><t>");
            escape_into(&mut xml, s);
            xml.extend_from_slice(b"</t></si>");
        }
        xml.extend_from_slice(b"</sst>");
        String::from_utf8(xml).expect("escaping keeps UTF-8")
    }
}

/// Excel stores a column's width with the padding of its default font (five
/// pixels of Calibri 11, whose digit is seven wide) added and rounded to pixels.
fn stored_width(width: f64) -> f64 {
    let pixels = (width * 7.0 + 5.0).round();
    (pixels / 7.0 * 256.0).trunc() / 256.0
}

/// `A1:X9` → `$A$1:$X$9`.
fn absolute(range: &str) -> String {
    range
        .split(':')
        .map(|cell| {
            let digits = cell
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(cell.len());
            format!("${}${}", &cell[..digits], &cell[digits..])
        })
        .collect::<Vec<_>>()
        .join(":")
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>ondol</Application></Properties>";

const WORKBOOK_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>\
</Relationships>";

/// Fonts: the default (automatic colour, so no theme part is needed) and bold
/// white; fills: the two Excel reserves and the header's; borders: none and
/// thin; `cellXfs` in the order of [`Style`].
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\\ hh:mm:ss\"/></numFmts>\
<fonts count=\"2\">\
<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><b/><sz val=\"11\"/><color rgb=\"FFFFFFFF\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
</fonts>\
<fills count=\"3\">\
<fill><patternFill patternType=\"none\"/></fill>\
<fill><patternFill patternType=\"gray125\"/></fill>\
<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FF1F4E78\"/><bgColor indexed=\"64\"/></patternFill></fill>\
</fills>\
<borders count=\"2\">\
<border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color auto=\"1\"/></right>\
<top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border>\
</borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"3\">\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\" applyBorder=\"1\" applyAlignment=\"1\">\
<alignment horizontal=\"center\"/></xf>\
<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
</cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
<dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/>\
</styleSheet>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_stored_as_excel_stores_them() {
        // Excel's own values for widths typed into its dialog.
        assert_eq!(stored_width(8.43), 9.140625);
        assert_eq!(stored_width(11.0), 11.7109375);
        assert_eq!(stored_width(36.0), 36.7109375);
    }

    #[test]
    fn ranges_are_made_absolute() {
        assert_eq!(absolute("A1:X30001"), "$A$1:$X$30001");
    }
}
