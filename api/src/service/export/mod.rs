//! Spreadsheet exports (报表): what the office hands upward, as real XLSX workbooks — a title row and
//! the period, a frozen header, column widths, number formats for 万元 (two decimals) and percentages,
//! dates as dates, Chinese headers and an auto-filter. A sheet is one or more [`Table`]s (a worksheet
//! each): their columns and rows; each domain adds its sheets in [`sheets`] and names them in [`Sheet`].
//! Rows go to the workbook one at a time in its constant-memory mode (spilled to a temporary file); a
//! long ledger's rows are read from the database as they are written ([`streamed`]), so a province's
//! table is never held whole.

mod sheets;
mod stream;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::error::{AppError, AppResult};
use entity::integration_key::Scope;

pub use sheets::{Params, build};
pub use stream::streamed;

/// The sheets there are, by the name in `/exports/{name}.xlsx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "ExportSheet")]
pub enum Sheet {
    /// 每月项目进展情况表: one row per project for a period (`period`, the last closed one when omitted).
    MonthlyReport,
    /// 问题台账: every issue the caller may see, with its unit, deadline and days overdue.
    Issues,
    /// 一项一策/一事一议台账: every coordination case the caller may see, with its units, its measures
    /// (how many, done, overdue, the nearest deadline) and what was decided.
    Cases,
    /// 未报送月报: the projects owing `period`'s report (the last closed period when omitted), counted
    /// by unit and listed by unit.
    MissingReports,
    /// The dashboard of `year` (this year when omitted): by project category with the lights, by
    /// industry, and each responsible unit's projects and reports.
    Dashboard,
}

impl Sheet {
    pub const ALL: [Sheet; 5] =
        [Sheet::MonthlyReport, Sheet::Issues, Sheet::Cases, Sheet::MissingReports, Sheet::Dashboard];

    /// The name in the file's path.
    pub fn name(self) -> &'static str {
        match self {
            Self::MonthlyReport => "monthly-report",
            Self::Issues => "issues",
            Self::Cases => "cases",
            Self::MissingReports => "missing-reports",
            Self::Dashboard => "dashboard",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The route's path of the sheet's file.
    pub fn path(self) -> String {
        format!("/exports/{}.xlsx", self.name())
    }

    /// What an integration key must be allowed to read to download the sheet.
    pub fn scope(self) -> Scope {
        match self {
            Self::MonthlyReport | Self::MissingReports | Self::Dashboard => Scope::ProjectsRead,
            Self::Issues => Scope::IssuesRead,
            Self::Cases => Scope::CasesRead,
        }
    }
}

/// A signed link to `sheet` with `params` for `user` (see [`crate::service::link`]).
pub fn signed_path(
    secret: &str,
    sheet: Sheet,
    params: &Params,
    user: uuid::Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    crate::service::link::sign(secret, &sheet.path(), &params.query(), user, now)
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
    /// A figure with one decimal, e.g. days on average.
    Decimal,
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

/// A worksheet's rows, each made as the workbook is written from what the sheet read (which the
/// iterator owns and consumes) or from rows still arriving from the database ([`streamed`]), so a
/// large sheet is not held a second time as cells; a row that could not be read fails the workbook.
pub type Rows = Box<dyn Iterator<Item = AppResult<Vec<Cell>>> + Send>;

/// [`Rows`] made from what a sheet has read already.
pub fn ready(made: impl Iterator<Item = Vec<Cell>> + Send + 'static) -> Rows {
    Box::new(made.map(Ok))
}

/// A worksheet: its title, a line saying what it covers, its columns and its rows.
pub struct Table {
    pub title: String,
    pub subtitle: String,
    pub columns: &'static [Column],
    pub rows: Rows,
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::internal(format!("spreadsheet: {e}"))
}

/// The workbook holding `tables`, a worksheet each, as the bytes of an `.xlsx` file.
pub fn workbook(tables: Vec<Table>) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    book.set_tempdir(std::env::temp_dir()).map_err(xlsx_error)?;
    for table in tables {
        let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        write(sheet, table)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}

/// A worksheet's name for `title`: at most 31 characters, none of those a name may not hold.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .trim_matches('\'')
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '、' } else { c })
        .take(31)
        .collect();
    if name.trim().is_empty() { "表".to_owned() } else { name }
}

/// Rows before the header: the title and the subtitle.
const HEADER_ROW: u32 = 2;

fn write(sheet: &mut Worksheet, table: Table) -> AppResult<()> {
    let formats = head(sheet, &table).map_err(xlsx_error)?;
    let mut row = HEADER_ROW;
    for cells in table.rows {
        row += 1;
        put(sheet, row, &cells?, &formats).map_err(xlsx_error)?;
    }
    let last_col = u16::try_from(table.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    sheet.set_freeze_panes(HEADER_ROW + 1, 0).map_err(xlsx_error)?;
    sheet.autofilter(HEADER_ROW, 0, row.max(HEADER_ROW), last_col).map_err(xlsx_error)?;
    Ok(())
}

/// The title, subtitle and header rows and the column widths; the columns' cell formats.
fn head(sheet: &mut Worksheet, table: &Table) -> Result<Vec<Format>, XlsxError> {
    let last_col = u16::try_from(table.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    sheet.set_name(sheet_name(&table.title))?;
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let mut across = |row: u32, text: &str, format: &Format| -> Result<(), XlsxError> {
        // Excel merges two cells or more; one column's title is its cell.
        if last_col == 0 {
            sheet.write_string_with_format(row, 0, text, format).map(drop)
        } else {
            sheet.merge_range(row, 0, row, last_col, text, format).map(drop)
        }
    };
    across(0, &table.title, &title)?;
    across(1, &table.subtitle, &Format::new().set_align(FormatAlign::Center))?;
    let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_border(FormatBorder::Thin);
    let formats: Vec<Format> = table
        .columns
        .iter()
        .map(|c| match c.kind {
            Kind::Text => Format::new(),
            Kind::Integer => Format::new().set_num_format("0"),
            Kind::Wan => Format::new().set_num_format("#,##0.00"),
            Kind::Percent => Format::new().set_num_format("0.00%"),
            Kind::Decimal => Format::new().set_num_format("0.0"),
            Kind::Date => Format::new().set_num_format("yyyy-mm-dd"),
        })
        .collect();
    for (col, column) in (0u16..).zip(table.columns) {
        sheet.set_column_width(col, column.width)?;
        sheet.write_string_with_format(HEADER_ROW, col, column.header, &header)?;
    }
    Ok(formats)
}

/// One row's cells.
fn put(sheet: &mut Worksheet, row: u32, cells: &[Cell], formats: &[Format]) -> Result<(), XlsxError> {
    for ((col, cell), format) in (0u16..).zip(cells).zip(formats) {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_title_makes_a_workbook() {
        const COLUMNS: &[Column] = &[Column { header: "名称", width: 10.0, kind: Kind::Text }];
        for title in ["一项一策/一事一议台账", "[a]:b*c?d\\e", &"很长的标题".repeat(10), "", " ", "'quoted'"]
        {
            let table = Table {
                title: title.to_owned(),
                subtitle: String::new(),
                columns: COLUMNS,
                rows: Box::new(std::iter::empty()),
            };
            if let Err(e) = workbook(vec![table]) {
                panic!("{title}: {e:?}")
            }
        }
    }

    #[test]
    fn a_row_that_could_not_be_read_fails_the_workbook() {
        const COLUMNS: &[Column] = &[Column { header: "名称", width: 10.0, kind: Kind::Text }];
        let rows: Rows = Box::new(
            vec![Ok(vec![Cell::Text("第一行".into())]), Err(AppError::internal("the connection was lost"))].into_iter(),
        );
        let table = Table { title: "表".to_owned(), subtitle: String::new(), columns: COLUMNS, rows };
        assert!(matches!(workbook(vec![table]), Err(AppError::Internal(_))));
    }
}
