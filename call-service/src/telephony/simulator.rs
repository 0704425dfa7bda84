//! The built-in simulator: a simulated network and a simulated customer.
//! The number decides the outcome (the magic test numbers of the README);
//! any other number reaches a cooperative customer who holds a full
//! conversation. Conversation time is real-looking seconds, slept at
//! `speed` times real time.

use super::{Dial, Dialed, Heard, Line, Telephony};
use crate::{
    agent::{Act, AgentLine, packs::pack},
    call::Purpose,
    language::Lang,
};
use futures::{FutureExt, future::BoxFuture};
use std::time::Duration;

/// What the simulated world does with a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    NoAnswer,
    Busy,
    Voicemail,
    /// Answers, then asks for a human.
    Escalate,
    /// Answers, then declines.
    Decline,
    CarrierFailure,
    /// Answers and agrees; rates the call 4 or 5.
    Cooperative,
}

impl Scenario {
    /// The magic test numbers.
    pub fn for_number(e164: &str) -> Self {
        match e164 {
            "+15005550001" => Scenario::NoAnswer,
            "+15005550002" => Scenario::Busy,
            "+15005550003" => Scenario::Voicemail,
            "+15005550004" => Scenario::Escalate,
            "+15005550005" => Scenario::Decline,
            "+15005550006" => Scenario::CarrierFailure,
            _ => Scenario::Cooperative,
        }
    }
}

/// Simulated telephony; `speed` simulated seconds pass per real second.
#[derive(Debug, Clone, Copy)]
pub struct Simulator {
    pub speed: f64,
}

impl Telephony for Simulator {
    fn dial(&self, dial: Dial) -> BoxFuture<'static, Dialed> {
        let speed = self.speed;
        async move {
            let seed = seed(&dial.call_id);
            let scenario = Scenario::for_number(&dial.to);
            let ring = match scenario {
                Scenario::NoAnswer => 30.0,
                Scenario::Busy => 2.0,
                Scenario::CarrierFailure => 1.0,
                Scenario::Voicemail => 20.0,
                _ => 3.0 + (seed % 9) as f64,
            };
            pass(ring, speed).await;
            let line = || -> Box<dyn Line> {
                Box::new(SimulatedLine {
                    scenario,
                    purpose: dial.purpose,
                    lang: dial.lang,
                    speed,
                    seed,
                    last_act: None,
                })
            };
            match scenario {
                Scenario::NoAnswer => Dialed::NoAnswer,
                Scenario::Busy => Dialed::Busy,
                Scenario::CarrierFailure => Dialed::Failed {
                    reason: "carrier_failure".into(),
                },
                Scenario::Voicemail => {
                    pass(6.0, speed).await; // the voicemail greeting and beep
                    Dialed::Voicemail(line())
                }
                _ => Dialed::Human(line()),
            }
        }
        .boxed()
    }
}

/// The simulated customer at the other end.
struct SimulatedLine {
    scenario: Scenario,
    purpose: Purpose,
    lang: Lang,
    speed: f64,
    seed: u64,
    last_act: Option<Act>,
}

impl Line for SimulatedLine {
    fn say<'a>(&'a mut self, line: &'a AgentLine) -> BoxFuture<'a, f64> {
        self.last_act = Some(line.act);
        let seconds = speaking_time(&line.text, 2.6);
        let speed = self.speed;
        async move {
            pass(seconds, speed).await;
            seconds
        }
        .boxed()
    }

    fn listen(&mut self) -> BoxFuture<'_, Option<Heard>> {
        let reply = self.reply();
        let pause = 0.6 + (self.seed % 7) as f64 / 10.0;
        let speed = self.speed;
        async move {
            let text = reply?;
            let seconds = speaking_time(&text, 2.8);
            pass(pause + seconds, speed).await;
            Some(Heard {
                text,
                pause,
                seconds,
            })
        }
        .boxed()
    }
}

impl SimulatedLine {
    /// What the customer says to the agent's last line (`None`: hangs up).
    fn reply(&self) -> Option<String> {
        let c = &pack(self.lang).customer;
        let Some(act) = self.last_act else {
            return Some(c.hello.to_owned());
        };
        let text = match (act, self.scenario) {
            (Act::Voicemail | Act::Escalate | Act::Goodbye, _) => return None,
            (Act::Opening | Act::Unclear, Scenario::Escalate) => c.ask_for_human,
            (Act::Opening | Act::Unclear, Scenario::Decline) => c.decline,
            (Act::Opening | Act::Unclear, _) => match self.purpose {
                Purpose::CartRecovery => c.agree_cart,
                Purpose::OrderStatus => c.agree_order,
                Purpose::FollowUp => c.agree_follow_up,
                Purpose::Notification => c.agree_notification,
            },
            (Act::AskCsat, scenario) => {
                let score = match scenario {
                    Scenario::Decline => 3,
                    _ => 4 + self.seed % 2,
                };
                return Some(c.rating.replace("{score}", &score.to_string()));
            }
            (Act::Assist | Act::Decline | Act::Callback, _) => c.thanks,
        };
        Some(text.to_owned())
    }
}

/// Seconds to say `text` at `words_per_second`, plus a breath.
fn speaking_time(text: &str, words_per_second: f64) -> f64 {
    let words = text.split_whitespace().count().max(1) as f64;
    (words / words_per_second + 0.4).min(60.0)
}

/// Lets `seconds` of conversation time pass.
async fn pass(seconds: f64, speed: f64) {
    tokio::time::sleep(Duration::from_secs_f64((seconds / speed).max(0.0))).await;
}

/// A stable per-call number, so a call's timings are repeatable.
fn seed(call_id: &str) -> u64 {
    call_id.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}
