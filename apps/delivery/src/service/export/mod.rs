//! The Excel export (seed II §2.5): the orders of `/dashboard/list` for the same
//! range and filters, one row each, Korean headers, real date cells, frozen header.

mod cells;
mod xlsx;

use platform::ApiError;

use self::cells::Cells;
use self::xlsx::{Column, Layout, PackageError, Piece, Style};
use super::Service;
use super::orders::ListRequest;
use crate::model::{Department, OrderRow, OrderType, Status, Warehouse, region};
use crate::store;

const fn col(title: &'static str, width: f64) -> Column {
    Column {
        title,
        width,
        style: Style::Default,
    }
}

const fn date_col(title: &'static str) -> Column {
    Column {
        title,
        width: 19.0,
        style: Style::Date,
    }
}

const COLUMNS: [Column; 24] = [
    col("대시보드 ID", 11.0),
    col("주문번호", 16.0),
    col("종류", 10.0),
    col("상태", 12.0),
    col("부서", 9.0),
    col("창고", 10.0),
    col("SLA", 12.0),
    date_col("ETA"),
    date_col("접수 시간"),
    date_col("출발 시간"),
    date_col("완료 시간"),
    col("우편번호", 9.0),
    col("시/도", 12.0),
    col("구/군", 10.0),
    col("동/읍/면", 10.0),
    col("지역", 28.0),
    col("거리(km)", 9.0),
    col("소요시간(분)", 11.0),
    col("주소", 36.0),
    col("고객명", 12.0),
    col("연락처", 15.0),
    col("기사명", 12.0),
    col("기사 연락처", 15.0),
    col("작성자", 12.0),
];

/// Rows per chunk handed from the database read to the cell writer.
const EXPORT_CHUNK: usize = 1024;
/// Chunks read ahead of the writer: enough to keep both sides busy, few enough
/// that a slow writer holds back the read instead of buffering the whole range.
const EXPORT_CHUNKS_IN_FLIGHT: usize = 4;
/// Bytes of sheet XML per piece handed to the compressing thread, and pieces
/// in flight: large enough that the handoff costs nothing, small enough that
/// both threads start early and the memory stays a few megabytes.
const XML_PIECE: usize = 256 * 1024;
const XML_PIECES_IN_FLIGHT: usize = 4;

pub struct Export {
    pub bytes: Vec<u8>,
    pub filename: String,
    pub rows: usize,
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error("the compressing thread panicked")]
    CompressorPanicked,
}

impl Service {
    pub async fn export_excel(&self, req: &ListRequest) -> Result<Export, ApiError> {
        let (start, end, from, to) = self.day_range(&req.start_date, &req.end_date)?;
        let _permit = self
            .bulk_reads
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        // Three stages overlap: the database read (here), the cell writing and
        // the compression (a thread each), so on two cores the export takes
        // about its longest stage rather than the sum.
        let (tx, rx) = tokio::sync::mpsc::channel(EXPORT_CHUNKS_IN_FLIGHT);
        let tz = self.tz;
        let writer = tokio::task::spawn_blocking(move || workbook(rx, tz));
        let read =
            store::export::export(&self.db, from, to, &req.filters(), EXPORT_CHUNK, tx).await;
        let written = writer.await.map_err(ApiError::internal)?;
        // A read error closes the channel early, so the writer finishes a short
        // workbook; the read's error is the one to report.
        read.map_err(ApiError::internal)?;
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
/// time of day as the fraction (Excel's own count for any date after
/// 1900-02-28, the first 59 days being off by its leap day of 1900).
fn excel_serial(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> f64 {
    let local = at.with_timezone(&tz).naive_local();
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("1899-12-30 00:00:00 is a valid date");
    (local - epoch).num_seconds() as f64 / 86_400.0
}

/// The values repeated on every row, in the shared string table once each; an
/// enum's strings start at its offset, in the order of its `ALL`.
struct Shared {
    order_type: usize,
    status: usize,
    department: usize,
    warehouse: usize,
}

impl Shared {
    fn layout() -> (Self, Vec<&'static str>) {
        let mut strings = Vec::new();
        let mut offset = |values: Vec<&'static str>| {
            let at = strings.len();
            strings.extend(values);
            at
        };
        let shared = Shared {
            order_type: offset(OrderType::ALL.iter().map(|v| v.as_str()).collect()),
            status: offset(Status::ALL.iter().map(|v| v.as_str()).collect()),
            department: offset(Department::ALL.iter().map(|v| v.as_str()).collect()),
            warehouse: offset(Warehouse::ALL.iter().map(|v| v.as_str()).collect()),
        };
        (shared, strings)
    }
}

/// Writes the rows received from `rows` until it closes, with the package
/// compressed on a second thread; returns the file and the number of rows.
fn workbook(
    mut rows: tokio::sync::mpsc::Receiver<Vec<OrderRow>>,
    tz: chrono_tz::Tz,
) -> Result<(Vec<u8>, usize), ExportError> {
    let (index, strings) = Shared::layout();
    let layout = std::sync::Arc::new(Layout {
        sheet: "대시보드",
        columns: &COLUMNS,
        shared: strings,
    });
    let (pieces, received) = std::sync::mpsc::sync_channel(XML_PIECES_IN_FLIGHT);
    let packer = {
        let layout = layout.clone();
        std::thread::Builder::new()
            .name("xlsx-deflate".into())
            .spawn(move || layout.package(received))
            .map_err(PackageError::Io)?
    };
    let mut cells = Cells::new(COLUMNS.len(), XML_PIECE + 4096);
    layout.head(&mut cells);
    let mut written = 0;
    // A send fails only when the packer has stopped; its error is reported below.
    let mut open = true;
    while let Some(chunk) = rows.blocking_recv() {
        for o in &chunk {
            write_order(&mut cells, &index, o, tz);
            written += 1;
            if cells.len() >= XML_PIECE {
                open = pieces.send(Piece::Xml(cells.take())).is_ok();
                if !open {
                    break;
                }
            }
        }
        if !open {
            break;
        }
    }
    if open {
        layout.tail(&mut cells);
        let rows = cells.rows();
        // Either send failing leaves the packer's own error to report.
        let _ = pieces
            .send(Piece::Xml(cells.take()))
            .and_then(|()| pieces.send(Piece::End { rows }));
    }
    drop(pieces);
    let file = packer
        .join()
        .map_err(|_| ExportError::CompressorPanicked)??;
    Ok((file, written))
}

fn write_order(cells: &mut Cells, shared: &Shared, o: &OrderRow, tz: chrono_tz::Tz) {
    cells.start_row();
    cells.integer(0, o.dashboard_id);
    cells.text(1, &o.order_no, Style::Default);
    cells.shared(2, shared.order_type + o.order_type as usize);
    cells.shared(3, shared.status + o.status as usize);
    cells.shared(4, shared.department + o.department as usize);
    cells.shared(5, shared.warehouse + o.warehouse as usize);
    cells.text(6, &o.sla, Style::Default);
    cells.number(7, excel_serial(o.eta, tz), Style::Date);
    cells.number(8, excel_serial(o.create_time, tz), Style::Date);
    if let Some(t) = o.depart_time {
        cells.number(9, excel_serial(t, tz), Style::Date);
    }
    if let Some(t) = o.complete_time {
        cells.number(10, excel_serial(t, tz), Style::Date);
    }
    cells.text(11, &o.postal_code, Style::Default);
    cells.text(12, &o.city, Style::Default);
    cells.text(13, &o.county, Style::Default);
    cells.text(14, &o.district, Style::Default);
    cells.text(15, &region(&o.city, &o.county, &o.district), Style::Default);
    if let Some(d) = o.distance {
        cells.integer(16, i64::from(d));
    }
    if let Some(d) = o.duration_time {
        cells.integer(17, i64::from(d));
    }
    cells.text(18, &o.address, Style::Default);
    cells.text(19, &o.customer, Style::Default);
    for (col, v) in [
        (20, &o.contact),
        (21, &o.driver_name),
        (22, &o.driver_contact),
        (23, &o.created_by),
    ] {
        if let Some(v) = v {
            cells.text(col, v, Style::Default);
        }
    }
    cells.end_row();
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    /// Serials as Excel shows them for these local times (Format Cells → General).
    #[test]
    fn serials_are_excel_serials() {
        let tz = chrono_tz::Asia::Seoul;
        for ((y, mo, d, h, mi, s), want) in [
            ((1900, 3, 1, 0, 0, 0), 61.0),
            ((2000, 1, 1, 0, 0, 0), 36526.0),
            ((2000, 2, 29, 12, 0, 0), 36585.5),
            ((2023, 12, 31, 23, 59, 59), 45291.0 + 86_399.0 / 86_400.0),
            ((2024, 2, 29, 6, 0, 0), 45351.25),
            ((2026, 12, 6, 18, 0, 0), 46362.75),
        ] {
            let local = tz.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
            let got = excel_serial(local.with_timezone(&Utc), tz);
            assert!(
                (got - want).abs() < 1e-9,
                "{y}-{mo}-{d} {h}:{mi}:{s}: {got} != {want}"
            );
        }
    }

    /// The shared strings are every enum value once, and each value's index
    /// points at its own text.
    #[test]
    fn shared_indexes_point_at_their_values() {
        let (index, strings) = Shared::layout();
        for v in Status::ALL {
            assert_eq!(strings[index.status + *v as usize], v.as_str());
        }
        for v in OrderType::ALL {
            assert_eq!(strings[index.order_type + *v as usize], v.as_str());
        }
        for v in Department::ALL {
            assert_eq!(strings[index.department + *v as usize], v.as_str());
        }
        for v in Warehouse::ALL {
            assert_eq!(strings[index.warehouse + *v as usize], v.as_str());
        }
        let unique: std::collections::HashSet<_> = strings.iter().collect();
        assert_eq!(unique.len(), strings.len());
    }

    fn order(i: i64) -> OrderRow {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap()
            + chrono::Duration::seconds(i * 61);
        OrderRow {
            dashboard_id: i,
            order_no: format!("ORD-{i:06}"),
            order_type: OrderType::ALL[i as usize % OrderType::ALL.len()],
            status: Status::ALL[i as usize % Status::ALL.len()],
            department: Department::ALL[i as usize % Department::ALL.len()],
            warehouse: Warehouse::ALL[i as usize % Warehouse::ALL.len()],
            sla: "당일".into(),
            eta: at,
            create_time: at - chrono::Duration::hours(2),
            depart_time: (i % 2 == 0).then(|| at - chrono::Duration::hours(1)),
            complete_time: None,
            postal_code: "06236".into(),
            city: "서울특별시".into(),
            county: "강남구".into(),
            district: "역삼동".into(),
            distance: (i % 3 != 0).then_some(i as i32 % 50),
            duration_time: None,
            // Every character class the sheet escapes, on every row.
            address: format!("테헤란로 {i} <B&C> _x0041_ tab\there\u{7}"),
            customer: " 김고객 ".into(),
            contact: Some("010-1234-5678".into()),
            driver_name: None,
            driver_contact: None,
            created_by: Some("admin".into()),
        }
    }

    /// A workbook of several thousand rows, so the sheet crosses many pieces
    /// between the two threads, reads back cell for cell with a real reader.
    #[test]
    fn workbook_reads_back_cell_for_cell() {
        use calamine::{Data, Reader, Xlsx};
        let n = 5_000;
        let tz = chrono_tz::Asia::Seoul;
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        let writer = std::thread::spawn(move || workbook(rx, tz));
        let rows: Vec<OrderRow> = (1..=n).map(order).collect();
        for chunk in rows.chunks(700) {
            tx.blocking_send(chunk.to_vec()).unwrap();
        }
        drop(tx);
        let (file, written) = writer.join().unwrap().unwrap();
        assert_eq!(written, n as usize);
        assert!(file.len() > XML_PIECE / 4, "{} bytes", file.len());

        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file)).expect("a valid xlsx");
        assert_eq!(book.sheet_names(), vec!["대시보드".to_owned()]);
        let sheet = book.worksheet_range("대시보드").unwrap();
        let read: Vec<_> = sheet.rows().collect();
        assert_eq!(read.len(), n as usize + 1);
        let titles: Vec<String> = read[0].iter().map(|c| c.to_string()).collect();
        let want: Vec<&str> = COLUMNS.iter().map(|c| c.title).collect();
        assert_eq!(titles, want);
        for (r, o) in read[1..].iter().zip(&rows) {
            assert_eq!(r[0], Data::Float(o.dashboard_id as f64));
            assert_eq!(r[1].to_string(), o.order_no);
            assert_eq!(r[2].to_string(), o.order_type.as_str());
            assert_eq!(r[3].to_string(), o.status.as_str());
            assert_eq!(r[4].to_string(), o.department.as_str());
            assert_eq!(r[5].to_string(), o.warehouse.as_str());
            let Data::DateTime(eta) = &r[7] else {
                panic!("ETA is a date cell: {:?}", r[7]);
            };
            assert_eq!(
                eta.as_datetime(),
                Some(o.eta.with_timezone(&tz).naive_local())
            );
            assert!(matches!(r[8], Data::DateTime(_)));
            assert_eq!(matches!(r[9], Data::DateTime(_)), o.depart_time.is_some());
            assert_eq!(r[10], Data::Empty);
            assert_eq!(r[15].to_string(), "서울특별시 강남구 역삼동");
            match o.distance {
                Some(d) => assert_eq!(r[16], Data::Float(f64::from(d))),
                None => assert_eq!(r[16], Data::Empty),
            }
            assert_eq!(r[18].to_string(), o.address);
            assert_eq!(r[19].to_string(), " 김고객 ");
            assert_eq!(r[21], Data::Empty);
            assert_eq!(r[23].to_string(), "admin");
        }
    }

    /// No rows: the header alone, still a valid workbook.
    #[test]
    fn an_empty_range_is_a_header() {
        use calamine::{Reader, Xlsx};
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        drop(tx);
        let (file, written) = workbook(rx, chrono_tz::Asia::Seoul).unwrap();
        assert_eq!(written, 0);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file)).unwrap();
        assert_eq!(book.worksheet_range("대시보드").unwrap().rows().count(), 1);
    }
}
