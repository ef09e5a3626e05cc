"""Privacy beyond the live database: one person's erasure carried into every backup the kiosk keeps
(kiosk.privacy.backups) and into the export files in the export folder (kiosk.privacy.exports).

Both read the same inventory and erasure code as the live database (kiosk.core.erasure); neither
imports an area. Used by the CLI (`kiosk privacy find|erase`)."""
