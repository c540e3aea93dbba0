//! Who may do what: the one place where access is decided.
//!
//! [`decide`] is a pure function of the actor's roles and organisation and the
//! action's target. Every use case calls it before touching the store; templates
//! receive a [`Permissions`] value computed here and never decide for themselves.
//! Later issues add referral- and territory-scoped actions to the same enum.

use crate::auth::Actor;
use crate::error::ServiceError;
use passerelle_domain::{OrgId, Role};
use serde::Serialize;

/// Something an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the list of organisations and the territorial tree (every signed-in user).
    ViewDirectory,
    /// Create or edit organisations.
    ManageOrganisations,
    /// See the users of an organisation.
    ViewUsers(OrgId),
    /// Create users, in any organisation.
    ManageUsers,
    /// Read the audit trail and verify its chain.
    ViewAudit,
    /// Manage one's own password, language and API tokens.
    ManageOwnAccount,
    /// Import or replace a results framework (the secretariat and administrators).
    ManageFrameworks,
    /// Report aggregate values: for any organisation (secretariat, administrators) or
    /// for one's own (focal points).
    ReportValues(OrgId),
    /// Return, approve or lock a submission (the secretariat, administrators).
    ReviewValues,
    /// Unlock a locked submission (administrators).
    UnlockValues,
    /// Register people and open cases for an organisation (its case workers and
    /// supervisors).
    WorkCases(OrgId),
    /// See every case of an organisation and its workers' caseloads (its supervisors).
    SuperviseCases(OrgId),
    /// Case-work statistics without names: referral flows, case counts (the
    /// secretariat, administrators, supervisors).
    ViewCaseStatistics,
    /// Export, for one person, who read or changed their file (administrators).
    ExportAccessLog,
    /// Run the linkage engine over every registry so that indicators count each person
    /// once (the secretariat, administrators): nobody sees names, only counts.
    LinkRegistries,
    /// Propose a change to a directory entry of this organisation (its focal points and
    /// supervisors) or of any organisation (community agents); the secretariat validates.
    ProposeDirectoryChange(OrgId),
    /// Change the directory directly, review proposals, import it, edit the rights
    /// pages (the secretariat, administrators).
    ManageDirectory,
    /// See the portal's intake requests routed to this organisation, which hold
    /// personal data (its case workers and supervisors).
    ViewIntake(OrgId),
    /// Take or close this organisation's intake requests (the same people).
    HandleIntake(OrgId),
    /// Read aggregate values through the exchange formats (DHIS2 data value sets,
    /// the analytics grid, IATI): the monitoring roles.
    ExchangeValues,
    /// Replace the DHIS2 mapping and use the exchange page (the secretariat,
    /// administrators). Importing values still needs `ReportValues` for each row's
    /// organisation.
    ManageExchange,
    /// Import a new version of an assessment form (administrators, the secretariat).
    ManageForms,
    /// Describe bodies, plan and record meetings, decisions and follow-up actions
    /// (the secretariat, administrators).
    ManageGovernance,
    /// See a body, its meetings, its actions and its brief: the secretariat,
    /// administrators and viewers, or any user of a member organisation (`member`
    /// is decided by the caller from the body's members and the actor's
    /// organisation and its parent).
    ViewBody { member: bool },
    /// Update the status and progress of a follow-up action owned by this
    /// organisation: its focal points and supervisors (and the secretariat).
    UpdateFollowUp(OrgId),
}

/// What an actor may see of one case. Decided here, from the case's organisation,
/// its assignee and its referrals, and nowhere else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseAccess {
    /// The whole file: the owning organisation's supervisor, or its case worker who
    /// opened it or is assigned to it.
    Full,
    /// Only the sections shared by referrals to the actor's organisation.
    Shared(Vec<String>),
    None,
}

/// The facts about a case that access depends on.
#[derive(Debug, Clone)]
pub struct CaseScope {
    pub organisation_id: OrgId,
    pub assigned_user_id: Option<passerelle_domain::UserId>,
    pub opened_by: passerelle_domain::UserId,
    /// Organisations the case is being transferred to (they see it to accept it).
    pub transfer_to: Option<OrgId>,
    /// Referrals readable by their receiver: (receiving organisation, shared sections).
    pub referrals: Vec<(OrgId, Vec<String>)>,
}

/// How much of a case `actor` may see.
pub fn case_access(actor: &Actor, scope: &CaseScope) -> CaseAccess {
    let has = |r: Role| actor.user.roles.contains(&r);
    let org = actor.user.organisation_id;
    let me = actor.user.id;
    if !actor.user.active {
        return CaseAccess::None;
    }
    if org == scope.organisation_id
        && (has(Role::Supervisor)
            || (has(Role::CaseWorker)
                && (scope.assigned_user_id == Some(me) || scope.opened_by == me)))
    {
        return CaseAccess::Full;
    }
    if !(has(Role::Supervisor) || has(Role::CaseWorker)) {
        return CaseAccess::None;
    }
    let mut sections: Vec<String> = Vec::new();
    let mut any = false;
    for (to, shared) in &scope.referrals {
        if *to == org {
            any = true;
            for s in shared {
                if !sections.contains(s) {
                    sections.push(s.clone());
                }
            }
        }
    }
    if scope.transfer_to == Some(org) {
        any = true;
    }
    if any {
        CaseAccess::Shared(sections)
    } else {
        CaseAccess::None
    }
}

/// Whether `actor` may do `action`. `Forbidden` otherwise.
pub fn decide(actor: &Actor, action: Action) -> Result<(), ServiceError> {
    if allowed(actor, action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn allowed(actor: &Actor, action: Action) -> bool {
    let has = |r: Role| actor.user.roles.contains(&r);
    let admin = has(Role::Administrator);
    match action {
        Action::ViewDirectory | Action::ManageOwnAccount => actor.user.active,
        Action::ManageOrganisations | Action::ManageUsers | Action::ViewAudit => admin,
        Action::ViewUsers(org) => {
            admin || (has(Role::Supervisor) && actor.user.organisation_id == org)
        }
        Action::ManageFrameworks => admin || has(Role::Secretariat),
        Action::ReportValues(org) => {
            admin
                || has(Role::Secretariat)
                || (has(Role::FocalPoint) && actor.user.organisation_id == org)
        }
        Action::ReviewValues => admin || has(Role::Secretariat),
        Action::UnlockValues => admin,
        Action::WorkCases(org) => {
            actor.user.organisation_id == org && (has(Role::CaseWorker) || has(Role::Supervisor))
        }
        Action::SuperviseCases(org) => actor.user.organisation_id == org && has(Role::Supervisor),
        Action::ViewCaseStatistics => admin || has(Role::Secretariat) || has(Role::Supervisor),
        Action::ExportAccessLog => admin,
        Action::LinkRegistries => admin || has(Role::Secretariat),
        Action::ManageForms => admin || has(Role::Secretariat),
        Action::ProposeDirectoryChange(org) => {
            admin
                || has(Role::Secretariat)
                || has(Role::CommunityAgent)
                || ((has(Role::FocalPoint) || has(Role::Supervisor))
                    && actor.user.organisation_id == org)
        }
        Action::ManageDirectory => admin || has(Role::Secretariat),
        Action::ViewIntake(org) | Action::HandleIntake(org) => {
            (has(Role::CaseWorker) || has(Role::Supervisor)) && actor.user.organisation_id == org
        }
        Action::ExchangeValues => {
            actor.user.active
                && (admin || has(Role::Secretariat) || has(Role::FocalPoint) || has(Role::Viewer))
        }
        Action::ManageExchange => admin || has(Role::Secretariat),
        Action::ManageGovernance => admin || has(Role::Secretariat),
        Action::ViewBody { member } => {
            actor.user.active && (admin || has(Role::Secretariat) || has(Role::Viewer) || member)
        }
        Action::UpdateFollowUp(org) => {
            admin
                || has(Role::Secretariat)
                || ((has(Role::FocalPoint) || has(Role::Supervisor))
                    && actor.user.organisation_id == org)
        }
    }
}

/// What the interface may offer the actor, computed once per request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Permissions {
    pub manage_users: bool,
    pub manage_organisations: bool,
    pub view_team: bool,
    pub view_audit: bool,
    pub manage_frameworks: bool,
    pub review_values: bool,
    /// Monitoring screens (frameworks, reporting): secretariat, focal points, viewers.
    pub monitoring: bool,
    /// Case work screens: case workers, supervisors, community agents.
    pub casework: bool,
    /// Register people and open cases.
    pub work_cases: bool,
    pub supervise_cases: bool,
    pub case_statistics: bool,
    pub export_access_log: bool,
    /// Change the directory directly and review proposed changes.
    pub manage_directory: bool,
    /// Propose changes to the directory (at least for one's own organisation).
    pub propose_directory: bool,
    /// The organisation's queue of intake requests from the portal.
    pub intake: bool,
    /// The exchange page: the DHIS2 mapping, imports and exports.
    pub manage_exchange: bool,
    /// Import new versions of assessment forms.
    pub manage_forms: bool,
    /// The governance screens: bodies, meetings, actions, briefs.
    pub governance: bool,
    pub manage_governance: bool,
}

impl Permissions {
    pub fn of(actor: &Actor) -> Permissions {
        let has = |r: Role| actor.user.roles.contains(&r);
        Permissions {
            manage_users: allowed(actor, Action::ManageUsers),
            manage_organisations: allowed(actor, Action::ManageOrganisations),
            view_team: allowed(actor, Action::ViewUsers(actor.user.organisation_id)),
            view_audit: allowed(actor, Action::ViewAudit),
            manage_frameworks: allowed(actor, Action::ManageFrameworks),
            review_values: allowed(actor, Action::ReviewValues),
            monitoring: [
                Role::Administrator,
                Role::Secretariat,
                Role::FocalPoint,
                Role::Viewer,
            ]
            .into_iter()
            .any(has),
            casework: [Role::Supervisor, Role::CaseWorker, Role::CommunityAgent]
                .into_iter()
                .any(has),
            work_cases: allowed(actor, Action::WorkCases(actor.user.organisation_id)),
            supervise_cases: allowed(actor, Action::SuperviseCases(actor.user.organisation_id)),
            case_statistics: allowed(actor, Action::ViewCaseStatistics),
            export_access_log: allowed(actor, Action::ExportAccessLog),
            manage_directory: allowed(actor, Action::ManageDirectory),
            propose_directory: allowed(
                actor,
                Action::ProposeDirectoryChange(actor.user.organisation_id),
            ),
            intake: allowed(actor, Action::ViewIntake(actor.user.organisation_id)),
            manage_exchange: allowed(actor, Action::ManageExchange),
            manage_forms: allowed(actor, Action::ManageForms),
            governance: [
                Role::Administrator,
                Role::Secretariat,
                Role::FocalPoint,
                Role::Viewer,
                Role::Supervisor,
            ]
            .into_iter()
            .any(has),
            manage_governance: allowed(actor, Action::ManageGovernance),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_access_by_role_organisation_assignment_and_referral() {
        use passerelle_domain::UserId;
        let scope = CaseScope {
            organisation_id: OrgId(2),
            assigned_user_id: Some(UserId(7)),
            opened_by: UserId(7),
            transfer_to: None,
            referrals: vec![(OrgId(3), vec!["professional_profile".into()])],
        };
        let mut worker = actor(&[Role::CaseWorker], 2);
        assert_eq!(
            case_access(&worker, &scope),
            CaseAccess::None,
            "another worker's case"
        );
        worker.user.id = UserId(7);
        assert_eq!(case_access(&worker, &scope), CaseAccess::Full);
        let sup = actor(&[Role::Supervisor], 2);
        assert_eq!(case_access(&sup, &scope), CaseAccess::Full);
        let receiver = actor(&[Role::CaseWorker], 3);
        assert_eq!(
            case_access(&receiver, &scope),
            CaseAccess::Shared(vec!["professional_profile".into()])
        );
        for outsider in [
            actor(&[Role::CaseWorker], 4),
            actor(&[Role::Secretariat], 2),
            actor(&[Role::Administrator], 2),
            actor(&[Role::FocalPoint], 3),
        ] {
            assert_eq!(case_access(&outsider, &scope), CaseAccess::None);
        }
    }
    use passerelle_domain::UserId;
    use passerelle_store::users::User;

    fn actor(roles: &[Role], org: i64) -> Actor {
        Actor {
            user: User {
                id: UserId(1),
                username: "u".into(),
                display_name: "U".into(),
                organisation_id: OrgId(org),
                active: true,
                locale: None,
                roles: roles.to_vec(),
                created_at: String::new(),
            },
            organisation_code: "ORG".into(),
            organisation_name: "Org".into(),
            organisation_name_ar: None,
            organisation_name_en: None,
        }
    }

    #[test]
    fn the_access_table() {
        let admin = actor(&[Role::Administrator], 1);
        let sup = actor(&[Role::Supervisor], 2);
        let worker = actor(&[Role::CaseWorker], 2);
        let cases = [
            (&admin, Action::ManageUsers, true),
            (&admin, Action::ViewAudit, true),
            (&admin, Action::ViewUsers(OrgId(2)), true),
            (&sup, Action::ViewUsers(OrgId(2)), true),
            (&sup, Action::ViewUsers(OrgId(3)), false),
            (&sup, Action::ManageUsers, false),
            (&worker, Action::ManageUsers, false),
            (&worker, Action::ViewAudit, false),
            (&worker, Action::ManageOrganisations, false),
            (&worker, Action::ViewUsers(OrgId(2)), false),
            (&worker, Action::ViewDirectory, true),
            (&worker, Action::ManageOwnAccount, true),
            (&worker, Action::ManageFrameworks, false),
            (&admin, Action::ManageFrameworks, true),
            (&worker, Action::ReportValues(OrgId(2)), false),
            (
                &actor(&[Role::FocalPoint], 2),
                Action::ReportValues(OrgId(2)),
                true,
            ),
            (
                &actor(&[Role::FocalPoint], 2),
                Action::ReportValues(OrgId(3)),
                false,
            ),
        ];
        for (who, action, expected) in cases {
            assert_eq!(
                decide(who, action).is_ok(),
                expected,
                "{:?} {action:?}",
                who.user.roles
            );
        }
        let agent = actor(&[Role::CommunityAgent], 4);
        let focal = actor(&[Role::FocalPoint], 2);
        let secretariat = actor(&[Role::Secretariat], 1);
        let directory_cases = [
            (&worker, Action::ViewIntake(OrgId(2)), true),
            (&worker, Action::HandleIntake(OrgId(2)), true),
            (&worker, Action::ViewIntake(OrgId(3)), false),
            (&sup, Action::ViewIntake(OrgId(2)), true),
            (&admin, Action::ViewIntake(OrgId(1)), false),
            (&secretariat, Action::ViewIntake(OrgId(1)), false),
            (&focal, Action::ProposeDirectoryChange(OrgId(2)), true),
            (&focal, Action::ProposeDirectoryChange(OrgId(3)), false),
            (&agent, Action::ProposeDirectoryChange(OrgId(3)), true),
            (&worker, Action::ProposeDirectoryChange(OrgId(2)), false),
            (&agent, Action::ManageDirectory, false),
            (&secretariat, Action::ManageDirectory, true),
        ];
        for (who, action, expected) in directory_cases {
            assert_eq!(
                decide(who, action).is_ok(),
                expected,
                "{:?} {action:?}",
                who.user.roles
            );
        }
        let governance_cases = [
            (&secretariat, Action::ManageGovernance, true),
            (&focal, Action::ManageGovernance, false),
            (&focal, Action::ViewBody { member: false }, false),
            (&focal, Action::ViewBody { member: true }, true),
            (&secretariat, Action::ViewBody { member: false }, true),
            (&focal, Action::UpdateFollowUp(OrgId(2)), true),
            (&focal, Action::UpdateFollowUp(OrgId(3)), false),
            (&worker, Action::UpdateFollowUp(OrgId(2)), false),
            (&secretariat, Action::UpdateFollowUp(OrgId(3)), true),
        ];
        for (who, action, expected) in governance_cases {
            assert_eq!(
                decide(who, action).is_ok(),
                expected,
                "{:?} {action:?}",
                who.user.roles
            );
        }
        let p = Permissions::of(&worker);
        assert!(p.casework && !p.monitoring && !p.manage_users && !p.view_audit);
    }
}
