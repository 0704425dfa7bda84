//! Amounts of money.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An amount in the currency's smallest unit (cents for USD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Money {
    /// In the smallest currency unit: `1250` is $12.50.
    pub amount: i64,
    /// ISO 4217, lower case (`usd`).
    pub currency: String,
}

impl From<&barpel_proto::Money> for Money {
    fn from(m: &barpel_proto::Money) -> Self {
        Self {
            amount: m.amount,
            currency: m.currency.clone(),
        }
    }
}
