//! An integration key (集成密钥): a scoped, revocable credential a third-party system sends as a bearer
//! token. Only the SHA-256 of its secret is kept; the secret is shown once, when the key is made.

use sea_orm::entity::prelude::*;

/// What a key may do, by domain and verb. A `_WRITE` scope includes reading the same domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
pub enum Scope {
    /// Read projects, their plans, schedules, monthly reports, lights and the dashboard.
    ProjectsRead,
    /// Create and change projects, plan schedules, complete milestones, submit monthly reports.
    ProjectsWrite,
    /// Read units and accounts (the names projects, issues and reports point to).
    DirectoryRead,
    /// Read issues (问题) and their timelines.
    IssuesRead,
    /// Raise issues and move them through their workflow, as the key's unit may.
    IssuesWrite,
    /// Read one-matter-one-discussion cases (一事一议).
    CasesRead,
    /// Open cases and move them through their workflow, as the key's unit may.
    CasesWrite,
    /// Read checklist templates and inspections.
    InspectionsRead,
    /// Submit and synchronise inspections.
    InspectionsWrite,
    /// Read photos and their metadata.
    PhotosRead,
    /// Upload photos.
    PhotosWrite,
    /// Read the change feed (the audit trail).
    ChangesRead,
    /// Manage webhooks.
    WebhooksManage,
    /// Read scheduling meetings, their decisions and action items.
    MeetingsRead,
    /// Schedule and record meetings and move action items on, as the key's unit may.
    MeetingsWrite,
    /// Read funding work: items, their money, targets, campaigns and the office's figures.
    FundingRead,
    /// Record funding items and their money, as the key's unit may.
    FundingWrite,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Self; 17] = [
        Self::ProjectsRead,
        Self::ProjectsWrite,
        Self::DirectoryRead,
        Self::IssuesRead,
        Self::IssuesWrite,
        Self::CasesRead,
        Self::CasesWrite,
        Self::InspectionsRead,
        Self::InspectionsWrite,
        Self::PhotosRead,
        Self::PhotosWrite,
        Self::ChangesRead,
        Self::WebhooksManage,
        Self::MeetingsRead,
        Self::MeetingsWrite,
        Self::FundingRead,
        Self::FundingWrite,
    ];

    /// The stored and shown name, e.g. `ISSUES_READ`.
    pub fn name(self) -> &'static str {
        match self {
            Self::ProjectsRead => "PROJECTS_READ",
            Self::ProjectsWrite => "PROJECTS_WRITE",
            Self::DirectoryRead => "DIRECTORY_READ",
            Self::IssuesRead => "ISSUES_READ",
            Self::IssuesWrite => "ISSUES_WRITE",
            Self::CasesRead => "CASES_READ",
            Self::CasesWrite => "CASES_WRITE",
            Self::InspectionsRead => "INSPECTIONS_READ",
            Self::InspectionsWrite => "INSPECTIONS_WRITE",
            Self::PhotosRead => "PHOTOS_READ",
            Self::PhotosWrite => "PHOTOS_WRITE",
            Self::ChangesRead => "CHANGES_READ",
            Self::WebhooksManage => "WEBHOOKS_MANAGE",
            Self::MeetingsRead => "MEETINGS_READ",
            Self::MeetingsWrite => "MEETINGS_WRITE",
            Self::FundingRead => "FUNDING_READ",
            Self::FundingWrite => "FUNDING_WRITE",
        }
    }

    /// The scope named `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The scope that also grants this one (a domain's write scope grants its read scope).
    pub fn implied_by(self) -> Option<Self> {
        match self {
            Self::ProjectsRead => Some(Self::ProjectsWrite),
            Self::IssuesRead => Some(Self::IssuesWrite),
            Self::CasesRead => Some(Self::CasesWrite),
            Self::InspectionsRead => Some(Self::InspectionsWrite),
            Self::PhotosRead => Some(Self::PhotosWrite),
            Self::MeetingsRead => Some(Self::MeetingsWrite),
            Self::FundingRead => Some(Self::FundingWrite),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integration_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// The secret's first characters (`kpk_` and 8 more), shown to tell keys apart.
    pub prefix: String,
    /// Lower-case hex SHA-256 of the whole secret.
    pub secret_hash: String,
    /// Scope names, comma-separated, sorted.
    pub scopes: String,
    /// The account the key acts as.
    pub user_id: Uuid,
    /// The unit the key is narrowed to: it sees what a DEPARTMENT user of that unit sees.
    pub unit_id: Option<Uuid>,
    pub rate_limit_per_minute: i32,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub request_count: i64,
}

impl Model {
    /// Whether the key works at `now`: neither revoked nor expired.
    pub fn works_at(&self, now: DateTimeUtc) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }

    /// The key's scopes (names no longer known are skipped).
    pub fn scope_list(&self) -> Vec<Scope> {
        self.scopes.split(',').filter_map(Scope::parse).collect()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
