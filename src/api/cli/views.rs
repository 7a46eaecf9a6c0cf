//! The audit views on the CLI port (issue 12): `/accounting` (the `livepeer audit` report as
//! JSON), `/dispute?ticket=…` (or `session=…`: its lines, as `livepeer dispute` prints them),
//! `/events?from=N&limit=M` and `/ticketQueue?after=HASH&limit=M` (pages with a `next` cursor),
//! `/projections` (name, version, seq, digest). The node computes them (`node::audit_views`,
//! the same code as the commands); this reads the parameters and shapes the answers.

use super::{CliPort, Form, Reply};
use crate::events::Hash32;

/// An audit view and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditView {
    /// `/accounting`.
    Accounting,
    /// `/dispute`: a ticket hash, `sender:recipientRandHash:nonce` or a session id.
    Dispute(String),
    /// `/events`.
    Events {
        /// First seq.
        from: u64,
        /// Records at most.
        limit: u32,
    },
    /// `/ticketQueue`.
    TicketQueue {
        /// Tickets after this hash.
        after: Option<Hash32>,
        /// Tickets at most.
        limit: u32,
    },
    /// `/projections`.
    Projections,
}

/// Why a view has no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewError {
    /// Nothing matches (404).
    NotFound(String),
    /// The node could not compute it (500).
    Failed(String),
}

/// Records or tickets per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 100;

fn number<T: std::str::FromStr>(form: &Form, name: &str, default: T) -> Result<T, Reply> {
    match form.get(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| Reply::bad(&format!("invalid {name}: {v:?} is not a number"))),
    }
}

fn parse(route: &str, form: &Form) -> Option<Result<AuditView, Reply>> {
    let limit = || number(form, "limit", DEFAULT_LIMIT);
    Some(match route {
        "accounting" => Ok(AuditView::Accounting),
        "projections" => Ok(AuditView::Projections),
        "events" => number(form, "from", 0u64)
            .and_then(|from| limit().map(|limit| AuditView::Events { from, limit })),
        "ticketQueue" => {
            let after = match form.get("after").filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(h) => hex::decode(h.trim_start_matches("0x"))
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .map(|b| Some(Hash32(b)))
                    .ok_or_else(|| {
                        Reply::bad(&format!("invalid after: {h:?} is not a ticket hash"))
                    }),
            };
            after.and_then(|after| limit().map(|limit| AuditView::TicketQueue { after, limit }))
        }
        "dispute" => match form
            .get("ticket")
            .or(form.get("session"))
            .filter(|v| !v.is_empty())
        {
            Some(s) => Ok(AuditView::Dispute(s.to_string())),
            None => Err(Reply::bad("missing form param: ticket")),
        },
        _ => return None,
    })
}

/// The route, when it is an audit view.
pub async fn handle(port: &dyn CliPort, route: &str, form: &Form) -> Option<Reply> {
    let view = match parse(route, form)? {
        Ok(v) => v,
        Err(r) => return Some(r),
    };
    let dispute = matches!(view, AuditView::Dispute(_));
    Some(match port.audit_view(view).await {
        Ok(text) if dispute => Reply::ok(text),
        Ok(json) => Reply::json(json),
        Err(ViewError::NotFound(m)) => Reply::error(404, &m),
        Err(ViewError::Failed(m)) => Reply::failed(&m),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_parse_with_defaults_and_clear_refusals() {
        let f = Form::of(&[("from", "5")]);
        assert_eq!(
            parse("events", &f).unwrap().unwrap(),
            AuditView::Events {
                from: 5,
                limit: 100
            }
        );
        let f = Form::of(&[("limit", "x")]);
        let r = parse("events", &f).unwrap().unwrap_err();
        assert_eq!(r.status, 400);
        let f = Form::of(&[("after", "0x12")]);
        assert_eq!(parse("ticketQueue", &f).unwrap().unwrap_err().status, 400);
        assert_eq!(
            parse("dispute", &Form::of(&[]))
                .unwrap()
                .unwrap_err()
                .status,
            400
        );
        assert!(parse("status", &Form::of(&[])).is_none());
    }
}
