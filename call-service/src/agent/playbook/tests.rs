//! The playbooks' conversations, line by line.
use super::*;
use crate::{agent::packs::pack, language::Lang};

fn cart_facts() -> Facts {
    Facts {
        customer_name: Some("Sarah".into()),
        cart_items: vec!["Blue Running Shoes".into(), "White T-Shirt".into()],
        cart_value: Some(89.99),
        currency: "usd".into(),
        ..Facts::default()
    }
}

#[test]
fn cart_recovery_names_items_value_and_offers_help() {
    let facts = cart_facts();
    let mut playbook = Playbook::new(Purpose::CartRecovery, pack(Lang::En), &facts);
    let opening = playbook.opening().text;
    assert!(opening.starts_with("Hi Sarah, this is Ava"), "{opening}");
    assert!(
        opening.contains("Blue Running Shoes and White T-Shirt"),
        "{opening}"
    );
    assert!(opening.contains("$89.99"), "{opening}");
    assert!(opening.contains("complete your checkout"), "{opening}");
    assert_eq!(playbook.reply(Intent::Yes).act, Act::Assist);
    assert_eq!(playbook.reply(Intent::Yes).act, Act::AskCsat);
    let bye = playbook.reply(Intent::Rating(5));
    assert_eq!((bye.act, bye.expect), (Act::Goodbye, None));
    assert_eq!(
        playbook.outcome(),
        Outcome {
            resolution: Resolution::Resolved,
            csat: Some(5),
            escalated: false
        }
    );
}

#[test]
fn asking_for_a_human_escalates_and_ends() {
    let facts = cart_facts();
    let mut playbook = Playbook::new(Purpose::CartRecovery, pack(Lang::En), &facts);
    playbook.opening();
    let line = playbook.reply(Intent::Human);
    assert_eq!((line.act, line.expect), (Act::Escalate, None));
    assert!(playbook.outcome().escalated);
    assert_eq!(playbook.outcome().resolution, Resolution::Escalated);
}

#[test]
fn being_misunderstood_twice_escalates() {
    let facts = cart_facts();
    let mut playbook = Playbook::new(Purpose::CartRecovery, pack(Lang::En), &facts);
    playbook.opening();
    assert_eq!(playbook.reply(Intent::Unclear).act, Act::Unclear);
    let line = playbook.reply(Intent::Unclear);
    assert_eq!((line.act, line.expect), (Act::Escalate, None));
    assert!(playbook.outcome().escalated);
}

#[test]
fn declines_and_unclear_replies_end_unresolved() {
    let facts = cart_facts();
    let mut playbook = Playbook::new(Purpose::CartRecovery, pack(Lang::En), &facts);
    playbook.opening();
    assert_eq!(playbook.reply(Intent::Unclear).act, Act::Unclear);
    assert_eq!(playbook.reply(Intent::No).act, Act::Decline);
    assert_eq!(playbook.reply(Intent::Yes).act, Act::AskCsat);
    assert_eq!(playbook.reply(Intent::Unclear).act, Act::Goodbye);
    assert_eq!(playbook.outcome().resolution, Resolution::Unresolved);
    assert_eq!(playbook.outcome().csat, None);
}

#[test]
fn order_status_reads_the_order_or_says_it_is_missing() {
    let mut facts = Facts::default();
    facts.order = Some(OrderLookup::Found(crate::agent::facts::OrderFacts {
        number: "1001".into(),
        status: 3,
        carrier: Some("UPS".into()),
        tracking_number: Some("1Z999".into()),
        estimated_delivery: Some("2026-03-18".into()),
    }));
    let opening = Playbook::new(Purpose::OrderStatus, pack(Lang::En), &facts)
        .opening()
        .text;
    assert!(opening.contains("order 1001"), "{opening}");
    assert!(opening.contains("shipped"), "{opening}");
    assert!(
        opening.contains("UPS, tracking number 1Z999, expected on 2026-03-18."),
        "{opening}"
    );

    facts.order = Some(OrderLookup::NotFound {
        query: "#4242".into(),
    });
    let mut playbook = Playbook::new(Purpose::OrderStatus, pack(Lang::En), &facts);
    let opening = playbook.opening().text;
    assert!(opening.contains("couldn't find it"), "{opening}");
    assert_eq!(playbook.reply(Intent::Yes).act, Act::AskCsat);
    assert_eq!(playbook.outcome().resolution, Resolution::Unresolved);
}

#[test]
fn notifications_are_read_verbatim() {
    let facts = Facts {
        message: Some("Your store credit of $20 expires on Friday.".into()),
        ..Facts::default()
    };
    let opening = Playbook::new(Purpose::Notification, pack(Lang::En), &facts)
        .opening()
        .text;
    assert!(
        opening.contains("Your store credit of $20 expires on Friday."),
        "{opening}"
    );
    assert!(opening.contains("confirm"), "{opening}");
}
