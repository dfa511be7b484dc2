//! One seeded ticket's life: the customer writes, the desk triages and
//! answers after realistic delays, the ticket waits on the customer, gets
//! solved, sometimes reopened, surveyed and closed.
//!
//! Statuses follow what the live desk would have done (a first reply opens a
//! NEW ticket, a customer message brings back a PENDING or SOLVED one), since
//! imported history is recorded exactly as given.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveTime, TimeDelta, Timelike, Utc};
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::ticket::{Channel, Priority, Survey, TicketStatus};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::arrival::next_office_hour;
use super::cast::{self, TEAMS, Team};

const CHANNELS: &[(Channel, u32)] = &[
    (Channel::Email, 50),
    (Channel::WebForm, 15),
    (Channel::Chat, 15),
    (Channel::Phone, 10),
    (Channel::Social, 5),
    (Channel::Api, 5),
];
const PRIORITIES: &[(Priority, u32)] = &[
    (Priority::Low, 15),
    (Priority::Normal, 60),
    (Priority::High, 20),
    (Priority::Urgent, 5),
];
/// Agent replies until the ticket is solved.
const ROUNDS: &[(u32, u32)] = &[(1, 45), (2, 30), (3, 15), (4, 7), (5, 3)];
const CSAT: &[(u8, u32)] = &[(5, 55), (4, 25), (3, 8), (2, 5), (1, 7)];
const NPS: &[(u8, u32)] = &[
    (10, 30),
    (9, 25),
    (8, 15),
    (7, 10),
    (6, 6),
    (5, 4),
    (4, 3),
    (3, 2),
    (2, 2),
    (1, 1),
    (0, 2),
];

/// Who and what one seeded ticket is about.
pub struct Setting {
    pub external_id: String,
    pub created_at: DateTime<Utc>,
    /// Nothing happens at or after this instant: the story stops there.
    pub until: DateTime<Utc>,
    pub customer_email: EmailAddress,
    pub customer_name: Option<String>,
}

pub fn ticket(rng: &mut ChaCha8Rng, setting: Setting) -> Option<ImportedTicket> {
    let channel = pick(rng, CHANNELS);
    let priority = pick(rng, PRIORITIES);
    let team = &TEAMS[rng.random_range(0..TEAMS.len())];
    let topic = &team.topics[rng.random_range(0..team.topics.len())];
    let subject = topic.subjects[rng.random_range(0..topic.subjects.len())].to_owned();
    let mut tags = BTreeSet::from([cast::tag(topic.tag)?]);
    if rng.random_bool(0.15) {
        tags.insert(cast::tag(team.topics[rng.random_range(0..team.topics.len())].tag)?);
    }
    if rng.random_bool(0.05) {
        tags.insert(cast::tag("vip")?);
    }
    let agent = cast::agent_email(rng.random_range(team.agents.clone()))?;
    let fcr_eligible = !rng.random_bool(0.05);
    let outreach = rng.random_bool(0.06);

    let mut story = Story {
        rng,
        now: setting.created_at,
        until: setting.until,
        status: TicketStatus::New,
        priority,
        channel,
        team,
        events: Vec::new(),
        over: false,
    };
    if outreach {
        story.outreach(agent)?;
    } else {
        story.support(agent, topic.opening)?;
    }
    Some(ImportedTicket {
        external_id: setting.external_id,
        subject,
        channel,
        priority,
        customer_email: setting.customer_email,
        customer_name: setting.customer_name,
        tags,
        created_at: setting.created_at,
        fcr_eligible,
        events: story.events,
    })
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for &(value, weight) in table {
        if roll < weight {
            return value;
        }
        roll -= weight;
    }
    table[0].0
}

struct Story<'r> {
    rng: &'r mut ChaCha8Rng,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    status: TicketStatus,
    priority: Priority,
    channel: Channel,
    team: &'static Team,
    events: Vec<ImportedEvent>,
    /// The story reached `until`: later events have not happened yet.
    over: bool,
}

impl Story<'_> {
    /// A customer asks for help and the desk works on it until it is solved
    /// (or, for about one ticket in ten, leaves it waiting).
    fn support(&mut self, mut agent: EmailAddress, opening: &str) -> Option<()> {
        self.customer_says(opening);
        if self.rng.random_bool(0.2) {
            self.customer_waits(15.0);
            let body = self.line(cast::FOLLOW_UPS);
            self.customer_says(body);
        }
        self.desk_waits(5.0);
        let team = Some(Some(self.team.name.to_owned()));
        let team_first = self.rng.random_bool(0.1);
        self.push(ImportedKind::Assign {
            agent: (!team_first).then(|| Some(agent.clone())),
            team,
        });

        let rounds = pick(self.rng, ROUNDS);
        let stalls_at = self.rng.random_bool(0.1).then(|| self.rng.random_range(0..=rounds));
        for round in 0..rounds {
            if stalls_at == Some(round) {
                return Some(());
            }
            if self.rng.random_bool(0.2) {
                self.desk_waits(10.0);
                let author = self.colleague_or(&agent)?;
                let body = self.line(cast::NOTES);
                self.push(ImportedKind::Note { agent: author, body });
            }
            if round == 0 && self.priority <= Priority::Normal && self.rng.random_bool(0.04) {
                self.priority = Priority::High;
                self.push(ImportedKind::Priority(Priority::High));
            }
            if round > 0 && self.rng.random_bool(0.05) {
                self.set_status(TicketStatus::OnHold);
                self.customer_waits(36.0 * 60.0);
                self.set_status(TicketStatus::Open);
            }
            let median = if round == 0 { self.first_reply_minutes() } else { 60.0 };
            self.desk_waits(median);
            if team_first && round == 0 {
                self.push(ImportedKind::Assign {
                    agent: Some(Some(agent.clone())),
                    team: None,
                });
            }
            let last = round + 1 == rounds;
            if last && stalls_at != Some(rounds) {
                self.solve(&agent);
                break;
            }
            let asks = if self.rng.random_bool(0.75) {
                Some(TicketStatus::Pending)
            } else {
                None
            };
            let body = self.line(cast::AGENT_REPLIES);
            self.agent_says(&agent, body, asks);
            if last {
                // Still waiting for the customer.
                return Some(());
            }
            self.customer_waits(5.0 * 60.0);
            let body = self.line(cast::CUSTOMER_REPLIES);
            self.customer_says(body);
            if self.rng.random_bool(0.06) {
                agent = self.reassign(&agent)?;
            }
        }
        if self.rng.random_bool(0.08) {
            self.customer_waits(24.0 * 60.0);
            let body = self.line(cast::REOPENINGS);
            self.customer_says(body);
            self.desk_waits(90.0);
            self.solve(&agent);
        }
        self.after_solve();
        Some(())
    }

    /// The desk writes first (a proactive notice, a logged call).
    fn outreach(&mut self, agent: EmailAddress) -> Option<()> {
        self.agent_says(&agent, cast::OUTREACH.to_owned(), Some(TicketStatus::Pending));
        self.push(ImportedKind::Assign {
            agent: Some(Some(agent.clone())),
            team: Some(Some(self.team.name.to_owned())),
        });
        if self.rng.random_bool(0.7) {
            self.customer_waits(8.0 * 60.0);
            let body = self.line(cast::CUSTOMER_REPLIES);
            self.customer_says(body);
            self.desk_waits(120.0);
            self.solve(&agent);
        } else {
            self.customer_waits(48.0 * 60.0);
            self.set_status(TicketStatus::Solved);
        }
        self.after_solve();
        Some(())
    }

    /// The last reply: solved with it, or left pending and solved when the
    /// customer stays silent.
    fn solve(&mut self, agent: &EmailAddress) {
        let body = self.line(cast::AGENT_REPLIES);
        if self.rng.random_bool(0.7) {
            self.agent_says(agent, body, Some(TicketStatus::Solved));
        } else {
            self.agent_says(agent, body, Some(TicketStatus::Pending));
            self.customer_waits(24.0 * 60.0);
            self.set_status(TicketStatus::Solved);
        }
    }

    fn after_solve(&mut self) {
        if self.rng.random_bool(0.3) {
            self.customer_waits(6.0 * 60.0);
            let score = pick(self.rng, CSAT);
            let comment = self.rng.random_bool(0.3).then(|| self.line(cast::CSAT_COMMENTS));
            self.push(ImportedKind::Survey {
                survey: Survey::Csat,
                score,
                comment,
            });
        }
        if self.rng.random_bool(0.1) {
            self.customer_waits(24.0 * 60.0);
            let score = pick(self.rng, NPS);
            self.push(ImportedKind::Survey {
                survey: Survey::Nps,
                score,
                comment: None,
            });
        }
        if self.rng.random_bool(0.35) {
            let hours = self.rng.random_range(72..144);
            self.wait(TimeDelta::hours(hours));
            self.set_status(TicketStatus::Closed);
        }
    }

    /// Hands the ticket to another agent, now and then in another team.
    fn reassign(&mut self, from: &EmailAddress) -> Option<EmailAddress> {
        self.desk_waits(15.0);
        let moves_team = self.rng.random_bool(0.3);
        if moves_team {
            self.team = &TEAMS[self.rng.random_range(0..TEAMS.len())];
        }
        let to = self.colleague_or(from)?;
        self.push(ImportedKind::Assign {
            agent: Some(Some(to.clone())),
            team: moves_team.then(|| Some(self.team.name.to_owned())),
        });
        Some(to)
    }

    /// Someone in the current team, possibly `agent` itself.
    fn colleague_or(&mut self, agent: &EmailAddress) -> Option<EmailAddress> {
        let n = self.rng.random_range(self.team.agents.clone());
        cast::agent_email(n).or_else(|| Some(agent.clone()))
    }

    fn first_reply_minutes(&self) -> f64 {
        let by_channel = match self.channel {
            Channel::Chat | Channel::Phone => 2.0,
            _ => 15.0,
        };
        let by_priority = match self.priority {
            Priority::Low => 1.5,
            Priority::Normal => 1.0,
            Priority::High => 0.5,
            Priority::Urgent => 0.25,
        };
        by_channel * by_priority
    }

    fn line(&mut self, lines: &[&str]) -> String {
        lines[self.rng.random_range(0..lines.len())].to_owned()
    }

    fn customer_says(&mut self, body: impl Into<String>) {
        self.push(ImportedKind::Message {
            author: ImportedAuthor::Customer,
            body: body.into(),
        });
        if matches!(self.status, TicketStatus::Pending | TicketStatus::Solved) {
            self.set_status(TicketStatus::Open);
        }
    }

    /// A public reply, with the status the agent sets along with it.
    fn agent_says(&mut self, agent: &EmailAddress, body: String, sets: Option<TicketStatus>) {
        self.push(ImportedKind::Message {
            author: ImportedAuthor::Agent(agent.clone()),
            body,
        });
        let opens = (self.status == TicketStatus::New).then_some(TicketStatus::Open);
        if let Some(to) = sets.or(opens) {
            self.set_status(to);
        }
    }

    fn set_status(&mut self, to: TicketStatus) {
        if to != self.status && !self.over {
            self.status = to;
            self.push(ImportedKind::Status(to));
        }
    }

    fn push(&mut self, kind: ImportedKind) {
        if !self.over {
            self.events.push(ImportedEvent { at: self.now, kind });
        }
    }

    /// A delay spread around `median_minutes` (a quarter to four times it).
    fn spread(&mut self, median_minutes: f64) -> TimeDelta {
        let factor = 4f64.powf(self.rng.random_range(-1.0..1.0));
        TimeDelta::seconds(((median_minutes * factor * 60.0) as i64).max(1))
    }

    /// The desk acts during office hours, except on urgent tickets.
    fn desk_waits(&mut self, median_minutes: f64) {
        let mut at = self.now + self.spread(median_minutes);
        if self.priority != Priority::Urgent {
            at = next_office_hour(at);
        }
        self.wait(at - self.now);
    }

    /// Customers write at any day of the week, but seldom at night.
    fn customer_waits(&mut self, median_minutes: f64) {
        let mut at = self.now + self.spread(median_minutes);
        let hour = at.hour();
        if !(7..22).contains(&hour) {
            let morning = at.date_naive().and_time(NaiveTime::MIN).and_utc() + TimeDelta::hours(7);
            let day = if hour >= 22 {
                TimeDelta::days(1)
            } else {
                TimeDelta::zero()
            };
            at = morning + day + TimeDelta::minutes(self.rng.random_range(0..120));
        }
        self.wait(at - self.now);
    }

    fn wait(&mut self, delay: TimeDelta) {
        self.now += delay;
        if self.now >= self.until {
            self.over = true;
        }
    }
}
