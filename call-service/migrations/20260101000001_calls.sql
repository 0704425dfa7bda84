-- Calls, their transcripts, and the dial queue (a call is its own job).

CREATE TABLE calls (
    id                   text COLLATE "C" PRIMARY KEY,     -- call_… (time-ordered)
    account_id           text COLLATE "C" NOT NULL,
    livemode             boolean NOT NULL,
    status               text NOT NULL CHECK (status IN (
                             'queued', 'ringing', 'in_progress', 'completed', 'no_answer',
                             'busy', 'voicemail', 'failed', 'canceled')),
    phone_number         text NOT NULL,                     -- E.164
    purpose              text NOT NULL,
    language             text NOT NULL,
    context              jsonb NOT NULL,
    metadata             jsonb NOT NULL,
    -- The client's Idempotency-Key: a retried create returns this call
    -- instead of dialing the customer twice.
    idempotency_key      text,
    -- From the account's plan: how many of its calls may run at once.
    max_concurrent_calls integer NOT NULL CHECK (max_concurrent_calls > 0),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    started_at           timestamptz,
    ended_at             timestamptz,
    duration_seconds     integer,
    resolution           text,
    ended_reason         text,
    summary              text,
    csat                 smallint CHECK (csat BETWEEN 1 AND 5),
    escalated            boolean NOT NULL DEFAULT false,
    cost_amount          bigint NOT NULL DEFAULT 0,
    cost_currency        text NOT NULL DEFAULT 'usd',
    -- The dial job: which instance runs the call and until when its lease
    -- holds. An instance renews its leases while it runs; if it dies, the
    -- lease expires and another instance takes the call over.
    lease_owner          text,
    lease_expires_at     timestamptz,
    attempts             integer NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX calls_idempotency ON calls (account_id, livemode, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Listing: newest first within one account and mode; filters narrow it.
CREATE INDEX calls_list ON calls (account_id, livemode, id DESC);
CREATE INDEX calls_list_phone ON calls (account_id, livemode, phone_number, id DESC);

-- The dial queue: only calls that have not ended are ever scanned.
CREATE INDEX calls_runnable ON calls (id)
    WHERE status IN ('queued', 'ringing', 'in_progress');

-- Claims look for accounts with waiting calls, then take their oldest.
CREATE INDEX calls_queued ON calls (account_id, livemode, id)
    WHERE status = 'queued' AND lease_owner IS NULL;

-- Concurrency caps count an account's calls that an instance holds.
CREATE INDEX calls_active ON calls (account_id, livemode)
    WHERE lease_owner IS NOT NULL AND status IN ('queued', 'ringing', 'in_progress');

CREATE TABLE call_turns (
    call_id         text COLLATE "C" NOT NULL REFERENCES calls (id),
    seq             integer NOT NULL,
    role            text NOT NULL CHECK (role IN ('agent', 'customer')),
    text            text NOT NULL,
    offset_seconds  double precision NOT NULL,
    PRIMARY KEY (call_id, seq)
);

-- Wake idle dialers when a call is queued (per-schema channel).
CREATE FUNCTION calls_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_calls', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER calls_notify AFTER INSERT ON calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_notify();
