-- 0011 (PostgreSQL): draft revisions, so that the editor refuses a change made on a
-- view of the draft that someone else has changed since.
--
-- draft_revision counts the changes to what the editor shows of a
-- blueprint: every draft write, discard and commit, and a new version
-- while there is no draft. It lives on the blueprint rather than on the
-- draft row so that it goes on counting across discards and commits: a
-- form from before a discard never matches a later draft.
--
-- draft_writer names who made the last draft write (a digest the editor
-- derives from the author's session, never a token), and
-- draft_writer_base the revision since which every draft write was
-- theirs. An author whose form shows any revision from draft_writer_base
-- on has seen everything but their own later writes, whose answers htmx
-- may have dropped, and may write again (store.DraftHead.Admits).
ALTER TABLE blueprints ADD COLUMN draft_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE blueprints ADD COLUMN draft_writer TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE blueprints ADD COLUMN draft_writer_base BIGINT NOT NULL DEFAULT 0;
