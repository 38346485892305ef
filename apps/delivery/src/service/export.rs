//! The Excel export (seed II §2.5): the orders of `/dashboard/list` for the same
//! range and filters, one row each, Korean headers, real date cells, frozen header.

use platform::ApiError;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::Service;
use super::orders::ListRequest;
use crate::model::{OrderRow, region};
use crate::store;

/// (header, column width)
const COLUMNS: [(&str, f64); 24] = [
    ("대시보드 ID", 11.0),
    ("주문번호", 16.0),
    ("종류", 10.0),
    ("상태", 12.0),
    ("부서", 9.0),
    ("창고", 10.0),
    ("SLA", 12.0),
    ("ETA", 19.0),
    ("접수 시간", 19.0),
    ("출발 시간", 19.0),
    ("완료 시간", 19.0),
    ("우편번호", 9.0),
    ("시/도", 12.0),
    ("구/군", 10.0),
    ("동/읍/면", 10.0),
    ("지역", 28.0),
    ("거리(km)", 9.0),
    ("소요시간(분)", 11.0),
    ("주소", 36.0),
    ("고객명", 12.0),
    ("연락처", 15.0),
    ("기사명", 12.0),
    ("기사 연락처", 15.0),
    ("작성자", 12.0),
];

/// ETA, received, departed, completed.
const DATE_COLUMNS: [u16; 4] = [7, 8, 9, 10];

/// Rows per chunk handed from the database read to the workbook writer.
const EXPORT_CHUNK: usize = 1024;
/// Chunks read ahead of the writer: enough to keep both sides busy, few enough
/// that a slow writer holds back the read instead of buffering the whole range.
const EXPORT_CHUNKS_IN_FLIGHT: usize = 4;

pub struct Export {
    pub bytes: Vec<u8>,
    pub filename: String,
    pub rows: usize,
}

impl Service {
    pub async fn export_excel(&self, req: &ListRequest) -> Result<Export, ApiError> {
        let (start, end, from, to) = self.day_range(&req.start_date, &req.end_date)?;
        let _permit = self
            .bulk_reads
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        // The database read and the workbook writing overlap: rows go to the
        // writer's thread in chunks as they arrive, so on two cores the export
        // takes about the longer of the two rather than their sum.
        let (tx, rx) = tokio::sync::mpsc::channel(EXPORT_CHUNKS_IN_FLIGHT);
        let tz = self.tz;
        let writer = tokio::task::spawn_blocking(move || workbook(rx, tz));
        let read =
            store::orders::export(&self.db, from, to, &req.filters(), EXPORT_CHUNK, tx).await;
        let written = writer.await.map_err(ApiError::internal)?;
        // A read error closes the channel early, so the writer finishes a short
        // workbook; the read's error is the one to report.
        read?;
        let (bytes, rows) = written.map_err(ApiError::internal)?;
        Ok(Export {
            bytes,
            filename: format!(
                "dashboard_{}_{}.xlsx",
                start.format("%Y%m%d"),
                end.format("%Y%m%d")
            ),
            rows,
        })
    }
}

/// The Excel serial number of `at` in local time: days since 1899-12-30, the
/// time of day as the fraction (the same number `ExcelDateTime` makes for any
/// date after 1900-02-28, computed here without its per-field validation).
fn excel_serial(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> f64 {
    let local = at.with_timezone(&tz).naive_local();
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("1899-12-30 00:00:00 is a valid date");
    (local - epoch).num_seconds() as f64 / 86_400.0
}

/// Writes the rows received from `rows` until it closes; returns the file and
/// the number of rows written.
fn workbook(
    mut rows: tokio::sync::mpsc::Receiver<Vec<OrderRow>>,
    tz: chrono_tz::Tz,
) -> Result<(Vec<u8>, usize), XlsxError> {
    let mut book = Workbook::new();
    // Level 1 deflate: a few percent larger file, several times less CPU; the export
    // is CPU-bound and downloads are local-network sized.
    book.set_zip_compression_level(1);
    let header = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x1F4E78))
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("대시보드")?;
    for (col, (title, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width)?;
        sheet.write_string_with_format(0, col, *title, &header)?;
    }
    // The date columns carry the date format, so their cells are written as
    // plain numbers: a format given per cell is looked up by hashing the whole
    // `Format` each time, a tenth of the export's time.
    for col in DATE_COLUMNS {
        sheet.set_column_format(col, &date)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut r = 0u32;
    while let Some(chunk) = rows.blocking_recv() {
        for o in &chunk {
            r += 1;
            write_order(sheet, r, o, tz)?;
        }
    }
    if r > 0 {
        sheet.autofilter(0, 0, r, (COLUMNS.len() - 1) as u16)?;
    }
    // Sized for the finished file (about 250 bytes a row at level 1) so the
    // zip is not copied again each time the buffer would have doubled.
    let mut file = Vec::with_capacity(16 * 1024 + r as usize * 300);
    book.save_to_writer(&mut file)?;
    Ok((file, r as usize))
}

fn write_order(
    sheet: &mut Worksheet,
    r: u32,
    o: &OrderRow,
    tz: chrono_tz::Tz,
) -> Result<(), XlsxError> {
    sheet.write_number(r, 0, o.dashboard_id as f64)?;
    sheet.write_string(r, 1, &o.order_no)?;
    sheet.write_string(r, 2, o.order_type.as_str())?;
    sheet.write_string(r, 3, o.status.as_str())?;
    sheet.write_string(r, 4, o.department.as_str())?;
    sheet.write_string(r, 5, o.warehouse.as_str())?;
    sheet.write_string(r, 6, &o.sla)?;
    sheet.write_number(r, 7, excel_serial(o.eta, tz))?;
    sheet.write_number(r, 8, excel_serial(o.create_time, tz))?;
    if let Some(t) = o.depart_time {
        sheet.write_number(r, 9, excel_serial(t, tz))?;
    }
    if let Some(t) = o.complete_time {
        sheet.write_number(r, 10, excel_serial(t, tz))?;
    }
    sheet.write_string(r, 11, &o.postal_code)?;
    sheet.write_string(r, 12, &o.city)?;
    sheet.write_string(r, 13, &o.county)?;
    sheet.write_string(r, 14, &o.district)?;
    sheet.write_string(r, 15, region(&o.city, &o.county, &o.district))?;
    if let Some(d) = o.distance {
        sheet.write_number(r, 16, d)?;
    }
    if let Some(d) = o.duration_time {
        sheet.write_number(r, 17, d)?;
    }
    sheet.write_string(r, 18, &o.address)?;
    sheet.write_string(r, 19, &o.customer)?;
    for (col, v) in [
        (20, &o.contact),
        (21, &o.driver_name),
        (22, &o.driver_contact),
        (23, &o.created_by),
    ] {
        if let Some(v) = v {
            sheet.write_string(r, col, v)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use rust_xlsxwriter::ExcelDateTime;

    /// The serial written for each date cell is the one `ExcelDateTime` makes,
    /// in local time, across years, leap days, midnight and the last second.
    #[test]
    fn serial_matches_excel_date_time() {
        let tz = chrono_tz::Asia::Seoul;
        for (y, mo, d, h, mi, s) in [
            (1900, 3, 1, 0, 0, 0),
            (2000, 2, 29, 12, 30, 15),
            (2023, 12, 31, 23, 59, 59),
            (2024, 2, 29, 0, 0, 1),
            (2026, 12, 6, 9, 5, 0),
            (2099, 1, 1, 14, 0, 0),
        ] {
            let local = tz.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
            let expected = ExcelDateTime::from_ymd(y as u16, mo as u8, d as u8)
                .and_then(|t| t.and_hms(h as u16, mi as u8, s))
                .unwrap()
                .to_excel();
            let got = excel_serial(local.with_timezone(&Utc), tz);
            assert!(
                (got - expected).abs() < 1e-9,
                "{y}-{mo}-{d} {h}:{mi}:{s}: {got} != {expected}"
            );
        }
    }
}
