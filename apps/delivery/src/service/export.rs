//! The Excel export (seed II §2.5): the orders of `/dashboard/list` for the same
//! range and filters, one row each, Korean headers, real date cells, frozen header.

use platform::ApiError;
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

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
        let orders = store::orders::export(&self.db, from, to, &req.filters()).await?;
        let tz = self.tz;
        let rows = orders.len();
        let bytes = tokio::task::spawn_blocking(move || workbook(&orders, tz))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
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

fn excel_time(
    at: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
) -> Result<ExcelDateTime, XlsxError> {
    use chrono::{Datelike, Timelike};
    let t = at.with_timezone(&tz);
    ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)?.and_hms(
        t.hour() as u16,
        t.minute() as u8,
        t.second(),
    )
}

fn workbook(orders: &[OrderRow], tz: chrono_tz::Tz) -> Result<Vec<u8>, XlsxError> {
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
    sheet.set_freeze_panes(1, 0)?;
    for (i, o) in orders.iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write_number(r, 0, o.dashboard_id as f64)?;
        sheet.write_string(r, 1, &o.order_no)?;
        sheet.write_string(r, 2, o.order_type.as_str())?;
        sheet.write_string(r, 3, o.status.as_str())?;
        sheet.write_string(r, 4, o.department.as_str())?;
        sheet.write_string(r, 5, o.warehouse.as_str())?;
        sheet.write_string(r, 6, &o.sla)?;
        sheet.write_datetime_with_format(r, 7, excel_time(o.eta, tz)?, &date)?;
        sheet.write_datetime_with_format(r, 8, excel_time(o.create_time, tz)?, &date)?;
        if let Some(t) = o.depart_time {
            sheet.write_datetime_with_format(r, 9, excel_time(t, tz)?, &date)?;
        }
        if let Some(t) = o.complete_time {
            sheet.write_datetime_with_format(r, 10, excel_time(t, tz)?, &date)?;
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
    }
    if !orders.is_empty() {
        sheet.autofilter(0, 0, orders.len() as u32, (COLUMNS.len() - 1) as u16)?;
    }
    book.save_to_buffer()
}
