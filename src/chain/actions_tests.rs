//! The chain actions' forms and transactions.

use super::*;

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn forms_read_as_the_references_routes() {
    assert_eq!(
        Action::from_form(
            "fundDepositAndReserve",
            &form(&[("depositAmount", "5"), ("reserveAmount", "7")])
        ),
        Ok(Action::FundDepositAndReserve(5.into(), 7.into()))
    );
    assert_eq!(
        Action::from_form("fundDeposit", &form(&[])),
        Err("missing form param: amount".into())
    );
    let a = Action::from_form(
        "activateOrchestrator",
        &form(&[
            ("blockRewardCut", "10"),
            ("feeShare", "50"),
            ("serviceURI", "https://o:8935"),
        ]),
    )
    .unwrap();
    assert!(
        matches!(&a, Action::Activate { reward_cut, fee_share, amount, .. }
        if *reward_cut == 100_000.into() && *fee_share == 500_000.into() && amount.is_zero())
    );
    assert!(Action::from_form(
        "activateOrchestrator",
        &form(&[
            ("blockRewardCut", "101"),
            ("feeShare", "1"),
            ("serviceURI", "x")
        ])
    )
    .is_err());
    assert!(Action::from_form("selfDestruct", &form(&[]))
        .unwrap_err()
        .contains("unknown chain action"));
}

#[test]
fn funding_sends_the_sum_and_activation_bonds_first() {
    let c = Contracts {
        controller: Address::repeat_byte(6),
        ticket_broker: Address::repeat_byte(1),
        bonding_manager: Address::repeat_byte(2),
        rounds_manager: Address::repeat_byte(3),
        service_registry: Address::repeat_byte(4),
        token: Address::repeat_byte(5),
        faucet: Address::repeat_byte(7),
    };
    let me = Address::repeat_byte(9);
    let calls = Action::FundDepositAndReserve(2.into(), 3.into())
        .calls(&c, me)
        .unwrap();
    assert_eq!(calls[0].value, 5.into());
    assert_eq!(calls[0].to, Some(c.ticket_broker));
    let activate = Action::Activate {
        amount: 10.into(),
        reward_cut: 1.into(),
        fee_share: 1.into(),
        service_uri: "https://o".into(),
    };
    let to: Vec<_> = activate
        .calls(&c, me)
        .unwrap()
        .iter()
        .map(|c| c.to.unwrap())
        .collect();
    assert_eq!(
        to,
        vec![
            c.token,
            c.bonding_manager,
            c.bonding_manager,
            c.service_registry
        ]
    );
}
