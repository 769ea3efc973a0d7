"""The incident page: facts, clocks, timeline, related alerts, evidence, and the forms the
visitor may use now (posted to api.pages.incident_forms, which re-renders this page with a
refused form's message)."""

from collections import defaultdict
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.context import CitySoc
from api.deps import Soc
from api.pages.deps import PageSession, Session
from api.pages.documents import document_panel
from api.pages.rendering import agency_name, labels_for, page
from api.sessions import lang_of
from api.uploads import evidence_response
from core.access import Action, allowed
from core.alerts import Alert
from core.errors import CitySocError
from core.i18n import Lang, localized
from incidents import awareness, casework, service, timeline, workflow
from incidents.evidence import ACCEPTED
from incidents.levels import Availability, Impact, InfoClass, LevelAnswers, SystemClass
from incidents.models import CorrectedField, Incident, InvestigationReport
from incidents.sharing.outgoing import Publication
from incidents.sharing.preview import SharePreview
from incidents.sharing.tlp import Tlp
from incidents.timeline import Phrase, TimelineEntry
from incidents.workflow import Step

__all__ = ["REPORT_ITEMS", "STEP_FORMS", "incident_page", "router"]

router = APIRouter(include_in_schema=False)
_ONE = "/incidents/{incident_id}"
# The form (its action, POST) that takes each workflow step; a test checks every Step has a
# served one. The page offers exactly the forms of workflow.available_steps.
STEP_FORMS: dict[Step, str] = {
    Step.CONFIRM: f"{_ONE}/confirm",
    Step.NOTIFY: f"{_ONE}/notify",
    Step.CHANGE_LEVEL: f"{_ONE}/level",
    Step.REVIEW: f"{_ONE}/review",
    Step.FORWARD: f"{_ONE}/forward",
    Step.CONTAIN: f"{_ONE}/contained",
    Step.REPORT: f"{_ONE}/report",
    Step.CLOSE: f"{_ONE}/close",
    Step.DISMISS: f"{_ONE}/dismiss",
    Step.REOPEN: f"{_ONE}/reopen",
    Step.EDIT: f"{_ONE}/progress",  # evidence is an edit too, with its own upload form
}
RELATED_ALERTS = 100  # shown on the incident page; the API lists them all
REPORT_ITEMS = tuple(InvestigationReport.model_fields)


def _blank(values: dict[str, str]) -> defaultdict[str, str]:
    """A section's fields or messages where a missing one reads as empty: the template asks
    for every section's, and the one environment is strict about undefined names."""
    return defaultdict(str, values)


def _blank_section() -> defaultdict[str, str]:
    return _blank({})


def incident_page(
    request: Request,
    soc: CitySoc,
    session: PageSession,
    incident_id: str,
    *,
    answers: LevelAnswers | None = None,
    proposal: object = None,
    errors: dict[str, str] | None = None,
    forms: dict[str, dict[str, str]] | None = None,
    status: int = 200,
    published: Publication | None = None,
    share_preview: SharePreview | None = None,
) -> Response:
    """The incident page. ``errors`` and ``forms`` are keyed by section (notify, share,
    progress, contained, report, evidence): a refused form comes back filled in, with
    the message beside it."""
    who = session.who
    incident = service.get_incident(store=soc.store, actor=who, incident_id=incident_id)
    suggested = service.suggest_system_class(store=soc.store, incident=incident)
    forms = forms or {}
    share_form = forms.get("share") or {"tlp": Tlp.GREEN.value}
    steps = workflow.available_steps(who, incident)  # the forms offered: the workflow decides
    return page(
        request,
        "incident.html.j2",
        status=status,
        who=who,
        csrf=session.csrf,
        i=incident,
        documents=document_panel(soc, incident, lang_of(request)),
        agency=soc.registry.get(incident.organization_id),
        deadlines=service.deadlines(incident, now=soc.clock.now()),
        triage_due=service.triage_target(incident, targets=soc.settings.triage_target_minutes),
        casework=casework.case_view(soc.store, who, incident),  # _casework.html.j2
        phrases=_timeline_words(soc, incident),  # a timeline entry in the page's words
        related=_related_alerts(soc, incident.alert_ids),
        # step name -> its form's action, for the steps offered now (and no others)
        offered=_blank({s.value: STEP_FORMS[s].format(incident_id=incident.id) for s in steps}),
        evidence_hint=labels_for(request)["evidence_hint"].format(
            types=" ".join(ACCEPTED), mb=soc.settings.max_evidence_bytes // (1024 * 1024)
        ),
        answers=answers
        or incident.level_answers  # the level change starts from the answers on file
        or LevelAnswers(system_class=suggested or SystemClass.NONE),
        proposal=proposal,
        errors=_blank(errors or {}),
        form=_blank(forms.get("notify", {})),
        forms=defaultdict(_blank_section, {k: _blank(v) for k, v in forms.items()}),
        may_share=Action.SHARE in allowed(who),  # only people have sessions
        may_correct=workflow.permits(who, incident, Step.EDIT, awareness.CORRECTION_RIGHT),
        corrected_fields=list(CorrectedField),
        published=published,
        share_preview=share_preview,
        published_tlp=Tlp(share_form["tlp"]).label if published else "",
        share_form=_blank(share_form),
        tlps=[m for m in Tlp if m is not Tlp.RED],
        report_items=REPORT_ITEMS,
        choices={
            "info_class": list(InfoClass),
            "leak": list(Impact),
            "tamper": list(Impact),
            "system_class": list(SystemClass),
            "availability": list(Availability),
        },
    )


def _related_alerts(soc: CitySoc, alert_ids: list[str]) -> list[Alert]:
    found = []
    for alert_id in alert_ids[:RELATED_ALERTS]:
        try:
            found.append(soc.store.alerts.get(alert_id))
        except CitySocError:
            continue  # an alert id kept on the incident after its alert expired
    return found


@router.get("/incidents/{incident_id}")
def incident_view(incident_id: str, request: Request, soc: Soc, session: Session) -> Response:
    return incident_page(request, soc, session, incident_id)


@router.get("/incidents/{incident_id}/evidence/{sha256}")
def download_evidence(incident_id: str, sha256: str, soc: Soc, session: Session) -> Response:
    return evidence_response(*soc.evidence_file(session.who, incident_id, sha256))


def _timeline_words(
    soc: CitySoc, incident: Incident
) -> Callable[[TimelineEntry, Lang], list[Phrase]]:
    """``timeline.phrases`` with the names the page knows: agencies and the case's tasks."""
    titles = {t.id: (t.title_zh, t.title_en) for t in incident.tasks}

    def said(entry: TimelineEntry, lang: Lang) -> list[Phrase]:
        return timeline.phrases(
            entry,
            lang,
            agency=lambda code: agency_name(soc, code, lang),
            task=lambda task_id: localized(titles[task_id], lang) if task_id in titles else task_id,
        )

    return said
