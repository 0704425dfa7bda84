-- Accounts and their API keys. The gateway owns these; the services only
-- ever see an account id and a mode.

CREATE TABLE accounts (
    id             text COLLATE "C" PRIMARY KEY,          -- acct_…
    name           text NOT NULL,
    -- starter | growth | scale | enterprise (see the gateway's plans module).
    plan           text NOT NULL CHECK (plan IN ('starter', 'growth', 'scale', 'enterprise')),
    -- Enterprise limits; NULL on other plans, which take the plan's limits.
    per_minute     integer CHECK (per_minute > 0),
    per_second     integer CHECK (per_second > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT enterprise_has_limits CHECK (
        plan <> 'enterprise' OR (per_minute IS NOT NULL AND per_second IS NOT NULL)
    )
);

CREATE UNIQUE INDEX accounts_name ON accounts (name);

CREATE TABLE api_keys (
    id           text COLLATE "C" PRIMARY KEY,            -- key_…
    account_id   text COLLATE "C" NOT NULL REFERENCES accounts (id),
    livemode     boolean NOT NULL,
    -- SHA-256 of the whole key. The key itself is shown once and never stored.
    key_hash     bytea NOT NULL UNIQUE,
    -- What a human needs to recognise the key: `barpel_sk_test_AbCd` and the
    -- last four characters.
    prefix       text NOT NULL,
    last4        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

CREATE INDEX api_keys_account ON api_keys (account_id, created_at);
