"""Who may do what, service by service and role by role (docs/product.md "Roles").

Each row is one service with the team whose case it acts on; each role gets a fresh case about a
person of that team: themselves (self), the person's lead (manager_in), another team's lead
(manager_out), an HR member (hr), the admin, an HR member acting on their own case (own_case) and a
colleague in the same team (an assigned peer rater where the service has peers); then two who have
left (docs/product.md "People change"): the person's lead (manager_left), and the person themselves
(leaver), who keeps only their own progress, ratings and reports. An allowed call succeeds; a
refused one raises 403 and leaves the database exactly as it was.

The table is checked against the code: every public function under app/services has a row here, a
company-level test in test_authz_company.py, or a one-line reason why it does not act for a person —
so a new service without a row fails until someone decides who may call it.
"""

import importlib
import inspect
import pkgutil
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from app import connectors, imports, reporting, services
from app.errors import ApiError
from app.extensions import db
from app.models import (
    Comment,
    Cycle,
    Employee,
    Observation,
    OutboxMessage,
    Outcome,
    PrivacyConsent,
    Screenshot,
    SheetLine,
    WeChatIdentity,
)
from app.services.authz import Actor
from app.services.cycle import outcomes, targets
from app.services.feedback import appeals, comments, peers, ratings, sheet_lines
from app.services.news import alerts
from app.services.observations import corrections, history, privacy, screenshots, submissions
from app.services.org import binding, people
from app.services.scoring import progress, reading, reports
from tests.support.checksums import fingerprint
from tests.support.images import png_bytes
from tests.support.people import IN_OCT_WINDOW, NOV_NOW, Cast, actor, assessment_of, entries_with, item_of, report_of

ROLES = ("self", "manager_in", "manager_out", "hr", "admin", "own_case", "colleague", "manager_left", "leaver")
LEFT = {"manager_left", "leaver"}  # who acts has left by the time they act (after the case is built)


def subject_and_actor(cast: Cast, dept: str, role: str, index: int) -> tuple[int, int]:
    """(person concerned, person acting) for a role; plain subjects are distinct per role where the
    team is big enough, and the colleague is never one of them."""
    team = cast.teams[dept]
    colleague = team.members[-1]
    plain = team.members[:-1]
    subject = team.hr_member if role == "own_case" else plain[index % len(plain)]
    acting = {
        "self": subject, "own_case": subject, "manager_in": team.lead, "manager_out": cast.teams["cs"].lead,
        "hr": cast.hr, "admin": cast.admin, "colleague": colleague, "manager_left": team.lead, "leaver": subject,
    }[role]
    return subject, acting


# -- one fresh case per call: set-up runs first, the returned call is what is authorised -----------

def _progress(cast, subject, acting, n):
    assessment = assessment_of(subject, 11)
    progress.recompute(assessment.id, date(2026, 11, 26))
    return lambda who: reading.view_progress(assessment.id, who)


def _report(cast, subject, acting, n):
    report_id = report_of(subject).id
    return lambda who: reports.view_report(report_id, who, now=IN_OCT_WINDOW)


def _months(cast, subject, acting, n):
    report_of(subject)
    return lambda who: reports.months_of(subject, who)


def _submission_state(cast, subject, acting, n):
    assessment_id = _entry(subject)[0].assessment_id
    return lambda who: history.submission_state(assessment_id, who)


def _alerts_of(cast, subject, acting, n):
    assessment_id = _entry(subject)[0].assessment_id
    return lambda who: alerts.alerts_of(assessment_id, who)


def _days(cast, subject, acting, n):
    assessment_id = _entry(subject)[0].assessment_id
    return lambda who: history.days_of(assessment_id, who)


def _ratings_view(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 10).id
    return lambda who: ratings.ratings_view(assessment_id, who)


def _targets_view(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 11).id
    return lambda who: targets.targets_view(assessment_id, who)


def _rules_view(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 11).id
    return lambda who: targets.rules_view(assessment_id, who)


def _entry(subject):
    return entries_with(subject, "design_on_time_share", date(2026, 11, 26))


def _list_comments(cast, subject, acting, n):
    entry_id = _entry(subject)[0].id
    return lambda who: comments.list_comments(who, progress_entry_id=entry_id)


def _comment(cast, subject, acting, n):
    entry_id = _entry(subject)[0].id
    return lambda who: comments.add_comment(who, "主图点击率提升明显，继续保持", progress_entry_id=entry_id,
                                            now=NOV_NOW)


def _rate_manager(cast, subject, acting, n):
    item_id = item_of(assessment_of(subject, 11), "ops_teamwork").id
    return lambda who: ratings.rate_item(item_id, "4", who, "配合积极", now=NOV_NOW)


def _peer_case(cast, subject):
    assessment = assessment_of(subject, 11)
    others = [m for m in cast.teams["warehouse"].members if m != subject]
    peers.choose_peers(assessment.id, actor(cast.hr), [others[-1], others[0]], now=NOV_NOW)
    return assessment


def _rate_peer(cast, subject, acting, n):
    item_id = item_of(_peer_case(cast, subject), "wh_team_cooperation").id
    return lambda who: ratings.rate_item(item_id, "5", who, now=NOV_NOW)


def _choose_peers(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 11).id
    return lambda who: peers.choose_peers(assessment_id, who, now=NOV_NOW)


def _view_peers(cast, subject, acting, n):
    assessment_id = _peer_case(cast, subject).id
    return lambda who: peers.peer_raters(assessment_id, who)


def _acknowledge(cast, subject, acting, n):
    assessment = assessment_of(subject, 11)
    assessment.acknowledged_at = None
    db.session.commit()
    return lambda who: targets.acknowledge_targets(assessment.id, who, now=NOV_NOW)


def _amend(cast, subject, acting, n):
    item_id = item_of(assessment_of(subject, 11), "ops_sales").id
    return lambda who: targets.amend_target(item_id, "90000", "店铺活动取消，目标下调", who, now=NOV_NOW)


def _adjust(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 11).id
    return lambda who: sheet_lines.add_adjustment(assessment_id, "2", "顶班两天", who, now=NOV_NOW)


def _veto(cast, subject, acting, n):
    assessment_id = assessment_of(subject, 11).id
    return lambda who: sheet_lines.record_veto(assessment_id, "重大客诉", "投诉单 C-2026-1127", who, now=NOV_NOW)


def _withdraw(cast, subject, acting, n):
    line = SheetLine(assessment_id=assessment_of(subject, 11).id, kind="adjustment", points=Decimal(-2),
                     text="盘点缺席", recorded_by=cast.hr, recorded_at=NOV_NOW)
    db.session.add(line)
    db.session.commit()
    return lambda who: sheet_lines.withdraw_line(line.id, "记错了人", who, now=NOV_NOW)


def _one_more(subject, n) -> tuple[int, str, str]:
    """An entry of the person's and its on-time figure with one more asset delivered on time."""
    entry = _entry(subject)[n]
    figure = db.session.scalar(select(Observation).where(Observation.progress_entry_id == entry.id,
                                                         Observation.indicator_code == "design_on_time_share"))
    return entry.id, str(figure.numerator + 1), str(figure.denominator + 1)


def _request_correction(cast, subject, acting, n):
    entry_id, num, den = _one_more(subject, n)
    return lambda who: corrections.request_correction(entry_id, "design_on_time_share", num, den,
                                                      "漏报一张准时交付的图", who, now=NOV_NOW)


def _request_day_correction(cast, subject, acting, n):
    day = _entry(subject)[n].day
    _, num, den = _one_more(subject, n)
    return lambda who: corrections.request_day_correction(subject, day, "design_on_time_share", num, den,
                                                          "漏报一张准时交付的图", who, now=NOV_NOW)


def _decide_correction(cast, subject, acting, n):
    entry_id, num, den = _one_more(subject, n)
    request = corrections.request_correction(entry_id, "design_on_time_share", num, den, "漏报", actor(subject),
                                             now=NOV_NOW)
    return lambda who: corrections.decide_correction(request.id, True, "", who, now=NOV_NOW)


def _view_correction(cast, subject, acting, n):
    entry_id, num, den = _one_more(subject, n)
    request = corrections.request_correction(entry_id, "design_on_time_share", num, den, "漏报", actor(subject),
                                             now=NOV_NOW)
    return lambda who: corrections.view_correction(request.id, who)


def _confirm(cast, subject, acting, n):
    report_id = report_of(subject).id
    return lambda who: reports.confirm_report(report_id, who, now=IN_OCT_WINDOW)


def _file_appeal(cast, subject, acting, n):
    report_id = report_of(subject).id
    return lambda who: appeals.file_appeal(report_id, "ops_ad_roi", "3.6", "广告归因延迟，后台数据更高", [], who,
                                           now=IN_OCT_WINDOW)


def _open_appeal(subject):
    return appeals.file_appeal(report_of(subject).id, "ops_ad_roi", "3.6", "广告归因延迟", [], actor(subject),
                               now=IN_OCT_WINDOW)


def _decide_appeal(cast, subject, acting, n):
    appeal_id = _open_appeal(subject).id
    return lambda who: appeals.decide_appeal(appeal_id, True, "核实后台数据无误", who,
                                             now=IN_OCT_WINDOW + timedelta(hours=1))


def _view_appeal(cast, subject, acting, n):
    appeal_id = _open_appeal(subject).id
    return lambda who: appeals.view_appeal(appeal_id, who)


def _decide_against_own_rating(cast, subject, acting, n):
    """The lead gave the rating appealed against and everyone above the lead has left: HR decides
    at once, never the lead (docs/product.md "People change")."""
    db.session.get(Employee, cast.boss).status = "left"
    db.session.commit()
    report = report_of(subject)
    rated = next(row["actual"] for row in report.body["items"] if row["indicator"] == "ops_teamwork")
    claimed = "4.5" if rated == "5" else "5"
    appeal_id = appeals.file_appeal(report.id, "ops_teamwork", claimed, "评分偏低", [], actor(subject),
                                    now=IN_OCT_WINDOW).id
    return lambda who: appeals.decide_appeal(appeal_id, True, "复核后上调", who,
                                             now=IN_OCT_WINDOW + timedelta(hours=1))


def _decide_escalated(cast, subject, acting, n):
    appeal = _open_appeal(subject)
    appeals.escalate_due(appeal.escalate_at)
    appeal_id = appeal.id
    return lambda who: appeals.decide_appeal(appeal_id, False, "证据不足", who,
                                             now=appeal.escalate_at + timedelta(hours=1))


def _decide_outcome(cast, subject, acting, n):
    october = db.session.scalar(select(Cycle.id).where(Cycle.month == 10))
    outcome = Outcome(employee_id=subject, cycle_id=october, kind="training", reason="测试用培训安排")
    db.session.add(outcome)
    db.session.commit()
    outcome_id = outcome.id
    return lambda who: outcomes.decide(outcome_id, who, approve=True, now=NOV_NOW)


def _submit(cast, subject, acting, n):
    entry_day = NOV_NOW.date()
    return lambda who: submissions.submit(subject, entry_day, {}, who, "今日主图已交付", now=NOV_NOW)


def _accept_privacy(cast, subject, acting, n):
    db.session.execute(delete(PrivacyConsent).where(PrivacyConsent.employee_id == subject))  # the demo's uploaders
    db.session.commit()
    return lambda who: privacy.accept(subject, privacy.VERSION, who)


def _upload(cast, subject, acting, n):
    if privacy.accepted_at(subject) is None:
        db.session.add(PrivacyConsent(employee_id=subject, version=privacy.VERSION, accepted_at=NOV_NOW))
        db.session.commit()
    return lambda who: screenshots.upload(subject, png_bytes(seed=n), who)


def _view_screenshot(cast, subject, acting, n):
    shot = Screenshot(owner_id=subject, storage_key=f"screenshots/00/{n:064d}.png", sha256=f"{n:064d}",
                      content_type="image/png", width=10, height=10, size_bytes=100, check_status="pass")
    db.session.add(shot)
    db.session.commit()
    shot_id = shot.id
    return lambda who: screenshots.viewable(shot_id, who)


def _issue_code(cast, subject, acting, n):
    employee_no = db.session.get(Employee, subject).employee_no
    return lambda who: binding.issue_code(employee_no, who, now=NOV_NOW)


def _rate_without_manager(cast, subject, acting, n):
    """Everyone above the person has left: HR rates their manager items in the manager's place."""
    for manager in (cast.teams["ops"].lead, cast.boss):
        db.session.get(Employee, manager).status = "left"
    db.session.commit()
    item_id = item_of(assessment_of(subject, 11), "ops_teamwork").id
    return lambda who: ratings.rate_item(item_id, "4", who, "代主管评分", now=NOV_NOW)


def _unbind(cast, subject, acting, n):
    db.session.add(WeChatIdentity(employee_id=subject, channel="oa", external_id=f"o-authz-{subject}"))
    db.session.commit()
    return lambda who: binding.unbind(subject, "oa", who)



def _leave_company(cast, subject, acting, n):
    return lambda who: people.leave_company(subject, date(2026, 11, 30), who, now=NOV_NOW)


def _transfer(cast, subject, acting, n):
    return lambda who: people.transfer(subject, date(2026, 11, 30), who, position="designer", department="design",
                                       now=NOV_NOW)


def _record_leave(cast, subject, acting, n):
    return lambda who: people.record_leave(subject, date(2026, 11, 30), date(2026, 11, 30), "personal", "家中有事", who,
                                           now=NOV_NOW)

Y, N = True, False
# row: (team, the service function, case builder, writes?, the roles allowed — every other role is refused)
TABLE = {
    "view_progress": ("ops", reading.view_progress, _progress, N, "self manager_in hr own_case leaver"),
    "view_report": ("ops", reports.view_report, _report, N, "self manager_in hr own_case leaver"),
    "view_months": ("ops", reports.months_of, _months, N, "self manager_in hr own_case leaver"),
    "view_days": ("design", history.days_of, _days, N, "self manager_in hr own_case leaver"),
    "view_submit_state": ("design", history.submission_state, _submission_state, N,
                          "self manager_in hr own_case leaver"),
    "view_alerts": ("design", alerts.alerts_of, _alerts_of, N, "self manager_in hr own_case leaver"),
    "view_ratings": ("ops", ratings.ratings_view, _ratings_view, N, "self manager_in hr own_case leaver"),
    "view_targets": ("ops", targets.targets_view, _targets_view, N, "self manager_in hr own_case leaver"),
    "view_rules": ("ops", targets.rules_view, _rules_view, N, "self manager_in hr own_case leaver"),
    "list_comments": ("design", comments.list_comments, _list_comments, N, "self manager_in hr own_case leaver"),
    "comment": ("design", comments.add_comment, _comment, Y, "self manager_in own_case"),
    "rate_manager": ("ops", ratings.rate_item, _rate_manager, Y, "manager_in"),
    "rate_manager_without_manager": ("ops", ratings.rate_item, _rate_without_manager, Y, "hr"),
    "rate_peer": ("warehouse", ratings.rate_item, _rate_peer, Y, "colleague"),
    "choose_peers": ("warehouse", peers.choose_peers, _choose_peers, Y, "hr"),
    "view_peers": ("warehouse", peers.peer_raters, _view_peers, N, "manager_in hr"),
    "acknowledge_targets": ("ops", targets.acknowledge_targets, _acknowledge, Y, "self own_case"),
    "amend_target": ("ops", targets.amend_target, _amend, Y, "hr"),
    "add_adjustment": ("ops", sheet_lines.add_adjustment, _adjust, Y, "hr"),
    "record_veto": ("ops", sheet_lines.record_veto, _veto, Y, "hr"),
    "withdraw_line": ("ops", sheet_lines.withdraw_line, _withdraw, Y, "hr"),
    "submit_progress": ("design", submissions.submit, _submit, Y, "self own_case"),
    "accept_privacy": ("design", privacy.accept, _accept_privacy, Y, "self own_case"),
    "upload_screenshot": ("design", screenshots.upload, _upload, Y, "self own_case"),
    "view_screenshot": ("design", screenshots.viewable, _view_screenshot, N, "self manager_in hr own_case"),
    "request_correction": ("design", corrections.request_correction, _request_correction, Y, "self own_case"),
    "request_day_correction": ("design", corrections.request_day_correction, _request_day_correction, Y,
                               "self own_case"),
    "view_correction": ("design", corrections.view_correction, _view_correction, N,
                        "self manager_in hr own_case leaver"),
    "decide_correction": ("design", corrections.decide_correction, _decide_correction, Y, "manager_in hr"),
    "confirm_report": ("ops", reports.confirm_report, _confirm, Y, "self own_case leaver"),
    "file_appeal": ("ops", appeals.file_appeal, _file_appeal, Y, "self own_case leaver"),
    "view_appeal": ("ops", appeals.view_appeal, _view_appeal, N, "self manager_in hr own_case leaver"),
    "decide_appeal": ("ops", appeals.decide_appeal, _decide_appeal, Y, "manager_in"),
    "decide_appeal_against_own_rating": ("ops", appeals.decide_appeal, _decide_against_own_rating, Y, "hr"),
    "decide_escalated_appeal": ("ops", appeals.decide_appeal, _decide_escalated, Y, "hr"),
    "decide_outcome": ("ops", outcomes.decide, _decide_outcome, Y, "hr"),
    "issue_bind_code": ("ops", binding.issue_code, _issue_code, Y, "hr admin"),
    "unbind": ("ops", binding.unbind, _unbind, Y, "self hr admin own_case leaver"),
    "leave_company": ("ops", people.leave_company, _leave_company, Y, "hr"),
    "transfer": ("ops", people.transfer, _transfer, Y, "hr"),
    "record_leave": ("ops", people.record_leave, _record_leave, Y, "hr"),
}

# Company-level HR actions, each with its own test of the policy in test_authz_company.py.
COMPANY_ACTIONS = """cycle.completeness.acknowledge observations.sync.resolve_restatements org.company_settings.change
    org.template_edits.set_method org.template_edits.save_template org.job_descriptions.save
    org.structure.add_department org.structure.add_position org.structure.add_indicator
    org.calendar_years.import_year
    org.calendar_years.confirm_year org.calendar_years.edit_year org.people.join_company
    observations.sources.set_configured cycle.fx_rates.set_rate"""

# Every other public function under app/services, and why it is not a use case acting for a person.
NOT_ACTING_FOR_A_PERSON = {
    "the policy itself and the edge's helpers (who acts, may they, the transaction, the input)": """
        authz.actor authz.actor_of_account authz.subtree_of authz.managers_of authz.active_managers_of
        authz.require authz.can authz.can_view authz.system
        usecase.use_case usecase.now_or_clock usecase.get_or_404 usecase.changed_rows usecase.claim
        usecase.fresh_transaction usecase.require_text usecase.decimal_of""",
    "written in the caller's transaction by a use case that has already asked the policy": """
        audit.record feedback.appeal_effects.apply_claim feedback.appeal_effects.withdraw_stale_outcomes
        feedback.appeal_effects.finish observations.screenshots.attach observations.screenshots.refresh_figure_check
        notify.outbox.enqueue notify.outbox.channel_bound calendar.replace_days
        cycle.lifecycle.assessment_from_template cycle.outcomes.settle_stale cycle.review.rated_again
        scoring.runs.publish_reviewed scoring.runs.rescore_in_review observations.sync.apply
        observations.sync.finish""",
    "reads of time, calendars, rates and names for other services (no person's data changes)": """
        business_time.clock_now business_time.business_today business_time.zone business_time.to_local
        business_time.to_utc business_time.calendar_for business_time.allowed_send_time
        calendar.company_calendar calendar.department_calendars calendar.parse_weekdays calendar.leave_days
        calendar.rate_table lookup.cycle_of lookup.indicator lookup.format_figure lookup.name_of lookup.hr_members
        lookup.display_of notify.job_failures.admins observations.sync.open_assessments
        settings.current settings.of_cycle settings.of_month org.company_settings.listing
        org.company_settings.bands
        observations.submissions.edit_until blobs.blob_store blobs.store_from observations.images.clean
        observations.images.sniff observations.ocr.read_text observations.privacy.notice
        observations.privacy.accepted_at observations.privacy.require_accepted observations.screenshots.of_entries
        observations.screenshots.described
        observations.screenshots.link observations.screenshots.flagged observations.screenshots.unreferenced
        scoring.inputs.library scoring.inputs.stored_method scoring.inputs.domain_item scoring.report_window.closes_at
        scoring.reports.latest_version scoring.month_result.latest_parts scoring.month_result.combine
        scoring.month_result.bands_of scoring.month_result.month_result cycle.targets.targets_state
        notify.kinds.generic_facts notify.kinds.report_facts notify.kinds.kind notify.kinds.template
        notify.kinds.deployment_templates notify.kinds.for_deployment notify.kinds.missing_templates
        notify.kinds.subscribe_templates notify.routing.choose notify.routing.route_for
        notify.quota.quota_left notify.quota.quotas_left notify.quota.mini_program_openid
        notify.outbox.unreachable_people
        calendar.default_days calendar.year_days calendar.public_days_off org.calendar_years.year_view
        org.calendar_years.unconfirmed_years lookup.configured_sources observations.sources.listing
        cycle.review.may_rate_again scoring.runs.review_run cycle.review.open_returns cycle.review.auto_publish_day
        scoring.reports.latest_of_cycle""",
    "the clock's work (services/tick.py and its jobs), acting for nobody": """
        tick.run_due heartbeat.record_tick heartbeat.last_tick_age heartbeat.record_worker heartbeat.forget_worker
        heartbeat.workers health.check_all health.check_ready notify.job_failures.tell_admins
        cycle.lifecycle.draft_cycle cycle.lifecycle.open_cycle settings.freeze cycle.lifecycle.ready_to_finalize
        cycle.lifecycle.finalize cycle.outcomes.month_grades cycle.outcomes.derive org.people.mark_leavers
        cycle.completeness.gaps cycle.completeness.is_green cycle.completeness.missing_rates
        feedback.appeals.appeal_reminders_due feedback.appeals.escalate_due feedback.peers.assign_default_peers
        feedback.peers.replace_departed
        feedback.rating_prompts.rating_tasks feedback.rating_prompts.missing_ratings
        feedback.rating_prompts.prompt_missing_ratings feedback.close_todo.tell_hr scoring.reports.auto_confirm_due
        news.alerts.load_default_rules news.alerts.active_rules news.alerts.evaluate_employee
        news.alerts.evaluate_batches news.alerts.evaluate_all news.alerts.request_day news.alerts.raise_alert
        news.alerts.recipients news.alerts.queue_messages news.announcements.push_targets
        news.announcements.evening_reminders news.announcements.expected_submitters news.announcements.expected_between
        news.announcements.push_reports
        news.digest.send_due_digests
        news.alerts.run_day news.digest.due_slots news.digest.compose news.digest.last_week news.team_news.load_org
        news.team_news.team_of news.team_news.managers news.team_news.progress_news news.team_news.alert_messages
        news.team_news.alert_news news.week.week_news org.retention.retention_months org.retention.purge_due
        org.retention.purge org.retention.expire_records org.binding.expire_leaver_bindings
        org.calendar_years.ensure_years
        org.calendar_years.tell_unconfirmed cycle.review.tell_hr_scored cycle.review.publish_due
        cycle.review.remind_returned cycle.outcomes.follow_republication notify.outbox.dispatch_due
        notify.outbox.queue_delivery
        notify.delivery.deliver notify.delivery.reclaim_stale notify.delivery.clear_unreachable""",
    "scoring machinery run by the clock, its jobs and HR actions that asked the policy first": """
        scoring.chunks.close_cycle scoring.chunks.chunk_ids scoring.chunks.missing_chunks
        scoring.chunks.enqueue_chunk scoring.chunks.take_lease scoring.chunks.after_chunk scoring.chunks.resume_runs
        scoring.progress.request_recompute scoring.progress.drain scoring.progress.resume scoring.progress.reconcile
        scoring.progress.refresh_open scoring.mismatches.tell_new
        scoring.progress.recompute scoring.progress.recompute_many scoring.runs.score_cycle scoring.runs.assessment_ids
        scoring.runs.start_run scoring.runs.check_scorable scoring.runs.score_chunk scoring.runs.finish_run
        scoring.runs.rescore""",
    "data from a source system or an operator's load, not a person acting in the product": """
        observations.sync.record_run observations.sync.open_restatements feedback.ratings.record_customer_rating
        calendar.load_public_holidays calendar.record_year org.catalog.load_templates""",
    "WeChat telling us of the person (a subscription or reply window granted, used, refused), not a person acting": """
        notify.quota.grant_quota notify.quota.reserve notify.quota.give_back notify.quota.exhaust
        notify.reply_window.opened notify.reply_window.left notify.reply_window.spent notify.reply_window.closed""",
    "lists the policy filters (can), so there is nothing to refuse; their tests show who sees what": """
        scoring.reading.team_view feedback.appeals.appeals_to_decide observations.corrections.corrections_to_decide
        feedback.rating_prompts.my_rating_tasks feedback.rating_prompts.open_rating_tasks""",
    "HR's review of a scored month (HR only, a leaver refused): tested in tests/app/services/cycle/test_review.py": """
        cycle.review.spread cycle.review.publish cycle.review.return_rating cycle.review.manager_ratings""",
    "the code is the authority: the person is unknown until it matches (bind), or it answers who that is": """
        org.binding.bind org.binding.employee_for""",
    "a manager's chat reply resolved to the digest line it names; the service it leads to asks the policy": """
        news.digest.resolve_line""",
    "the caller's own profile: the token or session names the person, there is no other subject": """
        org.profile.me org.profile.current_assessments org.profile.job_description""",
    "console sign-in: the password is the authority, and the rest is the person's own account": """
        org.logins.sign_in org.logins.change_password org.logins.session_version org.logins.password_problem
        org.logins.sign_out_everywhere""",
    "console accounts (another admin or the CLI) and HR's directory: tests/app/console/ walks every route": """
        org.logins.reset_password org.logins.unlock org.directory.console_logins org.directory.people
        org.directory.departments org.directory.person org.directory.positions cycle.overview.months
        cycle.overview.month cycle.outcomes.listing cycle.completeness.gaps_of org.template_edits.templates
        org.template_edits.template_view org.template_edits.preview cycle.fx_rates.listing
        notify.job_failures.listing notify.job_failures.retry notify.job_failures.discard
        notify.wechat_status.channels observations.sync.restatement_rows org.job_descriptions.view
        org.template_edits.indicators feedback.peers.peer_candidates""",
    "connectors, admin only: tests/app/connectors/test_admin_roles.py tries each role": """
        connectors.admin.save_credentials connectors.admin.status connectors.admin.map_identity
        connectors.admin.unmapped connectors.admin.sync_now connectors.admin.request_sync connectors.admin.mappings""",
    "imports, HR or an admin: tests/app/imports/test_import_roles.py tries each role": """
        imports.service.import_file imports.presets.listing imports.presets.preset imports.presets.sample
        imports.presets.save""",
    "the roster and a joiner inside it, HR only (MANAGE_PEOPLE): tests/app/imports/test_roster.py": """
        imports.roster.import_roster org.people.enter_joiner""",
    "the importer's parts: formats, shipped presets, reading a file (no person's data)": """
        imports.service.formats imports.presets.check_mapping imports.files.sha256_of imports.files.upload_folder
        imports.files.prune_uploads
        imports.files.rows_of""",
    "connector syncs, acting for nobody (the clock, or an admin's 同步 after the policy), and their parts": """
        connectors.runs.sync_now connectors.runs.enqueue_due connectors.runs.attribute connectors.runs.owners_of
        connectors.runs.keep_unmapped
        connectors.vault.seal connectors.vault.unseal connectors.vault.masked connectors.http.backoff
        connectors.http.retry_after connectors.registry.kind connectors.base.finished_report
        connectors.base.created_report_id""",
    "screenshot links: the signed link is the authority, made for one allowed viewer, checked again": """
        observations.screenshots.open_link""",
    "the bot: the sender's binding names who acts; each action is a workflow service asking the policy": """
        bot.core.receive bot.core.handle bot.core.respond bot.context.load bot.context.save news.digest.latest_sent_at
        org.binding.number_for_code""",
    "screenshot jobs and WeChat's signed verdict on one, acting for nobody": """
        observations.screenshots.request_check observations.screenshots.record_verdict observations.screenshots.read
        org.retention.expire_uploads""",
    "what a month waits for, in words (read by cycle.overview.months)": """
        cycle.overview.next_step""",
    "the month's reports, payroll file and PDFs, HR (PDFs: whoever may read the report): "
    "tests/app/reporting/test_reporting_roles.py tries each role": """
        reporting.monthly.request_build reporting.monthly.versions reporting.monthly.download
        reporting.payroll.export reporting.payroll.changes reporting.pdf.person_html reporting.pdf.person_pdf
        reporting.dashboard.dashboard reporting.audit_view.entries""",
    "the reporting machinery: the worker's build, the clock's follow-ups, reading a month (no person acting)": """
        reporting.monthly.build reporting.monthly.progress reporting.monthly.follow_new_reports
        reporting.payroll.default_cutoff reporting.payroll.tell_changes reporting.pdf.renderer
        reporting.month_book.read reporting.workbook.build reporting.dashboard.departments_in_progress
        reporting.dashboard.grade_spread reporting.dashboard.indicator_trends reporting.dashboard.recent_alerts
        reporting.dashboard.missing_today reporting.dashboard.to_decide reporting.dashboard.measures
        reporting.dashboard.participation reporting.dashboard.acceptance reporting.dashboard.verified_share
        reporting.audit_view.entity_kinds""",
}


def _public_service_functions() -> set[str]:
    """Every public function defined under app/services (named relative to it), app/connectors,
    app/imports and app/reporting (named connectors.…, imports.… and reporting.…)."""
    found = set()
    for package, prefix in ((services, "app.services."), (connectors, "app.connectors."), (imports, "app.imports."),
                            (reporting, "app.reporting.")):
        for info in pkgutil.walk_packages(package.__path__, prefix):
            module = importlib.import_module(info.name)
            found |= {f"{_short(info.name)}.{name}" for name, value in vars(module).items()
                      if not name.startswith("_") and inspect.isfunction(value) and value.__module__ == info.name}
    return found


def _short(module: str) -> str:
    return module.removeprefix("app.services.").removeprefix("app.")


def _name(function) -> str:
    return f"{_short(function.__module__)}.{function.__name__}"


def _takes_an_actor(function) -> bool:
    """Whether the service is handed who acts (an Actor, never optional: no call skips the policy)."""
    return any(p.annotation is Actor for p in inspect.signature(function, eval_str=True).parameters.values())


def test_every_public_service_function_has_a_row_or_a_reason():
    rows = {_name(function) for _, function, _, _, _ in TABLE.values()} | set(COMPANY_ACTIONS.split())
    reasons = [name for names in NOT_ACTING_FOR_A_PERSON.values() for name in names.split()]
    assert len(reasons) == len(set(reasons)) and not rows & set(reasons)
    found = _public_service_functions()
    assert sorted(found - rows - set(reasons)) == [], "a public service function without a row or a reason"
    without = sorted({_name(function) for _, function, _, _, _ in TABLE.values() if not _takes_an_actor(function)})
    assert without == [], "a service acting for a person must be handed the Actor"
    assert sorted((rows | set(reasons)) - found) == [], "a row or a reason for a function that is gone"


def test_the_table_names_only_known_roles():
    assert all(set(allowed.split()) <= set(ROLES) for _, _, _, _, allowed in TABLE.values())


@pytest.mark.parametrize("service", sorted(TABLE))
def test_each_role_is_allowed_or_refused_with_nothing_written(db_session, cast, service):
    dept, _, build, writes, roles = TABLE[service]
    allowed = {role: role in roles.split() for role in ROLES}
    outcomes_seen = {}
    for index, role in enumerate(ROLES):
        subject, acting = subject_and_actor(cast, dept, role, index)
        call = build(cast, subject, acting, index)
        if role in LEFT:
            db_session.get(Employee, acting).status = "left"
            db_session.commit()
        who = actor(acting)
        before = fingerprint(db_session)
        if allowed[role]:
            result = call(who)
            assert result is not None, (service, role)
            assert (fingerprint(db_session) != before) == writes, (service, role, "writes")
            outcomes_seen[role] = "allowed"
        else:
            with pytest.raises(ApiError) as refused:
                call(who)
            assert refused.value.status == 403, (service, role, refused.value.code, refused.value.message)
            assert fingerprint(db_session) == before, (service, role, "wrote something")
            outcomes_seen[role] = "refused"
    assert outcomes_seen == {role: "allowed" if ok else "refused" for role, ok in allowed.items()}


def test_a_managers_comment_reaches_the_employee_and_the_reply_reaches_the_manager(db_session, cast):
    member, lead = cast.member("design", 0), cast.teams["design"].lead
    entry_id = entries_with(member, "design_on_time_share", date(2026, 11, 26))[0].id
    first = comments.add_comment(actor(lead), "这张主图的配色很好", progress_entry_id=entry_id, now=NOV_NOW)
    reply = comments.add_comment(actor(member), "谢谢，明天再做两版", parent_id=first.id, now=NOV_NOW)
    messages = db_session.execute(select(OutboxMessage.recipient_id, OutboxMessage.kind, OutboxMessage.audience,
                                         OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert [(m.recipient_id, m.kind, m.audience) for m in messages] == [(member, "comment", "employee"),
                                                                         (lead, "comment", "manager")]
    assert "这张主图的配色很好" in messages[0].body and "谢谢" in messages[1].body
    assert db_session.get(Comment, reply.id).progress_entry_id == entry_id
    thread = comments.list_comments(actor(member), progress_entry_id=entry_id)
    assert [c["parent_id"] for c in thread] == [None, first.id]
    with pytest.raises(ApiError) as empty:
        comments.add_comment(actor(lead), "   ", progress_entry_id=entry_id, now=NOV_NOW)
    assert empty.value.code == "invalid_input" and "body" in empty.value.fields
