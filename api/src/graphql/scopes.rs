//! What an integration key may select, checked once per operation before it runs: every field is
//! read from an object type, and each type belongs to a domain whose read scope it needs; every
//! mutation needs its domain's write scope. A request made with a user's token is not checked here
//! (roles and units apply to it as everywhere). Types are classified by name in one table; a type
//! the table does not know is refused to keys, and a test holds the table complete.

use std::collections::{HashMap, HashSet};

use async_graphql::ServerError;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet, TypeKind};
use entity::integration_key::Scope;

use crate::error::AppError;
use crate::service::keys::Grant;

/// Who may read the fields of a type with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any key: plain values (a point, a page's position) reachable only through scoped types.
    Free,
    /// Keys holding this scope (or the write scope of its domain).
    Needs(Scope),
    /// No key: signing in and managing keys are for people.
    Never,
}

/// How the fields of `type_name` are guarded; `None` for a type not classified yet.
pub fn access(type_name: &str) -> Option<Access> {
    use Access::{Free, Needs, Never};
    use Scope::*;
    let base = type_name.strip_suffix("Connection").or_else(|| type_name.strip_suffix("Edge")).unwrap_or(type_name);
    Some(match base {
        "Query" | "Mutation" | "Subscription" | "PageInfo" | "GeoPoint" | "DeviceLocation" | "ChangedRecord" => Free,
        "Project" | "Milestone" | "SchedulePlan" | "MonthlyReport" | "Health" | "MissingReport" | "ReportingPeriod"
        | "Dashboard" | "CategoryTotals" | "IndustryTotals" | "InvestmentTotals" | "LightCounts" | "HealthRules"
        | "UnitPerformance" => Needs(ProjectsRead),
        "Unit" | "User" => Needs(DirectoryRead),
        "Issue" | "IssueEvent" | "RaisedIssue" | "UnitIssueStats" => Needs(IssuesRead),
        "Case" | "CaseLink" | "CaseMeasure" => Needs(CasesRead),
        "Meeting" | "AgendaItem" | "MeetingDecision" | "MinutesVersion" | "ActionItem" | "ActionItemEvent"
        | "LeaderActivity" | "MeetingKindCount" => Needs(MeetingsRead),
        "Inspection"
        | "InspectionAnswer"
        | "InspectionFinding"
        | "ChecklistItem"
        | "ChecklistSection"
        | "ChecklistTemplate"
        | "RuleViolation"
        | "SyncError"
        | "SyncResult"
        | "SupervisionTask"
        | "TaskProject"
        | "SurpriseDraw"
        | "DrawCandidate"
        | "SupervisionCoverage"
        | "UnitCoverage"
        | "Bulletin"
        | "BulletinFigures"
        | "KindResultCount"
        | "IssueKindCount"
        | "UnitFigure"
        | "InspectionTarget"
        | "EvidenceGap" => Needs(InspectionsRead),
        "FundingItem" | "FundingShare" | "StageReached" | "FundingEntry" | "FundingTarget" | "FundingCampaign"
        | "FundingSummary" | "FundingKindSummary" | "UnitFundingFigures" | "FundingMonth" | "CampaignFunding"
        | "ChannelFunding" => Needs(FundingRead),
        "PairingDuty" | "Pairing" | "PairingService" | "PairingActivity" | "UnitPairingActivity" => Needs(ProjectsRead),
        "EnvironmentEvaluation"
        | "EvaluationCriterion"
        | "OpenedEvaluation"
        | "EvaluationResult"
        | "CriterionScore" => Needs(ProjectsRead),
        // Obstruction cases are for people: a key could not be held to the rule that hides a case
        // from the accused unit's own systems.
        "ObstructionCase" | "ObstructionStep" => Never,
        // Assessment is the office's judgment of units: for people, whose roles and units decide
        // which runs and scorecards they see.
        "AssessmentScheme"
        | "WeightedMetric"
        | "SchemeVetoCondition"
        | "AssessmentRun"
        | "AssessmentStanding"
        | "MetricResult"
        | "UnitScorecard"
        | "AssessmentVeto"
        | "Award"
        | "AwardYear" => Never,
        "Photo" | "PhotoLocation" | "Camera" | "TrustReason" => Needs(PhotosRead),
        "AuditEvent" | "ChangeEvent" | "ChangeFeed" | "ChangePageInfo" => Needs(ChangesRead),
        "Webhook" | "CreatedWebhook" | "WebhookDelivery" | "WebhookAttempt" => Needs(WebhooksManage),
        "LoginPayload" | "IntegrationKey" | "CreatedIntegrationKey" => Never,
        _ => return None,
    })
}

/// Mutations for people alone: signing in, accounts, and the keys themselves.
pub const PEOPLE_ONLY: &[&str] = &[
    "login",
    "changePassword",
    "createUser",
    "setUnitHead",
    "deactivateUser",
    "createIntegrationKey",
    "revokeIntegrationKey",
    "registerTrustedDocuments",
    "reportObstruction",
    "advanceObstruction",
    "respondToEvaluation",
    "publishAssessmentScheme",
    "runAssessment",
    "publishAssessment",
    "vetoUnit",
    "liftVeto",
    "grantAward",
];

/// The scope a mutation needs; `None` for one no key may run (those of [`PEOPLE_ONLY`], and any
/// mutation not classified yet: a test holds every mutation to be in one list or the other).
pub fn mutation_scope(field: &str) -> Option<Scope> {
    use Scope::*;
    Some(match field {
        "createProject"
        | "updateProject"
        | "planSchedule"
        | "completeMilestone"
        | "submitMonthlyReport"
        | "lockReportingPeriod"
        | "updateHealthRules"
        | "setPairingDuties"
        | "pairUnit"
        | "unpairUnit"
        | "logPairingService"
        | "openEnvironmentEvaluation"
        | "closeEnvironmentEvaluation" => ProjectsWrite,
        "raiseIssue"
        | "assignIssue"
        | "acceptIssue"
        | "returnIssue"
        | "startIssue"
        | "resolveIssue"
        | "verifyIssue"
        | "closeIssue"
        | "reopenIssue"
        | "setIssueDueDate"
        | "commentOnIssue"
        | "escalateOverdueIssues" => IssuesWrite,
        "openCase"
        | "linkToCase"
        | "unlinkFromCase"
        | "addCaseMeasures"
        | "completeCaseMeasure"
        | "decideCase"
        | "startCase"
        | "resolveCase"
        | "reopenCase"
        | "closeCase" => CasesWrite,
        "scheduleMeeting"
        | "holdMeeting"
        | "saveMinutesDraft"
        | "publishMinutes"
        | "cancelMeeting"
        | "addDecision"
        | "assignActionItems"
        | "reportActionItemDone"
        | "verifyActionItem"
        | "escalateOverdueActionItems" => MeetingsWrite,
        "publishChecklistTemplate"
        | "submitInspection"
        | "syncInspections"
        | "reviewInspection"
        | "planSupervisionTask"
        | "drawSurpriseTask"
        | "closeSupervisionTask"
        | "publishBulletin"
        | "proposeSupervisionTasks" => InspectionsWrite,
        "recordFundingItem"
        | "updateFundingItem"
        | "advanceFundingStage"
        | "recordFundingMoney"
        | "verifyFundingMoney"
        | "correctFundingMoney"
        | "setFundingTargets"
        | "createFundingCampaign" => FundingWrite,
        "uploadPhoto" => PhotosWrite,
        "createWebhook" | "updateWebhook" | "deleteWebhook" | "redeliver" | "pingWebhook" => WebhooksManage,
        _ => return None,
    })
}

pub use crate::service::keys::missing;

/// Each object type's fields and the named type each returns, read from the schema's SDL.
#[derive(Debug, Default)]
pub struct TypeMap {
    fields: HashMap<String, HashMap<String, String>>,
}

impl TypeMap {
    /// The map of the schema whose SDL is `sdl`.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut fields = HashMap::new();
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return Self::default();
        };
        for definition in doc.definitions {
            if let async_graphql::parser::types::TypeSystemDefinition::Type(t) = definition {
                let t = t.node;
                let own: HashMap<String, String> = match t.kind {
                    TypeKind::Object(o) => {
                        o.fields.iter().map(|f| (f.node.name.node.to_string(), base_name(&f.node.ty.node))).collect()
                    }
                    TypeKind::Interface(i) => {
                        i.fields.iter().map(|f| (f.node.name.node.to_string(), base_name(&f.node.ty.node))).collect()
                    }
                    TypeKind::Union(_) => HashMap::new(),
                    // Scalars, enums and inputs have no fields to select.
                    _ => continue,
                };
                fields.insert(t.name.node.to_string(), own);
            }
        }
        Self { fields }
    }

    /// Every object, interface and union type of the schema.
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// The fields of `type_name`.
    pub fn fields_of(&self, type_name: &str) -> Vec<&str> {
        self.fields.get(type_name).map(|f| f.keys().map(String::as_str).collect()).unwrap_or_default()
    }

    fn field_type(&self, parent: &str, field: &str) -> Option<&str> {
        self.fields.get(parent)?.get(field).map(String::as_str)
    }
}

fn base_name(ty: &async_graphql::parser::types::Type) -> String {
    match &ty.base {
        async_graphql::parser::types::BaseType::Named(name) => name.to_string(),
        async_graphql::parser::types::BaseType::List(inner) => base_name(inner),
    }
}

/// Refuses the document when it selects anything `grant` does not cover, naming the first scope
/// missing.
pub fn check(map: &TypeMap, doc: &ExecutableDocument, grant: &Grant) -> Result<(), ServerError> {
    let mut walk = Walk { map, doc, grant, seen: HashSet::new() };
    for (_, op) in doc.operations.iter() {
        let root = match op.node.ty {
            async_graphql::parser::types::OperationType::Query => "Query",
            async_graphql::parser::types::OperationType::Mutation => "Mutation",
            async_graphql::parser::types::OperationType::Subscription => "Subscription",
        };
        walk.set(root, &op.node.selection_set.node)
            .map_err(|e| async_graphql::Error::from(e).into_server_error(op.pos))?;
    }
    Ok(())
}

struct Walk<'a> {
    map: &'a TypeMap,
    doc: &'a ExecutableDocument,
    grant: &'a Grant,
    /// (fragment, type it is read as) already checked.
    seen: HashSet<(String, String)>,
}

impl Walk<'_> {
    fn require(&self, type_name: &str) -> Result<(), AppError> {
        match access(type_name) {
            Some(Access::Free) => Ok(()),
            Some(Access::Needs(scope)) if self.grant.allows(scope) => Ok(()),
            Some(Access::Needs(scope)) => Err(missing(scope)),
            Some(Access::Never) | None => {
                Err(AppError::Forbidden(format!("integration keys may not read `{type_name}`")))
            }
        }
    }

    fn set(&mut self, parent: &str, set: &SelectionSet) -> Result<(), AppError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    if name.starts_with("__") {
                        continue;
                    }
                    self.require(parent)?;
                    if parent == "Mutation" {
                        let scope = mutation_scope(name)
                            .ok_or_else(|| AppError::Forbidden(format!("integration keys may not run `{name}`")))?;
                        if !self.grant.allows(scope) {
                            return Err(missing(scope));
                        }
                    }
                    if let Some(ty) = self.map.field_type(parent, name) {
                        let ty = ty.to_owned();
                        self.set(&ty, &field.selection_set.node)?;
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment.type_condition.as_ref().map_or(parent, |c| c.node.on.node.as_str()).to_owned();
                    self.set(&on, &fragment.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    let Some(fragment) = self.doc.fragments.get(spread.node.fragment_name.node.as_str()) else {
                        continue;
                    };
                    let on = fragment.node.type_condition.node.on.node.to_string();
                    if self.seen.insert((name, on.clone())) {
                        self.set(&on, &fragment.node.selection_set.node)?;
                    }
                }
            }
        }
        Ok(())
    }
}
