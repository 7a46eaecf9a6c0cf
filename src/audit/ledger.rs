//! Balance sessions as ledgers: every credit and debit of an account with its seq, the running
//! balance each event must carry (`balance = previous ± amount`), and how the session ended
//! (closed, or expired with what it held). A ledger that Σ credits − Σ debits does not explain
//! is a discrepancy naming the seq that broke it.

use super::Discrepancy;
use crate::events::{Account, BalanceChanged, Ratio, Side};
use crate::pm::num::{ratio_from_big, ratio_to_big};
use num_rational::BigRational;
use num_traits::Zero;
use serde::Serialize;
use std::collections::BTreeMap;

/// One credit or debit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The record's seq.
    pub seq: u64,
    /// The amount moved, exact (`n` or `n/d` wei).
    pub amount: String,
}

/// How a session ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ended {
    /// The record's seq.
    pub seq: u64,
    /// `closed` or `expired`.
    pub how: &'static str,
    /// The balance it held then.
    pub left: String,
}

/// One life of a balance session (a session closed and used again starts a new one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionLedger {
    /// `O` (an orchestrator's view of a sender) or `B` (a broadcaster's view of an O).
    pub side: &'static str,
    /// The sender (O) or the O (B).
    pub counterparty: String,
    /// The session id.
    pub session: String,
    /// On a B: the stream the session served, and its O's URI.
    pub stream: Option<String>,
    /// Credits, in log order.
    pub credits: Vec<Term>,
    /// Debits, in log order.
    pub debits: Vec<Term>,
    /// Σ credits.
    pub credited: String,
    /// Σ debits.
    pub debited: String,
    /// The balance the last event recorded (zero when none).
    pub balance: String,
    /// How the session ended, if it did.
    pub ended: Option<Ended>,
}

#[derive(Clone, Debug, Default)]
struct Open {
    first_seq: u64,
    credits: Vec<(u64, BigRational)>,
    debits: Vec<(u64, BigRational)>,
    balance: BigRational,
    broken: bool,
}

/// Every account's ledgers.
#[derive(Clone, Debug, Default)]
pub struct Ledgers {
    open: BTreeMap<Account, Open>,
    done: Vec<(Account, Open, Ended)>,
}

fn sum(terms: &[(u64, BigRational)]) -> BigRational {
    terms.iter().fold(BigRational::zero(), |a, (_, v)| a + v)
}

impl Ledgers {
    /// A credit (`sign` +1) or a debit (−1) at `seq`.
    pub fn moved(
        &mut self,
        seq: u64,
        c: &BalanceChanged,
        credit: bool,
        out: &mut Vec<Discrepancy>,
    ) {
        let o = self.open.entry(c.account.clone()).or_insert_with(|| Open {
            first_seq: seq,
            ..Open::default()
        });
        let amount = ratio_to_big(&c.amount);
        let expected = if credit {
            &o.balance + &amount
        } else {
            &o.balance - &amount
        };
        let recorded = ratio_to_big(&c.balance);
        if recorded != expected || amount < BigRational::zero() {
            o.broken = true;
            out.push(Discrepancy {
                seqs: vec![seq],
                what: format!(
                    "session {}: {} of {} records balance {}, but the ledger gives {} ({} {} {})",
                    c.account.session,
                    if credit { "credit" } else { "debit" },
                    c.amount,
                    c.balance,
                    ratio_from_big(&expected),
                    ratio_from_big(&o.balance),
                    if credit { "+" } else { "−" },
                    c.amount
                ),
            });
        }
        if credit {
            o.credits.push((seq, amount));
        } else {
            o.debits.push((seq, amount));
        }
        o.balance = recorded;
    }

    /// The session ended at `seq`: closed, or expired holding `left`.
    pub fn ended(
        &mut self,
        seq: u64,
        a: &Account,
        left: Option<&Ratio>,
        out: &mut Vec<Discrepancy>,
    ) {
        let o = self.open.remove(a).unwrap_or(Open {
            first_seq: seq,
            ..Open::default()
        });
        if let Some(left) = left {
            if ratio_to_big(left) != o.balance {
                out.push(Discrepancy {
                    seqs: vec![seq],
                    what: format!(
                        "session {} expired holding {left}, but its ledger gives {}",
                        a.session,
                        ratio_from_big(&o.balance)
                    ),
                });
            }
        }
        let ended = Ended {
            seq,
            how: if left.is_some() { "expired" } else { "closed" },
            left: ratio_from_big(&o.balance).to_string(),
        };
        self.done.push((a.clone(), o, ended));
    }

    /// Every ledger, by account then first seq; `stream` names a B session's stream.
    pub fn report(
        &self,
        stream: &dyn Fn(&str) -> Option<String>,
        out: &mut Vec<Discrepancy>,
    ) -> Vec<SessionLedger> {
        let mut all: Vec<(&Account, &Open, Option<&Ended>)> = self
            .done
            .iter()
            .map(|(a, o, e)| (a, o, Some(e)))
            .chain(self.open.iter().map(|(a, o)| (a, o, None)))
            .collect();
        all.sort_by(|x, y| (x.0, x.1.first_seq).cmp(&(y.0, y.1.first_seq)));
        all.into_iter()
            .map(|(a, o, ended)| {
                let (credited, debited) = (sum(&o.credits), sum(&o.debits));
                if !o.broken && &credited - &debited != o.balance {
                    let mut seqs: Vec<u64> =
                        o.credits.iter().chain(&o.debits).map(|t| t.0).collect();
                    seqs.sort_unstable();
                    out.push(Discrepancy {
                        seqs,
                        what: format!(
                            "session {}: Σ credits − Σ debits is not its balance",
                            a.session
                        ),
                    });
                }
                let terms = |v: &[(u64, BigRational)]| {
                    v.iter()
                        .map(|(seq, x)| Term {
                            seq: *seq,
                            amount: ratio_from_big(x).to_string(),
                        })
                        .collect()
                };
                SessionLedger {
                    side: match a.side {
                        Side::Orchestrator => "O",
                        Side::Broadcaster => "B",
                    },
                    counterparty: a.counterparty.to_string(),
                    session: a.session.clone(),
                    stream: match a.side {
                        Side::Broadcaster => stream(&a.session),
                        Side::Orchestrator => None,
                    },
                    credits: terms(&o.credits),
                    debits: terms(&o.debits),
                    credited: ratio_from_big(&credited).to_string(),
                    debited: ratio_from_big(&debited).to_string(),
                    balance: ratio_from_big(&o.balance).to_string(),
                    ended: ended.cloned(),
                }
            })
            .collect()
    }
}
