-- 0008: saved column mappings for contact-list imports (docs/web.md): a name for the
-- "field=Column,..." text an import maps CSV columns with, so a vendor's file layout is
-- written down once. Mappings belong to no list and no tenant: a layout is a file format.
CREATE TABLE list_mappings (
  name       text   PRIMARY KEY,
  mapping    text   NOT NULL,  -- "field=Column,...", as list import takes it
  changed_ms bigint NOT NULL,
  changed_by text   NOT NULL   -- the user (or "console") who saved it last
);
