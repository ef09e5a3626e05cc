-- The backups record table (0019) and the uid-shape checks (0023) were built side by side: backups gets
-- its <table>_uid_shape_insert trigger here, like every other record table.
CREATE TRIGGER backups_uid_shape_insert BEFORE INSERT ON backups WHEN NOT (new.uid GLOB '????????-????-7???-[89ab]???-????????????' AND new.uid NOT GLOB '*[^0-9a-f-]*' AND length(replace(new.uid, '-', '')) = 32) BEGIN SELECT RAISE(ABORT, 'backups.uid is not a UUIDv7'); END;
