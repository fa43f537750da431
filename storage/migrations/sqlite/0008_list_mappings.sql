-- 0008: saved column mappings for contact-list imports (docs/web.md): a name for the
-- "field=Column,..." text an import maps CSV columns with, so a vendor's file layout is
-- written down once. Mappings belong to no list and no tenant: a layout is a file format.
CREATE TABLE list_mappings (
  name       TEXT    PRIMARY KEY,
  mapping    TEXT    NOT NULL,  -- "field=Column,...", as list import takes it
  changed_ms INTEGER NOT NULL,
  changed_by TEXT    NOT NULL   -- the user (or "console") who saved it last
);
