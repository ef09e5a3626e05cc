"""Device status texts for the status bar (imported by desk.kv)."""
from __future__ import annotations

# What the status bar shows for each device state (msgids).
STATE_TEXT = {
    "connected": "connected", "ok": "ready", "reconnecting": "reconnecting", "error": "error",
    "simulated": "simulated", "virtual": "virtual", "offline": "offline", "paper_out": "out of paper",
    "off": "off", "cover_open": "cover open", "paper_low": "paper nearly out", "deaf": "not answering",
}
STATE_OK = {"connected", "ok", "simulated", "virtual", "paper_low"}


def state_text(app, device: str, state: str, lang: str) -> str:
    """Status bar text for one device, e.g. "Printer: offline (2 queued)"."""
    label = app.tr("Phone", lang) if device == "phone" else app.tr("Printer", lang)
    text = f"{label}: {app.tr(STATE_TEXT.get(state, state), lang)}"
    reason = getattr(app, "printer_reason", "") if device == "printer" else ""
    if reason and state == "error":
        text += " — " + app.tr(reason, lang)
    if device == "printer" and app.printer_queued:
        text += " " + app.tr("({n} queued)", lang).format(n=app.printer_queued)
    if device == "printer" and getattr(app, "printer_attention", 0):
        text += " " + app.tr("({n} need attention)", lang).format(n=app.printer_attention)
    return text


def _(msgid: str) -> str:
    """Marks a msgid for the catalogue check; translated where it is shown."""
    return msgid


# Supervised workers (kiosk.core.supervisor names) as staff know them.
WORKER_NAMES = {
    "printer": _("Printing"), "phone.reader": _("Phone reader"), "phone.tracker": _("Call tracker"),
    "jobs": _("Background jobs"), "housekeeping": _("Housekeeping"),
}
WORKER_RESTARTING = _("{worker}: restarting")
WORKER_RESTARTED = _("{worker}: restarted ({n}×)")


def worker_text(app, name: str, state: str, restarts: int, lang: str) -> str:
    """Status bar (and toast) text for a worker that died: "Printing: restarting"."""
    if not name:
        return ""
    worker = app.tr(WORKER_NAMES.get(name, name), lang)
    if state == "restarting":
        return app.tr(WORKER_RESTARTING, lang).format(worker=worker)
    return app.tr(WORKER_RESTARTED, lang).format(worker=worker, n=restarts)
