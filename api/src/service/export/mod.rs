//! Spreadsheet exports (报表): what the office hands upward, as real XLSX workbooks — a title row and
//! the period, a frozen header, column widths, number formats for 万元 (two decimals) and percentages,
//! dates as dates, Chinese headers and an auto-filter. A sheet is a [`Table`]: its columns and rows;
//! each domain adds its sheets in [`sheets`] and names them in [`Sheet`]. Rows go to the workbook one at
//! a time in its constant-memory mode (spilled to a temporary file), so a province's table is not held
//! twice.

mod link;
mod sheets;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::error::{AppError, AppResult};

pub use link::{signed_path, verify};
pub use sheets::{Params, build};

/// The sheets there are, by the name in `/exports/{name}.xlsx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "ExportSheet")]
pub enum Sheet {
    /// 每月项目进展情况表: one row per project for a period (`period`, the last closed one when omitted).
    MonthlyReport,
    /// 问题台账: every issue the caller may see, with its unit, deadline and days overdue.
    Issues,
}

impl Sheet {
    pub const ALL: [Sheet; 2] = [Sheet::MonthlyReport, Sheet::Issues];

    /// The name in the file's path.
    pub fn name(self) -> &'static str {
        match self {
            Self::MonthlyReport => "monthly-report",
            Self::Issues => "issues",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// How a column's cells are shown.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    Integer,
    /// 万元, two decimals.
    Wan,
    /// A share, shown as a percentage with two decimals (stored as the fraction).
    Percent,
    Date,
}

pub struct Column {
    pub header: &'static str,
    /// In characters.
    pub width: f64,
    pub kind: Kind,
}

/// One cell's value; `None` for an empty cell.
pub enum Cell {
    None,
    Text(String),
    Integer(i64),
    Number(Decimal),
    Date(NaiveDate),
}

/// A sheet: its title, a line saying what it covers, its columns and its rows.
pub struct Table {
    pub title: String,
    pub subtitle: String,
    pub columns: &'static [Column],
    pub rows: Vec<Vec<Cell>>,
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::internal(format!("spreadsheet: {e}"))
}

/// The workbook holding `table`, as the bytes of an `.xlsx` file.
pub fn workbook(table: &Table) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    book.set_tempdir(std::env::temp_dir()).map_err(xlsx_error)?;
    let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
    write(sheet, table).map_err(xlsx_error)?;
    book.save_to_buffer().map_err(xlsx_error)
}

/// Rows before the header: the title and the subtitle.
const HEADER_ROW: u32 = 2;

fn write(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let last_col = u16::try_from(table.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    sheet.set_name(table.title.chars().take(31).collect::<String>())?;
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    sheet.merge_range(0, 0, 0, last_col, &table.title, &title)?;
    sheet.merge_range(1, 0, 1, last_col, &table.subtitle, &Format::new().set_align(FormatAlign::Center))?;
    let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_border(FormatBorder::Thin);
    let formats: Vec<Format> = table
        .columns
        .iter()
        .map(|c| match c.kind {
            Kind::Text => Format::new(),
            Kind::Integer => Format::new().set_num_format("0"),
            Kind::Wan => Format::new().set_num_format("#,##0.00"),
            Kind::Percent => Format::new().set_num_format("0.00%"),
            Kind::Date => Format::new().set_num_format("yyyy-mm-dd"),
        })
        .collect();
    for (col, column) in (0u16..).zip(table.columns) {
        sheet.set_column_width(col, column.width)?;
        sheet.write_string_with_format(HEADER_ROW, col, column.header, &header)?;
    }
    let mut row = HEADER_ROW;
    for cells in &table.rows {
        row += 1;
        for ((col, cell), format) in (0u16..).zip(cells).zip(&formats) {
            match cell {
                Cell::None => {}
                Cell::Text(s) => {
                    sheet.write_string(row, col, s)?;
                }
                Cell::Integer(n) => {
                    sheet.write_number_with_format(row, col, *n as f64, format)?;
                }
                Cell::Number(d) => {
                    sheet.write_number_with_format(row, col, d.to_f64().unwrap_or(0.0), format)?;
                }
                Cell::Date(d) => {
                    sheet.write_date_with_format(row, col, d, format)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.autofilter(HEADER_ROW, 0, row.max(HEADER_ROW), last_col)?;
    Ok(())
}
