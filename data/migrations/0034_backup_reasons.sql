-- 0034: why a backup attempt failed, as its sentence's msgid and values ({"msgid": ..., "params": {...},
-- "translated": [names of params that are msgids themselves]}), so the manager's screen says it in the
-- screen's language; `error` keeps the English text for the log. Every attempt is a row, the refused
-- ones too (no folder configured, a read-only or full stick, a missing share).
ALTER TABLE backups ADD COLUMN reason TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(reason));
