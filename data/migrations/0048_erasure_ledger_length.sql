-- 0048 (outside attack 16b): the folded length of an erased name beside its hash.
-- The restore's re-erasure finds a name mentioned in free text by hashing candidate runs of Han characters
-- (kiosk.core.erasure_reapply); with the length of the longest name in the ledger it tries runs up to
-- that length and no longer (a 12-character Uyghur name is found; a ledger of 3-character names does not
-- pay for 32-character candidates). NULL on a row made before this migration (and on phones and identity
-- numbers): those are searched up to the old bound. A length is not a value: it names no one.
ALTER TABLE erasure_ledger ADD COLUMN folded_length INTEGER
    CHECK (folded_length IS NULL OR folded_length BETWEEN 1 AND 200);
