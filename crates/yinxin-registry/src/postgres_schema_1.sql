-- yinxin registry schema, version 1 (PostgreSQL). Times are Unix seconds, statuses the status
-- list values (0 valid, 1 invalid, 2 suspended), as in the SQLite registry.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE status_lists (
    id BIGINT PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    bits SMALLINT NOT NULL,
    size BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    closed BOOLEAN NOT NULL DEFAULT false
);
CREATE TABLE licenses (
    identifier TEXT PRIMARY KEY,
    holder_code TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    list_id BIGINT NOT NULL REFERENCES status_lists(id),
    idx BIGINT NOT NULL,
    status SMALLINT NOT NULL,
    issued_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Issuance order (from licenses_issue_order, in the order of each batch's records).
    seq BIGINT NOT NULL,
    UNIQUE (list_id, idx)
);
CREATE SEQUENCE licenses_issue_order;
CREATE INDEX licenses_status ON licenses (list_id, status) WHERE status <> 0;
CREATE INDEX licenses_seq ON licenses (seq);
CREATE TABLE audit (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    identifier TEXT NOT NULL REFERENCES licenses(identifier),
    old_status SMALLINT,
    new_status SMALLINT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX audit_identifier ON audit (identifier);
CREATE FUNCTION yinxin_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END $$;
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION yinxin_refuse('the audit log is append-only');
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION yinxin_refuse('the audit log is append-only');
CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION yinxin_refuse('the audit log is append-only');
CREATE TRIGGER licenses_never_deleted BEFORE DELETE ON licenses
    FOR EACH ROW EXECUTE FUNCTION yinxin_refuse('licenses are never deleted');
