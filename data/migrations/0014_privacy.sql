-- Privacy (issue 16): the deny list also matches an identity document, stored masked like a visit's
-- (resident ID first 6 + last 4, others last 4) so a match compares masks and no full number is kept.
ALTER TABLE deny_list ADD COLUMN id_number TEXT NOT NULL DEFAULT '';
