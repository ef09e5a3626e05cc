"""Device status texts for the status bar (imported by desk.kv)."""
from __future__ import annotations

# What the status bar shows for each device state (msgids).
STATE_TEXT = {
    "connected": "connected", "ok": "ready", "reconnecting": "reconnecting", "error": "error",
    "simulated": "simulated", "virtual": "virtual", "offline": "offline", "paper_out": "out of paper",
    "off": "off",
}
STATE_OK = {"connected", "ok", "simulated", "virtual"}


def state_text(app, device: str, state: str, lang: str) -> str:
    """Status bar text for one device, e.g. "Printer: offline (2 queued)"."""
    label = app.tr("Phone", lang) if device == "phone" else app.tr("Printer", lang)
    text = f"{label}: {app.tr(STATE_TEXT.get(state, state), lang)}"
    if device == "printer" and app.printer_queued:
        text += " " + app.tr("({n} queued)", lang).format(n=app.printer_queued)
    return text
