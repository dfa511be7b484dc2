//! The people, teams, topics and words of seeded tickets.

use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::tag::Tag;

/// Teams with the agents (1-based) who work in them and the topics they own.
pub struct Team {
    pub name: &'static str,
    pub agents: std::ops::RangeInclusive<u32>,
    pub topics: &'static [Topic],
}

pub struct Topic {
    pub tag: &'static str,
    pub subjects: &'static [&'static str],
    pub opening: &'static str,
}

pub const TEAMS: &[Team] = &[
    Team {
        name: "Billing",
        agents: 1..=4,
        topics: &[
            Topic {
                tag: "billing",
                subjects: &["Card declined", "Charged twice this month", "Change of billing address"],
                opening: "My payment did not go through as expected. Can you check my account?",
            },
            Topic {
                tag: "refund",
                subjects: &["Refund request", "Where is my refund?", "Cancel and refund my order"],
                opening: "I would like my money back for my last order.",
            },
            Topic {
                tag: "invoice",
                subjects: &["Invoice missing VAT number", "Need a copy of my invoice"],
                opening: "Could you send me a corrected invoice, please?",
            },
        ],
    },
    Team {
        name: "Technical",
        agents: 5..=9,
        topics: &[
            Topic {
                tag: "bug",
                subjects: &[
                    "App crashes on start",
                    "Export produces an empty file",
                    "Error 500 on checkout",
                ],
                opening: "Something is broken: it worked yesterday and fails today.",
            },
            Topic {
                tag: "login",
                subjects: &[
                    "Cannot log in",
                    "Password reset mail never arrives",
                    "Two-factor code rejected",
                ],
                opening: "I cannot get into my account any more.",
            },
            Topic {
                tag: "integration",
                subjects: &["Webhook not firing", "API returns 401", "Sync with calendar stopped"],
                opening: "Our integration stopped receiving data this morning.",
            },
            Topic {
                tag: "mobile",
                subjects: &["Notifications do not show on Android", "iOS app logs me out"],
                opening: "The mobile app does not behave like the website.",
            },
        ],
    },
    Team {
        name: "Customer Care",
        agents: 10..=12,
        topics: &[
            Topic {
                tag: "shipping",
                subjects: &[
                    "Where is my parcel?",
                    "Delivery address wrong",
                    "Package arrived damaged",
                ],
                opening: "My order has not arrived yet and tracking shows nothing.",
            },
            Topic {
                tag: "returns",
                subjects: &["How do I return an item?", "Return label not working"],
                opening: "I want to send an item back.",
            },
            Topic {
                tag: "account",
                subjects: &["Close my account", "Change my email address", "Merge two accounts"],
                opening: "Please help me with a change to my account.",
            },
            Topic {
                tag: "feedback",
                subjects: &[
                    "Suggestion for the checkout",
                    "Great service!",
                    "Feature request: dark mode",
                ],
                opening: "I have some feedback I would like to share.",
            },
        ],
    },
];

pub const FOLLOW_UPS: &[&str] = &[
    "Forgot to say: I already tried logging out and in again.",
    "Any news? This is getting urgent for us.",
    "Adding a screenshot description: the page just stays blank.",
    "My order number is in the previous message.",
];

pub const CUSTOMER_REPLIES: &[&str] = &[
    "Thanks, here is the information you asked for.",
    "I tried that, it still does not work.",
    "Yes, that is the right account.",
    "It happens on every device I own.",
];

pub const AGENT_REPLIES: &[&str] = &[
    "Thanks for reaching out. Could you tell me the email address on the account?",
    "I have looked into this and fixed it on our side. Could you try again?",
    "Sorry for the trouble. I have passed this to our specialists and will update you.",
    "This is done now. Let us know if anything else comes up.",
    "Could you send the exact error message you see?",
];

pub const REOPENINGS: &[&str] = &[
    "It worked for a day and now the problem is back.",
    "Sorry, this is not solved: I still see the old amount.",
];

pub const NOTES: &[&str] = &[
    "Checked the logs: matches the known issue from last week.",
    "Customer is on the annual plan, handle with care.",
    "Asked the warehouse for the tracking details.",
    "Escalating: needs someone with database access.",
];

pub const OUTREACH: &str = "Hello, we noticed a problem with your last order and wanted to let you know.";

pub const CSAT_COMMENTS: &[&str] = &[
    "quick!",
    "Very helpful, thanks.",
    "Took too long.",
    "Solved on the first try.",
];

/// `agentNN@desk.example`, for the agents numbered in [`TEAMS`]. The addresses
/// are fixed ASCII and always parse; `None` only to avoid a panic path.
pub fn agent_email(agent: u32) -> Option<EmailAddress> {
    EmailAddress::parse(&format!("agent{agent:02}@desk.example")).ok()
}

pub fn tag(raw: &str) -> Option<Tag> {
    Tag::parse(raw).ok()
}

const FIRST: &[&str] = &[
    "Ana", "Bo", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jonas", "Kemal", "Lea", "Mateo", "Nora",
    "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wen", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Lopez", "Berg", "Wang", "Novak", "Schmidt", "Haddad", "Petrov", "Kimura", "Silva", "Okafor", "Rossi", "Dubois",
    "Jensen", "Costa", "Meyer", "Nakamura", "Fischer", "Moreau", "Ahmed", "Larsen",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "shop.example",
];

/// Customer number `c`: always the same name and address, whatever the seed,
/// so a customer stays one identity across seeded runs.
pub fn customer(c: u64) -> Option<(EmailAddress, Option<String>)> {
    // A multiplicative hash spreads neighbouring numbers over the name lists.
    let h = c.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    let pick = |list: &[&'static str], salt: u64| list[((h ^ salt) % list.len() as u64) as usize];
    let (first, last, domain) = (pick(FIRST, 0), pick(LAST, 0x5bd1), pick(DOMAINS, 0x2f));
    let raw = format!("{}.{}{c}@{domain}", first.to_lowercase(), last.to_lowercase());
    let email = EmailAddress::parse(&raw).ok()?;
    // Some desks never learnt a name.
    let name = (c % 11 != 7).then(|| format!("{first} {last}"));
    Some((email, name))
}
