-- The transactional outbox, created in every service's own schema.
--
-- A service writes an event here in the same transaction as the state change
-- it describes; the relay publishes it to JetStream and only then sets
-- `sent_at`. Rows are claimed with FOR UPDATE SKIP LOCKED, so several
-- replicas can relay at once without publishing a row twice.
CREATE TABLE outbox (
    seq          bigserial PRIMARY KEY,
    -- `evt_…`; also the Nats-Msg-Id JetStream dedupes on.
    event_id     text COLLATE "C" NOT NULL UNIQUE,
    event_type   text NOT NULL,
    -- The protobuf-encoded barpel.events.v1.Event.
    payload      bytea NOT NULL,
    -- W3C traceparent of the transaction that wrote the event ('' if none).
    traceparent  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz
);

-- The relay only ever scans unsent rows, oldest first.
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

-- Wake the relay at commit instead of waiting for its next poll. The channel
-- is per schema, so services (and tests) sharing a database do not wake each
-- other.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
