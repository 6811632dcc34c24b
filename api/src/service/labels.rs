//! The Chinese names the source text uses for the API's enums, as spreadsheets and messages to people show them.

use entity::case::{CaseKind, CaseStatus};
use entity::issue::{IssueKind, IssueStatus, Severity};
use entity::project::{Industry, Light, ProjectCategory};

pub fn category(c: ProjectCategory) -> &'static str {
    match c {
        ProjectCategory::KeyConstruction => "重点建设项目",
        ProjectCategory::KeyPreliminary => "重点前期项目",
        ProjectCategory::KeyDevelopment => "重点开发项目",
    }
}

pub fn industry(i: Industry) -> &'static str {
    match i {
        Industry::AutoParts => "汽配",
        Industry::SaltChemical => "盐化",
        Industry::Textile => "纺织",
        Industry::Paper => "造纸",
        Industry::Food => "食品",
        Industry::Infrastructure => "基础设施",
        Industry::Social => "社会事业",
        Industry::Other => "其他",
    }
}

pub fn light(l: Light) -> &'static str {
    match l {
        Light::Green => "绿灯",
        Light::Yellow => "黄灯",
        Light::Red => "红灯",
    }
}

pub fn issue_kind(k: IssueKind) -> &'static str {
    match k {
        IssueKind::LandAcquisition => "征地拆迁",
        IssueKind::EnvironmentalAssessment => "环评",
        IssueKind::SafetyAssessment => "安评",
        IssueKind::Logistics => "物流",
        IssueKind::Funding => "资金",
        IssueKind::Utilities => "水电路气",
        IssueKind::PlanningPermit => "规划许可",
        IssueKind::ConstructionEnvironment => "施工环境",
        IssueKind::Quality => "质量",
        IssueKind::SafetyHazard => "安全隐患",
        IssueKind::Other => "其他",
    }
}

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Low => "一般",
        Severity::Medium => "较大",
        Severity::High => "重大",
    }
}

pub fn issue_status(s: IssueStatus) -> &'static str {
    match s {
        IssueStatus::Open => "待交办",
        IssueStatus::Assigned => "已交办",
        IssueStatus::Accepted => "已签收",
        IssueStatus::InProgress => "办理中",
        IssueStatus::Resolved => "已办结",
        IssueStatus::Verified => "已核实",
        IssueStatus::Closed => "已销号",
    }
}

pub fn case_kind(k: CaseKind) -> &'static str {
    match k {
        CaseKind::OneProjectOnePolicy => "一项一策",
        CaseKind::OneMatterOneDiscussion => "一事一议",
    }
}

pub fn case_status(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Open => "待办理",
        CaseStatus::InProgress => "办理中",
        CaseStatus::Resolved => "已解决",
        CaseStatus::Closed => "已办结",
    }
}
