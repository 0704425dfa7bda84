//! Runs one call from dial to hang-up: rings through the telephony trait,
//! holds the conversation the playbook leads, writes every turn as it is
//! spoken and every status change (with its event) as it happens, all
//! under the dialer's lease.

use crate::{
    agent::{
        AgentLine, Outcome, Playbook,
        facts::{Facts, OrderLookup},
        nlu::LanguageModel,
        packs::pack,
        summary::summarize,
    },
    call::{Call, Purpose, Resolution, Role, Status, Turn},
    language::lang,
    orders::OrderBook,
    store::{Change, Lease, Store, elapsed},
    telephony::{Dial, Dialed, Line, Telephony},
};
use barpel_platform::{ErrorKind, ServiceError};
use chrono::Utc;
use std::{future::Future, sync::Arc, time::Duration};

/// Everything a call needs to run.
pub struct Runner {
    pub store: Store,
    /// Test mode's telephony (the simulator).
    pub simulator: Arc<dyn Telephony>,
    pub model: Arc<dyn LanguageModel>,
    pub orders: Arc<dyn OrderBook>,
    /// Live-mode price per started minute, in cents.
    pub price_per_minute: i64,
}

type Step<T> = Result<T, StepError>;

/// Why a runner stops early.
enum StepError {
    /// The call was canceled or taken over by another instance.
    Lost,
    Failed(ServiceError),
}

impl From<ServiceError> for StepError {
    fn from(e: ServiceError) -> Self {
        StepError::Failed(e)
    }
}

impl Runner {
    /// Runs a claimed call. A fresh call is dialed; one whose previous
    /// holder died mid-call is ended as `interrupted`.
    pub async fn run(&self, lease: Lease, claimed: Status) {
        let result = if claimed == Status::Queued {
            self.place(&lease).await
        } else {
            self.interrupt(&lease).await
        };
        if let Err(StepError::Failed(e)) = result {
            // The lease lapses and another instance (or this one) ends the
            // call as interrupted.
            tracing::warn!(call = %lease.call_id, error = %e, "call runner failed");
        }
    }

    async fn place(&self, lease: &Lease) -> Step<()> {
        let Some(call) = retry(|| self.store.by_id(&lease.call_id)).await? else {
            return Ok(());
        };
        let mut facts = Facts::from_context(&call.context);
        if call.purpose == Purpose::OrderStatus {
            facts.order = Some(self.look_up_order(&call, &facts).await);
        }
        self.change(
            lease,
            Change {
                status: Some(Status::Ringing),
                ..Change::default()
            },
        )
        .await?;
        let dial = Dial {
            call_id: call.id.clone(),
            to: call.phone_number.clone(),
            lang: lang(&call.language),
            purpose: call.purpose,
        };
        match self.simulator.dial(dial).await {
            Dialed::NoAnswer => self.unanswered(lease, Status::NoAnswer, "no_answer").await,
            Dialed::Busy => self.unanswered(lease, Status::Busy, "busy").await,
            Dialed::Failed { reason } => self.unanswered(lease, Status::Failed, &reason).await,
            Dialed::Voicemail(line) => self.voicemail(lease, &call, &facts, line).await,
            Dialed::Human(line) => self.converse(lease, &call, &facts, line).await,
        }
    }

    async fn look_up_order(&self, call: &Call, facts: &Facts) -> OrderLookup {
        let number = facts.order_number.as_deref();
        let email = facts.email.as_deref();
        let mut delay = Duration::from_millis(200);
        for _ in 0..3 {
            match self
                .orders
                .lookup(&call.account_id, call.livemode, number, email)
                .await
            {
                Ok(found) => return found,
                Err(e) => {
                    tracing::warn!(call = %call.id, error = %e, "order lookup failed; retrying")
                }
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
        let query = number
            .map(|n| format!("#{n}"))
            .or(facts.email.clone())
            .unwrap_or_default();
        OrderLookup::NotFound { query }
    }

    async fn unanswered(&self, lease: &Lease, status: Status, reason: &str) -> Step<()> {
        let change = Change {
            status: Some(status),
            ended_at: Some(Utc::now()),
            duration_seconds: Some(0),
            resolution: Some(Resolution::Unreachable),
            ended_reason: Some(reason.to_owned()),
            ..Change::default()
        };
        self.change(lease, change).await.map(drop)
    }

    async fn voicemail(
        &self,
        lease: &Lease,
        call: &Call,
        facts: &Facts,
        mut line: Box<dyn Line>,
    ) -> Step<()> {
        let pack = pack(lang(&call.language));
        let mut playbook = Playbook::new(call.purpose, pack, facts);
        let message = playbook.voicemail();
        self.change(
            lease,
            Change {
                started_at: Some(Utc::now()),
                ..Change::default()
            },
        )
        .await?;
        self.turn(lease, 0, Role::Agent, &message.text, 0.0).await?;
        let seconds = line.say(&message).await;
        let outcome = playbook.outcome();
        let change = Change {
            status: Some(Status::Voicemail),
            ended_reason: Some("voicemail".into()),
            ..self.ending(call, facts, &outcome, seconds)
        };
        self.change(lease, change).await.map(drop)
    }

    async fn converse(
        &self,
        lease: &Lease,
        call: &Call,
        facts: &Facts,
        mut line: Box<dyn Line>,
    ) -> Step<()> {
        let answered = Change {
            status: Some(Status::InProgress),
            started_at: Some(Utc::now()),
            ..Change::default()
        };
        self.change(lease, answered).await?;
        let language = lang(&call.language);
        let mut playbook = Playbook::new(call.purpose, pack(language), facts);
        let (mut clock, mut seq, mut hung_up) = (0.0, 0, false);
        // The customer picks up with a "Hello?"; the agent answers it.
        if let Some(hello) = line.listen().await {
            clock += hello.pause;
            self.turn(lease, seq, Role::Customer, &hello.text, clock)
                .await?;
            seq += 1;
            clock += hello.seconds;
        }
        let mut next: AgentLine = playbook.opening();
        loop {
            self.turn(lease, seq, Role::Agent, &next.text, clock)
                .await?;
            seq += 1;
            clock += line.say(&next).await;
            let Some(expect) = next.expect else { break };
            let Some(heard) = line.listen().await else {
                hung_up = true;
                break;
            };
            clock += heard.pause;
            self.turn(lease, seq, Role::Customer, &heard.text, clock)
                .await?;
            seq += 1;
            clock += heard.seconds;
            let intent = self.model.understand(language, &heard.text, expect);
            let was_escalated = playbook.outcome().escalated;
            next = playbook.reply(intent);
            if playbook.outcome().escalated && !was_escalated {
                let escalation = Change {
                    escalated: Some(true),
                    extra_event: Some("escalation.created"),
                    ..Change::default()
                };
                self.change(lease, escalation).await?;
            }
        }
        let outcome = playbook.outcome();
        let reason = match (hung_up, outcome.escalated) {
            (true, _) => "customer_hung_up",
            (false, true) => "transferred_to_human",
            (false, false) => "completed",
        };
        let change = Change {
            status: Some(Status::Completed),
            ended_reason: Some(reason.into()),
            ..self.ending(call, facts, &outcome, clock)
        };
        self.change(lease, change).await.map(drop)
    }

    /// Ends a call whose previous holder died: the line is gone.
    async fn interrupt(&self, lease: &Lease) -> Step<()> {
        let Some(call) = retry(|| self.store.by_id(&lease.call_id)).await? else {
            return Ok(());
        };
        let facts = Facts::from_context(&call.context);
        let connected = call.status == Status::InProgress;
        let outcome = Outcome {
            resolution: if connected {
                Resolution::Unresolved
            } else {
                Resolution::Unreachable
            },
            csat: None,
            escalated: call.escalated,
        };
        let now = Utc::now();
        let change = Change {
            status: Some(Status::Failed),
            ended_reason: Some("interrupted".into()),
            summary: Some(summarize(
                call.purpose,
                pack(lang(&call.language)),
                &facts,
                &outcome,
                true,
            )),
            ended_at: Some(now),
            duration_seconds: Some(elapsed(call.started_at, now)),
            resolution: Some(outcome.resolution),
            ..Change::default()
        };
        self.change(lease, change).await.map(drop)
    }

    /// The fields every ending shares.
    fn ending(&self, call: &Call, facts: &Facts, outcome: &Outcome, seconds: f64) -> Change {
        let duration = seconds.round().max(0.0) as u32;
        let cost = if call.livemode {
            i64::from(duration.div_ceil(60)) * self.price_per_minute
        } else {
            0
        };
        Change {
            ended_at: Some(Utc::now()),
            duration_seconds: Some(duration),
            resolution: Some(outcome.resolution),
            csat: outcome.csat,
            escalated: Some(outcome.escalated),
            summary: Some(summarize(
                call.purpose,
                pack(lang(&call.language)),
                facts,
                outcome,
                false,
            )),
            cost_amount: Some(cost),
            ..Change::default()
        }
    }

    async fn change(&self, lease: &Lease, change: Change) -> Step<Call> {
        match retry(|| self.store.change(lease, &change)).await? {
            Some(call) => Ok(call),
            None => Err(StepError::Lost),
        }
    }

    async fn turn(
        &self,
        lease: &Lease,
        seq: usize,
        role: Role,
        text: &str,
        offset: f64,
    ) -> Step<()> {
        let turn = Turn {
            role,
            text: text.to_owned(),
            offset_seconds: (offset * 10.0).round() / 10.0,
        };
        let kept = retry(|| async { Ok(self.store.append_turn(lease, seq, &turn).await?) }).await?;
        if kept { Ok(()) } else { Err(StepError::Lost) }
    }
}

/// Retries database hiccups (pool exhausted, connection lost) with
/// backoff for about half a minute; other errors return at once.
async fn retry<T, F, Fut>(mut op: F) -> Result<T, ServiceError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    let mut delay = Duration::from_millis(50);
    for _ in 0..9 {
        match op().await {
            Err(e) if e.kind == ErrorKind::Unavailable => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            other => return other,
        }
    }
    op().await
}
