-- How many of an account's calls (per mode) may run at once. NULL takes the
-- plan's default (see the gateway's plans module); set it to give one
-- account more or fewer lines.
ALTER TABLE accounts ADD COLUMN max_concurrent_calls integer CHECK (max_concurrent_calls > 0);
