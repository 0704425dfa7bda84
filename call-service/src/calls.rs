//! The operations the API offers on calls, in domain terms: create (with
//! validation and the live-mode check), get, list, cancel.

use crate::{
    call::Call,
    store::{Created, Filter, Page, Store},
    validate::{NewCall, validate},
};
use barpel_platform::{ServiceError, ids};

/// The account and mode a request acts for.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub account_id: String,
    pub livemode: bool,
}

/// Calls, as the API sees them.
#[derive(Clone)]
pub struct Calls {
    store: Store,
    /// Whether live mode has a telephony provider. None ships yet.
    live_telephony: bool,
    /// Cap used when the gateway sends none.
    default_max_concurrent: u32,
}

impl Calls {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            live_telephony: false,
            default_max_concurrent: 10,
        }
    }

    /// Validates and queues a call. A repeated idempotency key returns the
    /// call it created the first time.
    pub async fn create(
        &self,
        tenant: &Tenant,
        new: NewCall,
        idempotency_key: Option<&str>,
        max_concurrent: u32,
    ) -> Result<Call, ServiceError> {
        let valid = validate(new)?;
        if tenant.livemode && !self.live_telephony {
            return Err(ServiceError::new(
                barpel_platform::ErrorKind::InvalidArgument,
                "telephony_not_configured",
                "Live calls need a telephony provider, and none is configured on this Barpel installation. Use a test key (barpel_sk_test_…) to simulate calls.",
            ));
        }
        let cap = if max_concurrent == 0 {
            self.default_max_concurrent
        } else {
            max_concurrent
        };
        let created = self
            .store
            .create(
                &tenant.account_id,
                tenant.livemode,
                &valid,
                idempotency_key,
                cap,
            )
            .await?;
        Ok(match created {
            Created::New(call) | Created::Existing(call) => call,
        })
    }

    pub async fn get(&self, tenant: &Tenant, id: &str) -> Result<Call, ServiceError> {
        if !ids::is_valid(id, "call") {
            return Err(ServiceError::not_found("call", id));
        }
        self.store
            .get(&tenant.account_id, tenant.livemode, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("call", id))
    }

    pub async fn list(
        &self,
        tenant: &Tenant,
        filter: &Filter,
        page: &Page,
    ) -> Result<(Vec<Call>, bool), ServiceError> {
        for (param, cursor) in [
            ("starting_after", &page.starting_after),
            ("ending_before", &page.ending_before),
        ] {
            if let Some(id) = cursor
                && !ids::is_valid(id, "call")
            {
                return Err(ServiceError::invalid(
                    param,
                    "parameter_invalid",
                    format!("{param} must be a call id (call_…); got {id:?}."),
                ));
            }
        }
        Ok(self
            .store
            .list(&tenant.account_id, tenant.livemode, filter, page)
            .await?)
    }

    pub async fn cancel(&self, tenant: &Tenant, id: &str) -> Result<Call, ServiceError> {
        if !ids::is_valid(id, "call") {
            return Err(ServiceError::not_found("call", id));
        }
        self.store
            .cancel(&tenant.account_id, tenant.livemode, id)
            .await
    }
}
