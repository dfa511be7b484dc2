//! Survey invitations in the store: queued by a live solve (never by an
//! import), cancelled by a reopen, leased to one sender and recorded sent
//! once, answered by token hash with a later answer replacing the earlier
//! one, and listed within the caller's reach.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use chrono::TimeDelta;
use common::{from_customer, new_ticket, stored_facts, t, tags};
use helpdesk_domain::DomainError;
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::survey::InvitationState;
use helpdesk_domain::ticket::{Actor, Channel, Priority, Survey, TicketStatus};
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::surveys::{InvitationDelivery, SentInvitation, SurveyResponseFilter};
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{NewTicket, TicketChanges};
use helpdesk_persistence::{Store, StoreError, each_store};

fn to(status: TicketStatus) -> TicketChanges {
    TicketChanges {
        status: Some(status),
        ..TicketChanges::default()
    }
}

fn mail(to: &str) -> InvitationDelivery {
    InvitationDelivery::Mail(NewOutboxMail {
        kind: OutboxKind::SurveyInvitation,
        to: to.to_owned(),
        subject: "How did we do?".to_owned(),
        body: "links".to_owned(),
        rfc_message_id: format!("{}@desk.example", uuid::Uuid::now_v7().simple()),
        in_reply_to: None,
        references: Vec::new(),
    })
}

/// Creates a ticket from `ticket`, solves it at minute 10, sends its
/// invitation at minute 11 with the token hash `hash`; returns its id.
async fn solved_and_sent(store: &Store, ticket: NewTicket, hash: &str) -> helpdesk_domain::ids::TicketId {
    let created = store.create_ticket(ticket, Actor::System, t(0)).await.unwrap();
    store
        .update_ticket(created.id, to(TicketStatus::Solved), Actor::System, t(10))
        .await
        .unwrap();
    let due = store
        .lease_due_invitations(t(11), 10, TimeDelta::minutes(2))
        .await
        .unwrap();
    let invitation = due.iter().find(|i| i.ticket_id == created.id).unwrap();
    let sent = SentInvitation {
        token_hash: hash.to_owned(),
        expires_at: t(11) + TimeDelta::days(30),
        delivery: mail("ana@example.com"),
    };
    assert!(store.record_invitation_sent(invitation.id, sent, t(11)).await.unwrap());
    created.id
}

async fn a_live_solve_queues_one_invitation_and_an_import_none(db: TestDb) {
    let store = &db.store;
    let ticket = store
        .create_ticket(new_ticket("Printer", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    store
        .update_ticket(ticket.id, to(TicketStatus::Solved), Actor::System, t(10))
        .await
        .unwrap();
    let queued = store.survey_invitations_of_tickets(&[ticket.id]).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].survey, queued[0].state),
        (Survey::Csat, InvitationState::Queued)
    );
    assert_eq!(queued[0].due_at, t(10), "no delay by default");
    assert_eq!(queued[0].customer_id, ticket.customer_id);

    // Closing the solved ticket is not another solve.
    store
        .update_ticket(ticket.id, to(TicketStatus::Closed), Actor::System, t(20))
        .await
        .unwrap();
    assert_eq!(
        store.survey_invitations_of_tickets(&[ticket.id]).await.unwrap().len(),
        1
    );

    let imported = ImportedTicket {
        external_id: "T-1".into(),
        subject: "Old".into(),
        channel: Channel::Email,
        priority: Priority::Normal,
        customer_email: common::email("bo@example.com"),
        customer_name: None,
        tags: tags(&[]),
        created_at: t(0),
        fcr_eligible: true,
        events: vec![
            ImportedEvent {
                at: t(0),
                kind: ImportedKind::Message {
                    author: ImportedAuthor::Customer,
                    body: "Hello".into(),
                },
            },
            ImportedEvent {
                at: t(5),
                kind: ImportedKind::Status(TicketStatus::Solved),
            },
        ],
    };
    store.import_tickets(&[imported], t(30)).await.unwrap();
    let due = store
        .lease_due_invitations(t(60), 10, TimeDelta::minutes(2))
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "only the live solve's invitation: {due:?}");
    assert_eq!(due[0].ticket_id, ticket.id);
}

async fn a_reopen_before_sending_cancels_and_a_lease_goes_to_one_sender(db: TestDb) {
    let store = &db.store;
    let ticket = store
        .create_ticket(new_ticket("VPN", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    store
        .update_ticket(ticket.id, to(TicketStatus::Solved), Actor::System, t(10))
        .await
        .unwrap();
    // The customer writes again: the ticket reopens, the invitation goes.
    store
        .add_message(ticket.id, from_customer("Still broken"), t(11))
        .await
        .unwrap();
    let cancelled = store.survey_invitations_of_tickets(&[ticket.id]).await.unwrap();
    assert_eq!(cancelled[0].state, InvitationState::Cancelled);
    assert!(
        store
            .lease_due_invitations(t(20), 10, TimeDelta::minutes(2))
            .await
            .unwrap()
            .is_empty()
    );

    // Solved again: one invitation, leased to the first sender only.
    store
        .update_ticket(ticket.id, to(TicketStatus::Solved), Actor::System, t(30))
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        store.lease_due_invitations(t(31), 10, TimeDelta::minutes(2)),
        store.lease_due_invitations(t(31), 10, TimeDelta::minutes(2)),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 1, "leased once: {a:?} {b:?}");
    let leased = a.into_iter().chain(b).next().unwrap();
    let sent = |hash: &str| SentInvitation {
        token_hash: hash.to_owned(),
        expires_at: t(31) + TimeDelta::days(30),
        delivery: mail("ana@example.com"),
    };
    assert!(
        store
            .record_invitation_sent(leased.id, sent("h1"), t(31))
            .await
            .unwrap()
    );
    // A sender whose lease ran out cannot send it again.
    assert!(
        !store
            .record_invitation_sent(leased.id, sent("h2"), t(40))
            .await
            .unwrap()
    );
    assert_eq!(store.pending_mail_count().await.unwrap(), 1);
    assert!(
        store
            .lease_due_invitations(t(60), 10, TimeDelta::minutes(2))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_second_answer_replaces_the_first_and_counts_once(db: TestDb) {
    let store = &db.store;
    let id = solved_and_sent(store, new_ticket("Card", "ana@example.com"), "hash-1").await;

    let first = store.answer_survey("hash-1", 4, Some("ok"), t(20)).await.unwrap();
    assert!(!first.replaced);
    let second = store.answer_survey("hash-1", 2, None, t(40)).await.unwrap();
    assert!(second.replaced);
    assert_eq!(second.page.invitation.answered_at, Some(t(20)));
    assert_eq!(second.page.invitation.state, InvitationState::Answered);

    let (facts, _) = stored_facts(store, id).await;
    assert_eq!(facts.surveys.len(), 1, "one response per invitation");
    assert_eq!((facts.surveys[0].at, facts.surveys[0].score), (t(20), 2));
    let page = store
        .scoped(TicketAccess::Everything)
        .survey_responses(&SurveyResponseFilter::default(), 10, None)
        .await
        .unwrap();
    assert_eq!(page.total_count, 1);
    assert_eq!(page.responses[0].score, 2);

    // Refusals: off the scale, unknown, expired.
    assert!(matches!(
        store.answer_survey("hash-1", 6, None, t(50)).await,
        Err(StoreError::Rule(DomainError::ScoreOutOfScale { .. }))
    ));
    assert!(matches!(
        store.answer_survey("no-such-hash", 4, None, t(50)).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store
            .answer_survey("hash-1", 5, None, t(11) + TimeDelta::days(30))
            .await,
        Err(StoreError::Rule(DomainError::SurveyExpired))
    ));
}

async fn responses_are_listed_within_the_callers_reach(db: TestDb) {
    let store = &db.store;
    let a = store.create_team("A".into(), t(0)).await.unwrap();
    let b = store.create_team("B".into(), t(0)).await.unwrap();
    let in_team = |team, customer: &str| NewTicket {
        team: Some(team),
        ..new_ticket("Question", customer)
    };
    solved_and_sent(store, in_team(a.id, "ana@example.com"), "ha").await;
    solved_and_sent(store, in_team(b.id, "bo@example.com"), "hb").await;
    store.answer_survey("ha", 5, None, t(20)).await.unwrap();
    store.answer_survey("hb", 1, Some("slow"), t(21)).await.unwrap();

    let all = SurveyResponseFilter::default();
    let everything = store.scoped(TicketAccess::Everything);
    let page = everything.survey_responses(&all, 10, None).await.unwrap();
    assert_eq!(page.total_count, 2);
    assert_eq!(page.responses[0].score, 1, "newest first");
    let next = everything
        .survey_responses(&all, 1, Some(page.responses[0].cursor()))
        .await
        .unwrap();
    assert_eq!((next.responses.len(), next.responses[0].score), (1, 5));

    let team_a = store.scoped(TicketAccess::of(
        helpdesk_domain::access::AgentScope::Teams,
        [a.id],
        false,
    ));
    let seen = team_a.survey_responses(&all, 10, None).await.unwrap();
    assert_eq!(seen.total_count, 1);
    assert_eq!(seen.responses[0].team_id, Some(a.id));
    let low = SurveyResponseFilter {
        max_score: Some(2),
        ..SurveyResponseFilter::default()
    };
    assert_eq!(team_a.survey_responses(&low, 10, None).await.unwrap().total_count, 0);
    // Invitations too: team B's ticket is out of reach, as if it had none.
    let b_ticket = everything.survey_responses(&low, 10, None).await.unwrap().responses[0].ticket_id;
    assert_eq!(
        everything
            .survey_invitations_of_tickets(&[b_ticket])
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        team_a
            .survey_invitations_of_tickets(&[b_ticket])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        everything.survey_responses(&low, 10, None).await.unwrap().total_count,
        1
    );
}

each_store!(
    a_live_solve_queues_one_invitation_and_an_import_none,
    a_reopen_before_sending_cancels_and_a_lease_goes_to_one_sender,
    a_second_answer_replaces_the_first_and_counts_once,
    responses_are_listed_within_the_callers_reach,
);
